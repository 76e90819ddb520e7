import { useState } from 'preact/hooks';
import type { Agent, Script } from '../api.js';
import { Button, Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { AgentPicker } from './AgentPicker.js';
import { ScriptEditor } from './ScriptEditor.js';

type Editing = { kind: 'new' } | { kind: 'edit'; script: Script } | null;

export function Scripts(props: { agents: Agent[] }) {
  const { api, t } = useWidget();
  const [agentId, setAgentId] = useState<number | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const scripts = useLoad(() => api.scripts(agentId ?? undefined), [agentId]);

  if (editing) {
    return (
      <ScriptEditor
        agents={props.agents}
        script={editing.kind === 'edit' ? editing.script : null}
        defaultAgentId={agentId}
        onDone={() => {
          setEditing(null);
          scripts.reload();
        }}
      />
    );
  }
  const agentName = (id: number | null) => props.agents.find((a) => a.id === id)?.name ?? t('scripts.any_agent');
  return (
    <Section
      title={t('scripts.title')}
      testId="kai-scripts"
      actions={
        <Button kind="primary" onClick={() => setEditing({ kind: 'new' })} testId="kai-script-new">
          {t('scripts.new')}
        </Button>
      }
    >
      <p class="kai-small kai-muted">{t('scripts.hint')}</p>
      <AgentPicker agents={props.agents} value={agentId} onChange={setAgentId} allowAll />
      {scripts.loading && !scripts.data ? <Spinner /> : null}
      {scripts.error ? <ErrorBox error={scripts.error} onRetry={scripts.reload} /> : null}
      {scripts.data && scripts.data.items.length === 0 ? <Empty>{t('scripts.empty')}</Empty> : null}
      <ul class="kai-list">
        {(scripts.data?.items ?? []).map((s) => (
          <li key={s.id} class="kai-list__item" data-testid="kai-script-row">
            <div class="kai-row kai-row--between">
              <div>
                <strong>{s.name}</strong>
                <div class="kai-small kai-muted">
                  {agentName(s.agentId)} · {t('scripts.stage_count', { count: s.stages.length })}
                </div>
              </div>
              <Button onClick={() => setEditing({ kind: 'edit', script: s })}>{t('common.edit')}</Button>
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
