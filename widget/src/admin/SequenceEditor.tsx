import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import { SEQ_WEEKDAYS, STEP_TYPES, STOP_KEYS, type Sequence, type SequenceDefinition, type Step, type StepType } from '../automation-contract.js';
import type { Translate } from '../i18n.js';
import { Button, ErrorBox, Field, Section } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction } from '../ui/hooks.js';
import { type AutomationRefs, FieldGroup, defaultsOf, IdSelect, KeySelect, NumInput, StagePicker, UnitSelect } from './automation-inputs.js';
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
export function SequenceEditor(props: { sequence: Sequence | null; refs: AutomationRefs; agents: Agent[]; onDone: () => void }) {
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

  const serverErrors: Record<string, string> = {};
  for (const e of save.error?.errors ?? []) serverErrors[e.field] = e.message;
  const problems = tried ? localSequenceErrors(form) : {};
  const fieldError = (key: string) => (problems[key] ? t(`validation.${problems[key]}`) : serverErrors[key]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(localSequenceErrors(form)).length) return;
    const input = formToSequenceInput(form);
    const seq = props.sequence;
    if (await save.run(() => (seq ? api.updateSequence(seq.id, input) : api.createSequence(input)))) props.onDone();
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
              <StepParams
                value={s}
                refs={props.refs}
                agents={props.agents}
                error={(k) => fieldError(`definition.steps.${i}${k}`)}
                onChange={(x) => setSteps(steps.map((y, j) => (j === i ? x : y)))}
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

      {save.error ? <ErrorBox error={save.error} /> : null}
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={save.busy} testId="kai-seq-save">
          {t('common.save')}
        </Button>
        <Button kind="link" onClick={props.onDone}>
          {t('common.cancel')}
        </Button>
        {props.sequence ? (
          <Button kind="danger" onClick={remove} busy={del.busy}>
            {t('common.delete')}
          </Button>
        ) : null}
      </div>
    </form>
  );
}

function StepParams(props: { value: Step; refs: AutomationRefs; agents: Agent[]; error: (suffix: string) => string | undefined; onChange: (s: Step) => void }) {
  const { t } = useWidget();
  const s = props.value;
  const set = (patch: Record<string, unknown>) => props.onChange({ ...s, ...patch } as Step);
  const f = (key: string, path: string, body: ComponentChildren) => (
    <FieldGroup label={t(`automation_admin.${key}`)} error={props.error(path ? `.${path}` : '')}>
      {body}
    </FieldGroup>
  );
  const text = (value: string, onText: (v: string) => void) => (
    <input
      class="kai-input"
      value={value}
      aria-label={t('automation_admin.text')}
      data-testid="kai-seq-step-text"
      onInput={(e) => onText((e.target as HTMLInputElement).value)}
    />
  );
  switch (s.type) {
    case 'wait':
      return (
        <span class="kai-row kai-auto__pair" data-testid="kai-seq-wait">
          <NumInput value={s.amount} label={t('automation_admin.duration')} testId="kai-seq-wait-amount" onChange={(amount) => set({ amount })} />
          <UnitSelect value={s.unit} label={t('automation_admin.unit')} onChange={(unit) => set({ unit })} />
        </span>
      );
    case 'wait_until':
      return (
        <span class="kai-row kai-auto__pair">
          <KeySelect
            value={s.weekday}
            keys={SEQ_WEEKDAYS}
            group="automation_admin.seq_weekday"
            label={t('automation_admin.seq.weekday')}
            testId="kai-seq-weekday"
            onChange={(weekday) => set({ weekday })}
          />
          <input
            class="kai-input kai-input--time"
            type="time"
            value={s.time}
            aria-label={t('automation_admin.seq.time')}
            data-testid="kai-seq-time"
            onInput={(e) => set({ time: (e.target as HTMLInputElement).value })}
          />
          <KeySelect
            value={s.timezone}
            keys={['account', 'lead'] as const}
            group="automation_admin.tz"
            label={t('automation_admin.seq.timezone')}
            onChange={(timezone) => set({ timezone })}
          />
        </span>
      );
    case 'send_email':
      return f(
        'template',
        'templateId',
        <IdSelect
          label={t('automation_admin.template')}
          value={s.templateId}
          options={props.refs.templates}
          testId="kai-seq-template"
          onChange={(id) => set({ templateId: id ?? 0 })}
        />,
      );
    case 'agent_followup':
      return (
        <div class="kai-grid">
          {f(
            'agent',
            'agentId',
            <IdSelect
              label={t('automation_admin.agent')}
              value={s.agentId}
              options={props.agents}
              none={t('automation_admin.stage_agent')}
              onChange={(id) => set({ agentId: id ?? undefined })}
            />,
          )}
          {f(
            'instruction',
            'instruction',
            text(s.instruction ?? '', (v) => set({ instruction: v })),
          )}
          {f(
            'outside_window_bot',
            'outsideWindowBotId',
            <NumInput
              value={s.outsideWindowBotId}
              label={t('automation_admin.outside_window_bot')}
              onChange={(n) => set({ outsideWindowBotId: n || undefined })}
            />,
          )}
        </div>
      );
    case 'create_task':
      return (
        <div class="kai-grid">
          {f(
            'text',
            'text',
            text(s.text, (v) => set({ text: v })),
          )}
          {f(
            'due_in_hours',
            'dueInHours',
            <NumInput value={s.dueInHours} step="any" label={t('automation_admin.due_in_hours')} onChange={(n) => set({ dueInHours: n })} />,
          )}
          {f(
            'responsible',
            'responsibleUserId',
            <IdSelect
              label={t('automation_admin.user')}
              value={s.responsibleUserId}
              options={props.refs.users}
              none={t('automation_admin.lead_responsible')}
              onChange={(id) => set({ responsibleUserId: id ?? undefined })}
            />,
          )}
        </div>
      );
    case 'move_stage':
      return f(
        'stage',
        '',
        <StagePicker
          refs={props.refs}
          pipelineId={s.pipelineId}
          statusId={s.statusId}
          onChange={(pipelineId, statusId) => set({ pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 })}
        />,
      );
    case 'add_note':
      return f(
        'text',
        'text',
        text(s.text, (v) => set({ text: v })),
      );
  }
}
