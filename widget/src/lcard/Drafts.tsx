import { useState } from 'preact/hooks';
import { toApiError, type DraftVia, type LeadAgentState } from '../api.js';
import { Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';

type Draft = LeadAgentState['drafts'][number];

/**
 * Replies the agent wrote in draft mode: a person approves (optionally edited) or discards each. After an
 * approval the panel says how the reply went out; as a note it still has to be sent by hand.
 */
export function Drafts(props: { leadId: number; drafts: Draft[]; onChanged: () => void }) {
  const { t } = useWidget();
  const [sent, setSent] = useState<DraftVia | null>(null);
  const notice = sent ? (
    <div class={`kai-notice${sent === 'note' ? ' kai-notice--warn' : ''}`} data-testid="kai-draft-sent" data-via={sent}>
      {t(`lcard.sent_via.${sent}`)}
    </div>
  ) : null;
  if (props.drafts.length === 0) return notice;
  return (
    <div class="kai-block" data-testid="kai-drafts">
      <div class="kai-block__title">{t('lcard.drafts', { count: props.drafts.length })}</div>
      {notice}
      <ul class="kai-list">
        {props.drafts.map((d) => (
          <DraftItem
            key={d.id}
            draft={d}
            onChanged={props.onChanged}
            onSent={(via) => {
              setSent(via);
              props.onChanged();
            }}
          />
        ))}
      </ul>
    </div>
  );
}

function DraftItem(props: { draft: Draft; onChanged: () => void; onSent: (via: DraftVia) => void }) {
  const { api, t, lang } = useWidget();
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(props.draft.text);
  const approve = async () => {
    const edited = editing && text.trim() !== props.draft.text.trim() ? text.trim() : undefined;
    const done = await action.run(() => api.approveDraft(props.draft.id, edited).catch(reloadOnConflict(props.onChanged)));
    if (done) props.onSent(done.via);
  };
  const discard = async () => {
    const done = await action.run(() => api.discardDraft(props.draft.id).catch(reloadOnConflict(props.onChanged)));
    if (done) props.onChanged();
  };
  return (
    <li class="kai-list__item kai-draft" data-testid="kai-draft">
      {editing ? (
        <textarea
          class="kai-input kai-textarea"
          rows={4}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          aria-label={t('lcard.edit_draft')}
        />
      ) : (
        <div class="kai-text">{props.draft.text}</div>
      )}
      <div class="kai-small kai-muted">{formatDateTime(props.draft.createdAt, lang)}</div>
      <div class="kai-row">
        <Button kind="primary" onClick={approve} busy={action.busy} disabled={editing && !text.trim()} testId="kai-approve">
          {editing ? t('lcard.send_edited') : t('lcard.approve')}
        </Button>
        {editing ? null : (
          <Button onClick={() => setEditing(true)} disabled={action.busy} testId="kai-edit">
            {t('common.edit')}
          </Button>
        )}
        <Button kind="danger" onClick={discard} busy={action.busy} testId="kai-discard">
          {t('lcard.discard')}
        </Button>
      </div>
      {action.error ? <ErrorBox error={action.error} onRetry={action.retry} compact /> : null}
    </li>
  );
}

/** A 409 means someone else already decided (or the item changed): show the error and reload the panel. */
export function reloadOnConflict(reload: () => void) {
  return (failure: unknown): never => {
    const err = toApiError(failure);
    if (err.status === 409) reload();
    throw err;
  };
}
