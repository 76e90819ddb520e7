import { useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import { Badge, Button, Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';
import { AgentEditor } from './AgentEditor.js';

type Editing = { kind: 'new' } | { kind: 'edit'; agent: Agent } | null;

export function Agents(props: { agents: Agent[]; loading: boolean; onChanged: () => void }) {
  const { t } = useWidget();
  const [editing, setEditing] = useState<Editing>(null);

  if (editing) {
    return (
      <AgentEditor
        agent={editing.kind === 'edit' ? editing.agent : null}
        onSaved={() => {
          setEditing(null);
          props.onChanged();
        }}
        onCancel={() => setEditing(null)}
      />
    );
  }
  return (
    <Section
      title={t('agents.title')}
      testId="kai-agents"
      actions={
        <Button kind="primary" onClick={() => setEditing({ kind: 'new' })} testId="kai-agent-new">
          {t('agents.new')}
        </Button>
      }
    >
      {props.loading && !props.agents.length ? <Spinner /> : null}
      {!props.loading && !props.agents.length ? <Empty>{t('agents.empty')}</Empty> : null}
      <ul class="kai-list">
        {props.agents.map((a) => (
          <AgentRow key={a.id} agent={a} onEdit={() => setEditing({ kind: 'edit', agent: a })} onDeleted={props.onChanged} />
        ))}
      </ul>
    </Section>
  );
}

function AgentRow(props: { agent: Agent; onEdit: () => void; onDeleted: () => void }) {
  const { api, t, lang } = useWidget();
  const del = useAction();
  const [confirming, setConfirming] = useState(false);
  const a = props.agent;
  const remove = async () => {
    const ok = await del.run(() => api.deleteAgent(a.id).then(() => true));
    if (ok) props.onDeleted();
  };
  return (
    <li class="kai-list__item" data-testid="kai-agent-row">
      <div class="kai-row kai-row--between">
        <div class="kai-row">
          <strong>{a.name}</strong>
          <Badge tone={a.mode === 'autopilot' ? 'info' : 'muted'}>{t(`mode.${a.mode}`)}</Badge>
          <span class="kai-small kai-muted">{a.model}</span>
        </div>
        <div class="kai-row">
          <Button onClick={props.onEdit}>{t('common.edit')}</Button>
          {confirming ? (
            <>
              <Button kind="danger" onClick={remove} busy={del.busy}>
                {t('common.confirm_delete')}
              </Button>
              <Button kind="link" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </Button>
            </>
          ) : (
            <Button kind="link" onClick={() => setConfirming(true)}>
              {t('common.delete')}
            </Button>
          )}
        </div>
      </div>
      <div class="kai-small kai-muted">{t('agents.updated', { time: formatDateTime(a.updatedAt, lang) })}</div>
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
    </li>
  );
}
