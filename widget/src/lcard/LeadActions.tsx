import type { LeadActionStatus, LeadAgentState } from '../api.js';
import { Badge, Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';
import { reloadOnConflict } from './Drafts.js';
import { labelOf } from '../i18n.js';
import { useMe } from '../ui/roles.js';

type LeadAction = LeadAgentState['actions'][number];

const tone: Record<LeadActionStatus, 'ok' | 'muted' | 'bad' | 'warn'> = {
  done: 'ok',
  undone: 'muted',
  failed: 'bad',
  pending_approval: 'warn',
};

/** What the agent did in the CRM on this lead, newest first, each with Undo while it can be undone. */
export function LeadActions(props: { actions: LeadAction[]; onChanged: () => void }) {
  const { t } = useWidget();
  const actions = props.actions.slice(0, 8);
  return (
    <div class="kai-block" data-testid="kai-actions">
      <div class="kai-block__title">{t('lcard.actions')}</div>
      {actions.length === 0 ? (
        <div class="kai-muted kai-small">{t('lcard.no_actions')}</div>
      ) : (
        <ul class="kai-list">
          {actions.map((a) => (
            <ActionItem key={a.id} action={a} onChanged={props.onChanged} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ActionItem(props: { action: LeadAction; onChanged: () => void }) {
  const { api, t, lang } = useWidget();
  const undo = useAction();
  // A risky action waits for an admin: others see that it waits, not a button the server would refuse.
  const { isAdmin } = useMe();
  const a = props.action;
  // Undo and approve share one busy/error state: one request per item at a time.
  const onUndo = async () => {
    if (await undo.run(() => api.undoAction(a.id).catch(reloadOnConflict(props.onChanged)))) props.onChanged();
  };
  const onApprove = async () => {
    if (await undo.run(() => api.approveAction(a.id).catch(reloadOnConflict(props.onChanged)))) props.onChanged();
  };
  return (
    <li class="kai-list__item" data-testid="kai-action">
      <div class="kai-row kai-row--between">
        <span class="kai-text">{a.summary}</span>
        <Badge tone={tone[a.status]}>{t(`action_status.${a.status}`)}</Badge>
      </div>
      <div class="kai-row kai-row--between">
        <span class="kai-small kai-muted">
          {labelOf(t, 'action_type', a.type)} · {formatDateTime(a.createdAt, lang)}
        </span>
        {a.undoable && a.status === 'done' ? (
          <Button kind="link" onClick={onUndo} busy={undo.busy} testId="kai-undo">
            {t('lcard.undo')}
          </Button>
        ) : null}
        {a.status === 'pending_approval' && isAdmin ? (
          <Button kind="primary" onClick={onApprove} busy={undo.busy} testId="kai-action-approve">
            {t('lcard.approve_action')}
          </Button>
        ) : null}
        {a.status === 'pending_approval' && !isAdmin ? (
          <span class="kai-small kai-muted" data-testid="kai-action-awaits-admin">
            {t('roles.awaits_admin')}
          </span>
        ) : null}
      </div>
      {undo.error ? <ErrorBox error={undo.error} onRetry={undo.retry} compact /> : null}
    </li>
  );
}
