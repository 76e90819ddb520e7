import { useState } from 'preact/hooks';
import type { AutomationSequence, Enrollment, EnrollmentAction, EnrollmentStatus } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge, Button, ErrorBox, Spinner, ConfirmButton } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';

const tone: Record<EnrollmentStatus, 'ok' | 'warn' | 'muted' | 'info'> = { active: 'ok', paused: 'warn', stopped: 'muted', completed: 'info' };
/** Enough to see what happened lately without crowding the card. */
const SHOWN = 5;

/** The lead's sequence enrollments (newest first) with pause, resume and stop, and the form that enrolls it. */
export function Enrollments(props: {
  leadId: number;
  /** Null until the account's sequences are loaded: the enroll form waits for them. */
  sequences: AutomationSequence[] | null;
  version?: number;
  onChanged: () => void;
}) {
  const { api, t } = useWidget();
  const list = useLoad(() => api.leadEnrollments(props.leadId), [props.leadId, props.version ?? 0]);
  // The panel bumps `version` on a change, which reads this list (and the lead's activity) again.
  const changed = props.onChanged;
  const items = (list.data?.items ?? []).slice(0, SHOWN);
  return (
    <div class="kai-automation__group" data-testid="kai-enrollments">
      <div class="kai-small kai-muted">{t('automation_lcard.enrollments')}</div>
      {list.loading && !list.data ? <Spinner /> : null}
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} compact /> : null}
      {list.data && items.length === 0 ? <div class="kai-muted kai-small">{t('automation_lcard.no_enrollments')}</div> : null}
      {items.length ? (
        <ul class="kai-list">
          {items.map((e) => (
            <EnrollmentItem key={e.id} enrollment={e} onChanged={changed} />
          ))}
        </ul>
      ) : null}
      {props.sequences ? <EnrollForm leadId={props.leadId} sequences={props.sequences} onEnrolled={changed} /> : null}
    </div>
  );
}

function EnrollmentItem(props: { enrollment: Enrollment; onChanged: () => void }) {
  const { api, t, lang } = useWidget();
  const control = useAction();
  const e = props.enrollment;
  const live = e.status === 'active' || e.status === 'paused';
  const run = async (action: EnrollmentAction) => {
    if (await control.run(() => api.controlEnrollment(e.id, action))) props.onChanged();
  };
  return (
    <li class="kai-list__item" data-testid="kai-enrollment" data-id={e.id} data-status={e.status}>
      <div class="kai-row kai-row--between">
        <span class="kai-text">{e.sequenceName ?? `#${e.sequenceId}`}</span>
        <Badge tone={tone[e.status]}>{labelOf(t, 'automation_lcard.status', e.status)}</Badge>
      </div>
      {live && e.steps !== null && e.nextStep ? (
        <div class="kai-small kai-muted">
          {t('automation_lcard.step_of', { step: e.step + 1, total: e.steps, type: labelOf(t, 'automation_lcard.step', e.nextStep) })}
        </div>
      ) : null}
      {e.status === 'active' && e.nextRunAt ? (
        <div class="kai-small kai-muted">{t('automation_lcard.next_at', { time: formatDateTime(e.nextRunAt, lang) })}</div>
      ) : null}
      {e.status === 'stopped' && e.stopReason ? <div class="kai-small kai-muted">{labelOf(t, 'automation_lcard.stop_reason', e.stopReason)}</div> : null}
      {live ? (
        <div class="kai-row">
          {e.status === 'active' ? (
            <Button onClick={() => run('pause')} busy={control.busy} testId="kai-enrollment-pause">
              {t('automation_lcard.pause')}
            </Button>
          ) : (
            <Button kind="primary" onClick={() => run('resume')} busy={control.busy} testId="kai-enrollment-resume">
              {t('automation_lcard.resume')}
            </Button>
          )}
          <ConfirmButton
            label={t('automation_lcard.stop')}
            confirmLabel={t('confirm.stop')}
            onConfirm={() => run('stop')}
            busy={control.busy}
            testId="kai-enrollment-stop"
          />
        </div>
      ) : null}
      {control.error ? <ErrorBox error={control.error} onRetry={control.retry} compact /> : null}
    </li>
  );
}

function EnrollForm(props: { leadId: number; sequences: AutomationSequence[]; onEnrolled: () => void }) {
  const { api, t } = useWidget();
  const enroll = useAction();
  const [choice, setChoice] = useState('');
  const enabled = props.sequences.filter((s) => s.enabled);
  const submit = async () => {
    const sequenceId = Number(choice);
    if (!sequenceId) return;
    if (await enroll.run(() => api.enrollLead(props.leadId, sequenceId))) {
      setChoice('');
      props.onEnrolled();
    }
  };
  // A 409 is the backend saying why this lead cannot go into this sequence: our own title, its reason below.
  const refused = enroll.error?.code === 'CONFLICT' ? t('automation_lcard.enroll_refused') : undefined;
  return (
    <div class="kai-automation__enroll" data-testid="kai-enroll">
      <div class="kai-row">
        <select
          class="kai-input"
          aria-label={t('automation_lcard.enroll')}
          value={choice}
          disabled={enabled.length === 0}
          onChange={(ev) => {
            setChoice((ev.target as HTMLSelectElement).value);
            enroll.clear();
          }}
          data-testid="kai-enroll-select"
        >
          <option value="">{enabled.length ? t('automation_lcard.enroll_choose') : t('automation_lcard.enroll_none')}</option>
          {enabled.map((s) => (
            <option key={s.id} value={String(s.id)}>
              {s.name}
            </option>
          ))}
        </select>
        <Button kind="primary" onClick={submit} busy={enroll.busy} disabled={!choice} testId="kai-enroll-submit">
          {t('automation_lcard.enroll_button')}
        </Button>
      </div>
      {enroll.error ? <ErrorBox error={enroll.error} title={refused} onRetry={refused ? undefined : enroll.retry} compact /> : null}
    </div>
  );
}
