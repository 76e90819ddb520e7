import type { ComponentChildren } from 'preact';
import type { Agent } from '../api.js';
import { SEQ_WEEKDAYS } from '../automation-contract.js';
import { useWidget } from '../ui/context.js';
import {
  type AutomationRefs,
  DurationInput,
  FieldGroup,
  IdChecks,
  IdSelect,
  KeySelect,
  ListInput,
  NumInput,
  StagePicker,
  UnitSelect,
} from './automation-inputs.js';
import type { DurationUnit } from './rule-form.js';

/** A rule action or a sequence step: a kind and its parameters. */
type Params = { type: string } & Record<string, unknown>;

/** The inputs each action or step kind has, in order; optional ones are listed so they show while unset. */
const INPUTS: Record<string, string[]> = {
  send_email: ['templateId'],
  agent_reply: ['agentId'],
  run_salesbot: ['botId'],
  add_note: ['note'],
  create_task: ['text', 'dueInHours', 'taskTypeId', 'responsibleUserId'],
  move_stage: ['stage'],
  set_field: ['fieldId', 'value'],
  add_tags: ['tags'],
  remove_tags: ['tags'],
  assign: ['userIds'],
  start_sequence: ['sequenceId'],
  stop_sequence: ['sequenceId'],
  notify_user: ['userId', 'text'],
  pause_agent: ['minutes'],
  call_webhook: ['url'],
  wait: ['wait'],
  wait_until: ['waitUntil'],
  agent_followup: ['agentId', 'instruction', 'outsideWindowBotId'],
};

/** Each input's label (under automation_admin.) and the API field its server errors name. */
const META: Record<string, [label: string, path: string]> = {
  templateId: ['template', 'templateId'],
  agentId: ['agent', 'agentId'],
  botId: ['bot_id', 'botId'],
  note: ['text', 'text'],
  text: ['text', 'text'],
  dueInHours: ['due_in_hours', 'dueInHours'],
  taskTypeId: ['task_type', 'taskTypeId'],
  responsibleUserId: ['responsible', 'responsibleUserId'],
  stage: ['stage', ''],
  fieldId: ['field', 'fieldId'],
  value: ['value', 'value'],
  tags: ['tags', 'tags'],
  userIds: ['round_robin', 'userIds'],
  sequenceId: ['sequence', 'sequenceId'],
  userId: ['user', 'userId'],
  minutes: ['pause_for', 'minutes'],
  url: ['url', 'url'],
  wait: ['duration', 'amount'],
  waitUntil: ['step.wait_until', 'time'],
  instruction: ['instruction', 'instruction'],
  outsideWindowBotId: ['outside_window_bot', 'outsideWindowBotId'],
};

/**
 * The parameters of one rule action or sequence step, one labelled input per parameter, with pickers for ids.
 * `omit` leaves inputs out (a sequence's task has no task type); `testId` prefixes the inputs' test ids.
 */
export function ParamFields(props: {
  value: Params;
  refs: AutomationRefs;
  agents: Agent[];
  omit?: string[];
  testId: string;
  error: (suffix: string) => string | undefined;
  onChange: (p: Params) => void;
}) {
  const { t } = useWidget();
  const p = props.value;
  const set = (patch: Record<string, unknown>) => props.onChange({ ...p, ...patch });
  const id = (name: string) => `${props.testId}-${name}`;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '');
  const text = (k: string, multiline: boolean) => {
    const attrs = { class: 'kai-input', value: str(k), 'aria-label': t('automation_admin.text'), 'data-testid': id('text') };
    const onInput = (e: Event) => set({ [k]: (e.target as HTMLInputElement).value });
    return multiline ? <textarea {...attrs} class="kai-input kai-textarea" rows={3} onInput={onInput} /> : <input {...attrs} onInput={onInput} />;
  };
  const pick = (k: string, options: { id: number; name: string }[], none?: string, testId?: string) => (
    <IdSelect
      label={t(`automation_admin.${META[k]![0]}`)}
      value={num(k)}
      options={options}
      none={none}
      testId={testId}
      onChange={(v) => set({ [k]: v ?? (none === undefined ? 0 : undefined) })}
    />
  );
  const input = (k: string): [ComponentChildren, string?] | null => {
    switch (k) {
      case 'templateId':
        return [pick(k, props.refs.templates, undefined, id('template')), props.refs.templates.length ? undefined : t('automation_admin.no_templates')];
      case 'agentId':
        return [pick(k, props.agents, t('automation_admin.stage_agent'))];
      case 'taskTypeId':
        return [pick(k, props.refs.taskTypes, t('automation_admin.default'))];
      case 'responsibleUserId':
      case 'userId':
        return [pick(k, props.refs.users, t('automation_admin.lead_responsible'))];
      case 'sequenceId':
        return [pick(k, props.refs.sequences, p.type === 'stop_sequence' ? t('automation_admin.all_sequences') : undefined)];
      case 'fieldId':
        return [pick(k, props.refs.fields)];
      case 'note':
        return [text('text', true)];
      case 'text':
      case 'instruction':
        return [text(k, false)];
      case 'botId':
      case 'outsideWindowBotId':
      case 'dueInHours':
        // An unset bot id shows empty, not 0; a due time of 0 hours is a real value.
        return [
          <NumInput
            key={k}
            value={k === 'dueInHours' ? num(k) : num(k) || undefined}
            step="any"
            label={t(`automation_admin.${META[k]![0]}`)}
            onChange={(n) => set({ [k]: n })}
          />,
        ];
      case 'stage':
        return [
          <StagePicker
            key={k}
            refs={props.refs}
            pipelineId={num('pipelineId')}
            statusId={num('statusId')}
            testId={id('stage')}
            onChange={(pipelineId, statusId) => set({ pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 })}
          />,
        ];
      case 'value':
        return [<SetFieldValue key={k} value={p.value} fieldId={num('fieldId')} refs={props.refs} onChange={(value) => set({ value })} />];
      case 'tags':
        return [<ListInput key={k} value={p.tags as string[]} label={t('automation_admin.tags')} testId={id('tags')} onChange={(tags) => set({ tags })} />];
      case 'userIds':
        return [
          <IdChecks
            key={k}
            label={t('automation_admin.round_robin')}
            options={props.refs.users}
            value={p.userIds as number[]}
            onChange={(userIds) => set({ userIds })}
          />,
        ];
      case 'minutes':
        return [
          <DurationInput key={k} minutes={num(k) ?? 0} label={t('automation_admin.pause_for')} onChange={(m) => set({ minutes: m > 0 ? m : undefined })} />,
          t('automation_admin.pause_hint'),
        ];
      case 'url':
        return [
          <input
            key={k}
            class="kai-input kai-mono"
            type="url"
            value={str(k)}
            aria-label={t('automation_admin.url')}
            data-testid={id('webhook')}
            onInput={(e) => set({ url: (e.target as HTMLInputElement).value })}
          />,
          t('automation_admin.webhook_hint'),
        ];
      case 'wait':
        return [
          <span key={k} class="kai-row kai-auto__pair" data-testid={id('wait')}>
            <NumInput value={num('amount')} label={t('automation_admin.duration')} testId={id('wait-amount')} onChange={(amount) => set({ amount })} />
            <UnitSelect value={p.unit as DurationUnit} label={t('automation_admin.unit')} onChange={(unit) => set({ unit })} />
          </span>,
        ];
      case 'waitUntil':
        return [
          <span key={k} class="kai-row kai-auto__pair">
            <KeySelect
              value={str('weekday')}
              keys={SEQ_WEEKDAYS}
              group="automation_admin.seq_weekday"
              label={t('automation_admin.seq.weekday')}
              testId={id('weekday')}
              onChange={(weekday) => set({ weekday })}
            />
            <input
              class="kai-input kai-input--time"
              type="time"
              value={str('time')}
              aria-label={t('automation_admin.seq.time')}
              data-testid={id('time')}
              onInput={(e) => set({ time: (e.target as HTMLInputElement).value })}
            />
            <KeySelect
              value={str('timezone') as 'account' | 'lead'}
              keys={['account', 'lead'] as const}
              group="automation_admin.tz"
              label={t('automation_admin.seq.timezone')}
              onChange={(timezone) => set({ timezone })}
            />
          </span>,
        ];
      default:
        return null;
    }
  };
  const keys = (INPUTS[p.type] ?? []).filter((k) => !props.omit?.includes(k));
  return (
    <div class="kai-grid">
      {keys.map((k) => {
        const [body, hint] = input(k) ?? [null];
        return (
          <FieldGroup
            key={k}
            label={t(`automation_admin.${META[k]![0]}`)}
            hint={hint}
            error={props.error(META[k]![1] ? `.${META[k]![1]}` : '')}
            wide={k === 'note' || k === 'userIds'}
          >
            {body}
          </FieldGroup>
        );
      })}
    </div>
  );
}

/** A select field takes an option's label, a multiselect a list of labels, a number field a number, others text. */
function SetFieldValue(props: { value: unknown; fieldId: number | undefined; refs: AutomationRefs; onChange: (v: string | number | string[]) => void }) {
  const { t } = useWidget();
  const field = props.refs.fields.find((x) => x.id === props.fieldId);
  const v = props.value;
  const label = t('automation_admin.value');
  const options = (field?.enums ?? []).map((o) => ({ id: o.id, name: o.value }));
  if (options.length && field?.type === 'multiselect') {
    const chosen = Array.isArray(v) ? v : [];
    return (
      <IdChecks
        label={label}
        options={options}
        value={options.filter((o) => chosen.includes(o.name)).map((o) => o.id)}
        onChange={(ids) => props.onChange(options.filter((o) => ids.includes(o.id)).map((o) => o.name))}
      />
    );
  }
  if (options.length)
    return (
      <select class="kai-input" value={String(v)} aria-label={label} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={o.id} value={o.name}>
            {o.name}
          </option>
        ))}
      </select>
    );
  if (field && (field.type === 'numeric' || field.type === 'price'))
    return <NumInput value={typeof v === 'number' ? v : undefined} step="any" label={label} onChange={props.onChange} />;
  return <input class="kai-input" value={String(v ?? '')} aria-label={label} onInput={(e) => props.onChange((e.target as HTMLInputElement).value)} />;
}
