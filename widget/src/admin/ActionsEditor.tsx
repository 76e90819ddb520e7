import type { ComponentChildren } from 'preact';
import type { Agent } from '../api.js';
import { RULE_ACTION_TYPES, type RuleAction } from '../automation-contract.js';
import { Button } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import {
  type AutomationRefs,
  FieldGroup,
  DurationInput,
  defaultsOf,
  IdChecks,
  IdSelect,
  KeySelect,
  ListInput,
  NumInput,
  StagePicker,
} from './automation-inputs.js';
import { newAction } from './rule-form.js';

/** The rule's actions, in order: a kind select and that kind's parameters per row. */
export function ActionsEditor(props: {
  value: RuleAction[];
  refs: AutomationRefs;
  agents: Agent[];
  error?: (path: string) => string | undefined;
  onChange: (v: RuleAction[]) => void;
}) {
  const { t } = useWidget();
  const setAt = (i: number, a: RuleAction | null) => props.onChange(a ? props.value.map((x, j) => (j === i ? a : x)) : props.value.filter((_, j) => j !== i));
  return (
    <div data-testid="kai-rule-actions">
      <ol class="kai-auto__actions">
        {props.value.map((a, i) => (
          <li key={i} class="kai-auto__action" data-testid="kai-rule-action">
            <div class="kai-row kai-auto__row">
              <KeySelect
                value={a.type}
                keys={RULE_ACTION_TYPES}
                group="automation_admin.action"
                label={t('automation_admin.action_kind')}
                testId="kai-rule-action-type"
                onChange={(type) => setAt(i, newAction(type, defaultsOf(props.refs)))}
              />
              <Button kind="link" onClick={() => setAt(i, null)}>
                {t('common.remove')}
              </Button>
            </div>
            <ActionParams
              value={a}
              refs={props.refs}
              agents={props.agents}
              error={(k) => props.error?.(`definition.actions.${i}${k}`)}
              onChange={(x) => setAt(i, x)}
            />
          </li>
        ))}
      </ol>
      <Button testId="kai-rule-add-action" onClick={() => props.onChange([...props.value, newAction('add_note', defaultsOf(props.refs))])}>
        {t('automation_admin.add_action')}
      </Button>
    </div>
  );
}

function ActionParams(props: {
  value: RuleAction;
  refs: AutomationRefs;
  agents: Agent[];
  error: (suffix: string) => string | undefined;
  onChange: (a: RuleAction) => void;
}) {
  const { t } = useWidget();
  const a = props.value;
  const set = (patch: Record<string, unknown>) => props.onChange({ ...a, ...patch } as RuleAction);
  const f = (key: string, path: string, body: ComponentChildren, hint?: string) => (
    <FieldGroup label={t(`automation_admin.${key}`)} hint={hint} error={props.error(path ? `.${path}` : '')}>
      {body}
    </FieldGroup>
  );
  const text = (value: string, onText: (s: string) => void, multiline = false) =>
    multiline ? (
      <textarea
        class="kai-input kai-textarea"
        rows={3}
        value={value}
        data-testid="kai-rule-action-text"
        onInput={(e) => onText((e.target as HTMLTextAreaElement).value)}
      />
    ) : (
      <input
        class="kai-input"
        value={value}
        aria-label={t('automation_admin.text')}
        data-testid="kai-rule-action-text"
        onInput={(e) => onText((e.target as HTMLInputElement).value)}
      />
    );
  const user = (value: number | undefined, onUser: (id: number | undefined) => void, none: string) => (
    <IdSelect label={t('automation_admin.user')} value={value} options={props.refs.users} none={none} onChange={(id) => onUser(id ?? undefined)} />
  );
  switch (a.type) {
    case 'send_email':
      return f(
        'template',
        'templateId',
        <IdSelect
          label={t('automation_admin.template')}
          value={a.templateId}
          options={props.refs.templates}
          testId="kai-rule-template"
          onChange={(id) => set({ templateId: id ?? 0 })}
        />,
        props.refs.templates.length ? undefined : t('automation_admin.no_templates'),
      );
    case 'agent_reply':
      return f(
        'agent',
        'agentId',
        <IdSelect
          label={t('automation_admin.agent')}
          value={a.agentId}
          options={props.agents}
          none={t('automation_admin.stage_agent')}
          onChange={(id) => set({ agentId: id ?? undefined })}
        />,
      );
    case 'run_salesbot':
      return f('bot_id', 'botId', <NumInput value={a.botId || undefined} label={t('automation_admin.bot_id')} onChange={(botId) => set({ botId })} />);
    case 'add_note':
      return f(
        'text',
        'text',
        text(a.text, (s) => set({ text: s }), true),
      );
    case 'create_task':
      return (
        <div class="kai-grid">
          {f(
            'text',
            'text',
            text(a.text, (s) => set({ text: s })),
          )}
          {f(
            'due_in_hours',
            'dueInHours',
            <NumInput value={a.dueInHours} step="any" label={t('automation_admin.due_in_hours')} onChange={(n) => set({ dueInHours: n })} />,
          )}
          {f(
            'task_type',
            'taskTypeId',
            <IdSelect
              label={t('automation_admin.task_type')}
              value={a.taskTypeId}
              options={props.refs.taskTypes}
              none={t('automation_admin.default')}
              onChange={(id) => set({ taskTypeId: id ?? undefined })}
            />,
          )}
          {f(
            'responsible',
            'responsibleUserId',
            user(a.responsibleUserId, (id) => set({ responsibleUserId: id }), t('automation_admin.lead_responsible')),
          )}
        </div>
      );
    case 'move_stage':
      return f(
        'stage',
        '',
        <StagePicker
          refs={props.refs}
          pipelineId={a.pipelineId}
          statusId={a.statusId}
          testId="kai-rule-move-stage"
          onChange={(pipelineId, statusId) => set({ pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 })}
        />,
      );
    case 'set_field':
      return (
        <div class="kai-grid">
          {f(
            'field',
            'fieldId',
            <IdSelect
              label={t('automation_admin.field')}
              value={a.fieldId}
              options={props.refs.fields}
              onChange={(id) => set({ fieldId: id ?? 0, value: '' })}
            />,
          )}
          {f('value', 'value', <SetFieldValue value={a} refs={props.refs} onChange={(value) => set({ value })} />)}
        </div>
      );
    case 'add_tags':
    case 'remove_tags':
      return f('tags', 'tags', <ListInput value={a.tags} label={t('automation_admin.tags')} testId="kai-rule-tags" onChange={(tags) => set({ tags })} />);
    case 'assign':
      return f(
        'round_robin',
        'userIds',
        <IdChecks label={t('automation_admin.round_robin')} options={props.refs.users} value={a.userIds} onChange={(userIds) => set({ userIds })} />,
      );
    case 'start_sequence':
    case 'stop_sequence':
      return f(
        'sequence',
        'sequenceId',
        <IdSelect
          label={t('automation_admin.sequence')}
          value={a.sequenceId}
          options={props.refs.sequences}
          none={a.type === 'stop_sequence' ? t('automation_admin.all_sequences') : undefined}
          onChange={(id) => set({ sequenceId: id ?? (a.type === 'stop_sequence' ? undefined : 0) })}
        />,
      );
    case 'notify_user':
      return (
        <div class="kai-grid">
          {f(
            'user',
            'userId',
            user(a.userId, (id) => set({ userId: id }), t('automation_admin.lead_responsible')),
          )}
          {f(
            'text',
            'text',
            text(a.text, (s) => set({ text: s })),
          )}
        </div>
      );
    case 'pause_agent':
      return f(
        'pause_for',
        'minutes',
        <DurationInput
          minutes={a.minutes ?? 0}
          label={t('automation_admin.pause_for')}
          onChange={(minutes) => set({ minutes: minutes > 0 ? minutes : undefined })}
        />,
        t('automation_admin.pause_hint'),
      );
    case 'call_webhook':
      return f(
        'url',
        'url',
        <input
          class="kai-input kai-mono"
          type="url"
          value={a.url}
          data-testid="kai-rule-webhook"
          onInput={(e) => set({ url: (e.target as HTMLInputElement).value })}
        />,
        t('automation_admin.webhook_hint'),
      );
    default:
      return null;
  }
}

/** A select option's label for option fields, a number for numeric ones, text otherwise. */
function SetFieldValue(props: { value: Extract<RuleAction, { type: 'set_field' }>; refs: AutomationRefs; onChange: (v: string | number | string[]) => void }) {
  const { t } = useWidget();
  const field = props.refs.fields.find((x) => x.id === props.value.fieldId);
  const v = props.value.value;
  if (field?.enums?.length && field.type === 'multiselect') {
    // A multiselect takes a list of option labels.
    const chosen = Array.isArray(v) ? v : [];
    const options = field.enums.map((o) => ({ id: o.id, name: o.value }));
    return (
      <IdChecks
        label={t('automation_admin.value')}
        options={options}
        value={options.filter((o) => chosen.includes(o.name)).map((o) => o.id)}
        onChange={(ids) => props.onChange(options.filter((o) => ids.includes(o.id)).map((o) => o.name))}
      />
    );
  }
  if (field?.enums?.length)
    return (
      <select
        class="kai-input"
        value={String(v)}
        aria-label={t('automation_admin.value')}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">—</option>
        {field.enums.map((o) => (
          <option key={o.id} value={o.value}>
            {o.value}
          </option>
        ))}
      </select>
    );
  if (field && (field.type === 'numeric' || field.type === 'price'))
    return <NumInput value={typeof v === 'number' ? v : undefined} step="any" label={t('automation_admin.value')} onChange={props.onChange} />;
  return (
    <input class="kai-input" value={String(v)} aria-label={t('automation_admin.value')} onInput={(e) => props.onChange((e.target as HTMLInputElement).value)} />
  );
}
