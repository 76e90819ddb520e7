import { useState } from 'preact/hooks';
import type { Agent, ModelList } from '../api.js';
import { Badge, Button, Empty, ErrorBox, Section, Spinner, ConfirmButton, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { AgentEditor } from './AgentEditor.js';

type Editing = { kind: 'new' } | { kind: 'edit'; agent: Agent } | null;

export function Agents(props: { agents: Agent[]; loading: boolean; onChanged: () => void }) {
  const { api, t } = useWidget();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState(false);
  // The operator's models: the editor offers them, and a row says when an agent's model has left the list.
  // A backend without the endpoint leaves this empty, and the editor falls back to suggestions.
  const models = useLoad(() => api.models(), []);

  if (editing) {
    return (
      <AgentEditor
        agent={editing.kind === 'edit' ? editing.agent : null}
        models={models.data}
        onSaved={() => {
          setEditing(null);
          setSaved(true);
          props.onChanged();
        }}
        onCancel={() => {
          setEditing(null);
          setSaved(false);
        }}
      />
    );
  }
  return (
    <Section
      title={t('agents.title')}
      testId="kai-agents"
      actions={
        <>
          <Saved show={saved} />
          <Button kind="primary" onClick={() => setEditing({ kind: 'new' })} testId="kai-agent-new">
            {t('agents.new')}
          </Button>
        </>
      }
    >
      {props.loading && !props.agents.length ? <Spinner /> : null}
      {!props.loading && !props.agents.length ? <Empty>{t('agents.empty')}</Empty> : null}
      <ul class="kai-list">
        {props.agents.map((a) => (
          <AgentRow key={a.id} agent={a} models={models.data} onEdit={() => setEditing({ kind: 'edit', agent: a })} onDeleted={props.onChanged} />
        ))}
      </ul>
    </Section>
  );
}

function AgentRow(props: { agent: Agent; models?: ModelList; onEdit: () => void; onDeleted: () => void }) {
  const { api, t, lang } = useWidget();
  const del = useAction();
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
          {props.models && !props.models.items.includes(a.model) ? (
            <Badge tone="warn">{t('agents.runs_on_default', { model: props.models.default })}</Badge>
          ) : null}
        </div>
        <div class="kai-row">
          <Button onClick={props.onEdit}>{t('common.edit')}</Button>
          <ConfirmButton kind="link" label={t('common.delete')} onConfirm={remove} busy={del.busy} testId="kai-agent-delete" />
        </div>
      </div>
      <div class="kai-small kai-muted">{t('agents.updated', { time: formatDateTime(a.updatedAt, lang) })}</div>
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
    </li>
  );
}
