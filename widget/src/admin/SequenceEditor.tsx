import { useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import { STEP_TYPES, STOP_KEYS, type Sequence, type SequenceDefinition, type Step, type StepType } from '../automation-contract.js';
import type { Translate } from '../i18n.js';
import { Button, ErrorBox, Field, Section, ConfirmButton, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { fieldErrors, useAction } from '../ui/hooks.js';
import { type AutomationRefs, defaultsOf, FieldGroup, KeySelect, StagePicker } from './automation-inputs.js';
import { ParamFields } from './ParamFields.js';
import {
  formToSequenceInput,
  localSequenceErrors,
  moveStep,
  newSequenceForm,
  newStep,
  type SequenceForm,
  sequenceToForm,
  type TimelinePoint,
  timeline,
} from './sequence-form.js';

/** "Day 2", "Day 0 +3 h 30 min", "Day 2 09:00", "Day 3+ Mon 09:00". */
export function pointText(t: Translate, p: TimelinePoint): string {
  const day = t('automation_admin.seq.day', { n: p.day });
  if (p.at) return p.weekday ? `${day}+ ${t(`weekday.${p.weekday}`)} ${p.at}` : `${day} ${p.at}`;
  if (!p.minutes) return day;
  const h = Math.floor(p.minutes / 60);
  const m = p.minutes % 60;
  const parts = [h ? `${h} ${t('automation_admin.units.hours')}` : '', m ? `${m} ${t('automation_admin.units.minutes')}` : ''];
  return `${day} +${parts.filter(Boolean).join(' ')}`;
}

/** The sequence builder: steps on a vertical timeline with when each runs, stop conditions and the send window. */
export function SequenceEditor(props: { sequence: Sequence | null; refs: AutomationRefs; agents: Agent[]; onDone: (saved?: boolean) => void }) {
  const { api, t } = useWidget();
  const [form, setForm] = useState<SequenceForm>(() => (props.sequence ? sequenceToForm(props.sequence) : newSequenceForm()));
  const [adding, setAdding] = useState<StepType>('send_email');
  const [tried, setTried] = useState(false);
  const save = useAction();
  const del = useAction();
  const set = (patch: Partial<SequenceForm>) => setForm((cur) => ({ ...cur, ...patch }));
  const setDef = (patch: Partial<SequenceDefinition>) => setForm((cur) => ({ ...cur, definition: { ...cur.definition, ...patch } }));
  const steps = form.definition.steps;
  const setSteps = (next: Step[]) => setDef({ steps: next });
  const points = timeline(steps);

  const fieldError = fieldErrors(t, save.error, tried ? localSequenceErrors(form) : {});

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(localSequenceErrors(form)).length) return;
    const input = formToSequenceInput(form);
    const seq = props.sequence;
    if (await save.run(() => (seq ? api.updateSequence(seq.id, input) : api.createSequence(input)))) props.onDone(true);
  };
  const remove = async () => {
    const seq = props.sequence;
    if (seq && (await del.run(() => api.deleteSequence(seq.id).then(() => true)))) props.onDone();
  };
  const win = form.definition.sendWindow;

  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-sequence-editor" noValidate>
      <Section title={props.sequence ? t('automation_admin.seq.edit_title', { name: props.sequence.name }) : t('automation_admin.seq.new_title')}>
        <div class="kai-grid">
          <Field label={t('automation_admin.name')} error={fieldError('name')}>
            <input class="kai-input" value={form.name} data-testid="kai-seq-name" onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />
          </Field>
          <FieldGroup label={t('automation_admin.seq.stage')} hint={t('automation_admin.seq.stage_hint')} error={fieldError('pipelineId')}>
            <StagePicker
              refs={props.refs}
              pipelineId={form.pipelineId}
              statusId={form.statusId}
              anyPipeline
              anyStage
              onChange={(pipelineId, statusId) => set({ pipelineId, statusId })}
            />
          </FieldGroup>
          <label class="kai-check">
            <input type="checkbox" checked={form.enabled} onChange={() => set({ enabled: !form.enabled })} />
            <span>{t('automation_admin.enabled')}</span>
          </label>
        </div>
      </Section>

      <Section title={t('automation_admin.seq.steps')}>
        <p class="kai-small kai-muted">{t('automation_admin.seq.timeline_hint')}</p>
        {fieldError('definition.steps') ? <div class="kai-field__error">{fieldError('definition.steps')}</div> : null}
        <ol class="kai-timeline" data-testid="kai-seq-timeline">
          {steps.map((s, i) => (
            <li
              key={i}
              class={`kai-timeline__item${s.type === 'wait' || s.type === 'wait_until' ? ' kai-timeline__item--wait' : ''}`}
              data-testid="kai-seq-step"
            >
              <div class="kai-row kai-row--between">
                <span class="kai-row">
                  <span class="kai-timeline__when" data-testid="kai-seq-when">
                    {s.type === 'wait' || s.type === 'wait_until' ? '→ ' : ''}
                    {pointText(t, points[i]!)}
                  </span>
                  <KeySelect
                    value={s.type}
                    keys={STEP_TYPES}
                    group="automation_admin.step"
                    label={t('automation_admin.seq.step_kind')}
                    testId="kai-seq-step-type"
                    onChange={(type) => setSteps(steps.map((x, j) => (j === i ? newStep(type, defaultsOf(props.refs)) : x)))}
                  />
                </span>
                <span class="kai-row">
                  <Button kind="link" disabled={i === 0} onClick={() => setSteps(moveStep(steps, i, -1))} title={t('automation_admin.seq.up')}>
                    ↑
                  </Button>
                  <Button kind="link" disabled={i === steps.length - 1} onClick={() => setSteps(moveStep(steps, i, 1))} title={t('automation_admin.seq.down')}>
                    ↓
                  </Button>
                  <Button kind="link" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                    {t('common.remove')}
                  </Button>
                </span>
              </div>
              <ParamFields
                value={s}
                refs={props.refs}
                agents={props.agents}
                omit={['taskTypeId']}
                testId="kai-seq"
                error={(k) => fieldError(`definition.steps.${i}${k}`)}
                onChange={(x) => setSteps(steps.map((y, j) => (j === i ? (x as Step) : y)))}
              />
            </li>
          ))}
        </ol>
        <div class="kai-row kai-auto__row">
          <KeySelect
            value={adding}
            keys={STEP_TYPES}
            group="automation_admin.step"
            label={t('automation_admin.seq.step_kind')}
            testId="kai-seq-add-type"
            onChange={setAdding}
          />
          <Button testId="kai-seq-add" onClick={() => setSteps([...steps, newStep(adding, defaultsOf(props.refs))])}>
            {t('automation_admin.seq.add_step')}
          </Button>
        </div>
      </Section>

      <Section title={t('automation_admin.seq.stop_on')}>
        <div class="kai-row kai-row--wrap" data-testid="kai-seq-stop">
          {STOP_KEYS.map((k) => (
            <label key={k} class="kai-check kai-check--inline">
              <input
                type="checkbox"
                checked={form.definition.stopOn[k]}
                onChange={() => setDef({ stopOn: { ...form.definition.stopOn, [k]: !form.definition.stopOn[k] } })}
              />
              <span>{t(`automation_admin.stop.${k}`)}</span>
            </label>
          ))}
        </div>
        <p class="kai-small kai-muted">{t('automation_admin.seq.unsubscribe_hint')}</p>
      </Section>

      <Section title={t('automation_admin.seq.send_window')}>
        <div class="kai-grid">
          <label class="kai-check">
            <input
              type="checkbox"
              checked={win.workingHoursOnly}
              onChange={() => setDef({ sendWindow: { ...win, workingHoursOnly: !win.workingHoursOnly } })}
            />
            <span>{t('automation_admin.seq.working_hours_only')}</span>
          </label>
          <label class="kai-check">
            <input
              type="checkbox"
              checked={win.quietHours !== null}
              data-testid="kai-seq-quiet"
              onChange={() => setDef({ sendWindow: { ...win, quietHours: win.quietHours ? null : { from: '21:00', to: '08:00' } } })}
            />
            <span>{t('automation_admin.seq.quiet_hours')}</span>
          </label>
          {win.quietHours ? (
            <span class="kai-row kai-auto__pair">
              <input
                class="kai-input kai-input--time"
                type="time"
                value={win.quietHours.from}
                aria-label={t('automation_admin.seq.quiet_from')}
                onInput={(e) => setDef({ sendWindow: { ...win, quietHours: { ...win.quietHours!, from: (e.target as HTMLInputElement).value } } })}
              />
              –
              <input
                class="kai-input kai-input--time"
                type="time"
                value={win.quietHours.to}
                aria-label={t('automation_admin.seq.quiet_to')}
                onInput={(e) => setDef({ sendWindow: { ...win, quietHours: { ...win.quietHours!, to: (e.target as HTMLInputElement).value } } })}
              />
            </span>
          ) : null}
          <Field label={t('automation_admin.seq.timezone')}>
            <KeySelect
              value={win.timezone}
              keys={['account', 'lead'] as const}
              group="automation_admin.tz"
              label={t('automation_admin.seq.timezone')}
              onChange={(timezone) => setDef({ sendWindow: { ...win, timezone } })}
            />
          </Field>
        </div>
      </Section>

      <FormError error={save.error} fields={['name', 'pipelineId', 'definition.steps']} shown={fieldError.shown} />
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={save.busy} testId="kai-seq-save">
          {t('common.save')}
        </Button>
        <Button kind="link" onClick={() => props.onDone()}>
          {t('common.cancel')}
        </Button>
        {props.sequence ? <ConfirmButton label={t('common.delete')} onConfirm={remove} busy={del.busy} testId="kai-seq-delete" /> : null}
      </div>
    </form>
  );
}
