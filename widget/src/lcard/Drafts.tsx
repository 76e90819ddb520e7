import { useState } from 'preact/hooks';
import { DISCARD_REASONS, type DiscardReason, toApiError, type DraftVia, type DraftWithActions, type LeadAgentState } from '../api.js';
import { Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';
import { ActionArgsEditor, EDITABLE, type EditedAction } from './ActionArgsEditor.js';

type Draft = LeadAgentState['drafts'][number];
type Sent = DraftVia | 'none';

/**
 * Replies the agent wrote in draft mode: a person approves (optionally edited) or discards each. After an
 * approval the panel says how the reply went out; as a note it still has to be sent by hand.
 */
export function Drafts(props: { leadId: number; drafts: Draft[]; onChanged: () => void }) {
  const { t } = useWidget();
  const [sent, setSent] = useState<Sent | null>(null);
  const notice = sent ? (
    <div class={`kai-notice${sent === 'note' ? ' kai-notice--warn' : ''}`} data-testid="kai-draft-sent" data-via={sent}>
      {sent === 'none' ? t('drafts_handoff.sent_via_none') : t(`lcard.sent_via.${sent}`)}
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

function DraftItem(props: { draft: Draft; onChanged: () => void; onSent: (via: Sent) => void }) {
  const { api, t, lang } = useWidget();
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(props.draft.text);
  const proposed = (props.draft as DraftWithActions).actions ?? [];
  const [removed, setRemoved] = useState<number[]>([]);
  // Arguments a person changed before approving (by action id), and the action whose form is open.
  const [changed, setChanged] = useState<Record<number, EditedAction>>({});
  const [argsOpen, setArgsOpen] = useState<number | null>(null);
  const keptList = proposed.filter((a) => !removed.includes(a.id));
  // The ids in the order the last approval sent them: the server names a refused one by its place in that list.
  const [sentIds, setSentIds] = useState<number[]>([]);
  /** The server's word on one kept action's arguments (`actions.{i}.args`, i its place in the list sent). */
  const argsError = (id: number) => {
    const i = sentIds.indexOf(id);
    if (i < 0) return undefined;
    return action.error?.errors.find((e) => e.field === `actions.${i}.args` || e.field.startsWith(`actions.${i}.`))?.message;
  };
  const approve = async () => {
    const edited = editing && text.trim() !== props.draft.text.trim() ? text.trim() : undefined;
    // Only the actions the person kept run, with the arguments they changed; unset when the list is as proposed.
    const kept =
      removed.length || Object.keys(changed).length ? keptList.map((a) => (changed[a.id] ? { id: a.id, args: changed[a.id]!.args } : { id: a.id })) : undefined;
    setSentIds(keptList.map((a) => a.id));
    const done = await action.run(() => api.approveDraftWithActions(props.draft.id, edited, kept).catch(reloadOnConflict(props.onChanged)));
    if (done) props.onSent(done.via);
  };
  const toggle = (id: number) => setRemoved((r) => (r.includes(id) ? r.filter((x) => x !== id) : [...r, id]));
  // Discarding asks once, with an optional reason (the quality figures count them).
  const [discarding, setDiscarding] = useState(false);
  const [reason, setReason] = useState<DiscardReason | ''>('');
  const discard = async () => {
    const done = await action.run(() => api.discardDraft(props.draft.id, reason || undefined).catch(reloadOnConflict(props.onChanged)));
    if (done) props.onChanged();
  };
  const answers = props.draft.repliesTo ?? [];
  return (
    <li class="kai-list__item kai-draft" data-testid="kai-draft">
      {answers.length ? (
        <blockquote class="kai-draft__answers kai-small" data-testid="kai-draft-replies-to">
          <div class="kai-muted">{t('draft_answers.replies_to')}</div>
          {answers.map((m, i) => (
            <div key={i} class="kai-draft__answer">
              {m}
            </div>
          ))}
        </blockquote>
      ) : null}
      <GuardrailNote guardrail={props.draft.guardrail ?? null} />
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
      {props.draft.reach ? (
        <div
          class={`kai-small${props.draft.reach.via === 'note' ? ' kai-notice kai-notice--warn' : ' kai-muted'}`}
          data-testid="kai-draft-reach"
          data-via={props.draft.reach.via}
        >
          {t(`draft_answers.reach.${props.draft.reach.via}`)}
          {props.draft.reach.why ? ` ${t(`draft_answers.why.${props.draft.reach.why}`)}` : ''}
        </div>
      ) : null}
      {proposed.length ? (
        <div class="kai-draft__actions" data-testid="kai-draft-actions">
          <div class="kai-small kai-muted">{t('drafts_handoff.proposed_actions')}</div>
          <ul class="kai-list">
            {proposed.map((a) => {
              const out = removed.includes(a.id);
              const edit = changed[a.id];
              const err = out ? undefined : argsError(a.id);
              return (
                <li
                  key={a.id}
                  class="kai-list__item"
                  data-testid="kai-draft-action"
                  data-type={a.type}
                  data-removed={out ? 'true' : 'false'}
                  data-edited={edit ? 'true' : 'false'}
                >
                  <div class="kai-row kai-row--between">
                    <span class={out ? 'kai-muted' : ''}>
                      {out || edit ? <s>{a.summary}</s> : a.summary}
                      {edit && !out ? (
                        <span data-testid="kai-draft-action-edited">
                          {' '}
                          {t('action_edit.edited')} <strong>{edit.label}</strong>
                        </span>
                      ) : null}
                    </span>
                    <span class="kai-row">
                      {!out && EDITABLE.has(a.type) && argsOpen !== a.id ? (
                        <Button kind="link" onClick={() => setArgsOpen(a.id)} disabled={action.busy} testId="kai-draft-action-edit">
                          {t('action_edit.edit')}
                        </Button>
                      ) : null}
                      <Button kind="link" onClick={() => toggle(a.id)} disabled={action.busy} testId="kai-draft-action-toggle">
                        {out ? t('drafts_handoff.keep') : t('drafts_handoff.remove')}
                      </Button>
                    </span>
                  </div>
                  {argsOpen === a.id && !out ? (
                    <ActionArgsEditor
                      type={a.type}
                      input={edit?.args ?? a.input}
                      error={err}
                      onSave={(next) => {
                        setChanged((cur) => ({ ...cur, [a.id]: next }));
                        setArgsOpen(null);
                      }}
                      onCancel={() => setArgsOpen(null)}
                    />
                  ) : err ? (
                    <div class="kai-field__error" role="alert" data-testid="kai-draft-action-error">
                      {err}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      <div class="kai-row">
        <Button kind="primary" onClick={approve} busy={action.busy} disabled={editing && !text.trim()} testId="kai-approve">
          {editing ? t('lcard.send_edited') : t('lcard.approve')}
        </Button>
        {editing ? null : (
          <Button onClick={() => setEditing(true)} disabled={action.busy} testId="kai-edit">
            {t('common.edit')}
          </Button>
        )}
        {discarding ? null : (
          <Button kind="danger" onClick={() => setDiscarding(true)} disabled={action.busy} testId="kai-discard">
            {t('lcard.discard')}
          </Button>
        )}
      </div>
      {discarding ? (
        <div class="kai-row" data-testid="kai-discard-ask">
          <select
            class="kai-input"
            value={reason}
            aria-label={t('draft_answers.discard_why')}
            onChange={(e) => setReason((e.target as HTMLSelectElement).value as DiscardReason | '')}
            data-testid="kai-discard-reason"
          >
            <option value="">{t('draft_answers.discard_why')}</option>
            {DISCARD_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`draft_answers.discard_reason.${r}`)}
              </option>
            ))}
          </select>
          <Button kind="danger" onClick={discard} busy={action.busy} testId="kai-discard-confirm">
            {t('lcard.discard')}
          </Button>
          <Button kind="link" onClick={() => setDiscarding(false)} disabled={action.busy} testId="kai-discard-cancel">
            {t('common.cancel')}
          </Button>
        </div>
      ) : null}
      {/* An action's refused arguments are shown next to that action, not a second time here. */}
      {action.error && !keptList.some((a) => argsError(a.id)) ? <ErrorBox error={action.error} onRetry={action.retry} compact /> : null}
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

/** A reply a guardrail replaced: the rule, why, and what the model wrote, so a person can judge it. */
export function GuardrailNote(props: { guardrail: { rule: string; reason: string; original: string | null } | null }) {
  const { t } = useWidget();
  const g = props.guardrail;
  if (!g) return null;
  return (
    <div class="kai-notice kai-notice--warn kai-small" data-testid="kai-guardrail">
      <div>
        <strong>{t(`draft_answers.rule.${g.rule}`)}</strong>: {g.reason}
      </div>
      {g.original ? (
        <details>
          <summary>{t('draft_answers.original')}</summary>
          <div class="kai-draft__answer" data-testid="kai-guardrail-original">
            {g.original}
          </div>
        </details>
      ) : null}
    </div>
  );
}
