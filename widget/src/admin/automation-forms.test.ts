import { describe, expect, it } from 'vitest';
import * as rulesSchema from '../../../server/modules/rules/rules.schemas.js';
import * as seqSchema from '../../../server/modules/sequences/sequences.schemas.js';
import {
  CONDITION_KINDS,
  type Condition,
  type ConditionLeaf,
  FIELD_OPS,
  INTENTS,
  RULE_ACTION_TYPES,
  type Rule,
  type RuleAction,
  SEQ_WEEKDAYS,
  STEP_TYPES,
  STOP_KEYS,
  type Step,
  TRIGGER_TYPES,
  type Trigger,
} from '../automation-contract.js';
import {
  cleanLeaf,
  cleanTrigger,
  conditionsToGroups,
  formToInput,
  groupsToConditions,
  localRuleErrors,
  newAction,
  newCondition,
  newRuleForm,
  newTrigger,
  ruleToForm,
  splitMinutes,
} from './rule-form.js';
import { formToSequenceInput, localSequenceErrors, moveStep, newSequenceForm, newStep, timeline } from './sequence-form.js';

const D = { pipelineId: 10, statusId: 11, fieldId: 20, userId: 30, templateId: 40, sequenceId: 50 };

describe('automation builder kinds', () => {
  it("are exactly the server schema's triggers, conditions, operators, actions, intents, steps and stop conditions", () => {
    expect([...TRIGGER_TYPES]).toEqual([...rulesSchema.TRIGGER_TYPES]);
    expect([...INTENTS]).toEqual([...rulesSchema.INTENTS]);
    expect([...FIELD_OPS]).toEqual([...rulesSchema.FIELD_OPS]);
    expect([...RULE_ACTION_TYPES]).toEqual([...rulesSchema.ACTION_TYPES]);
    expect([...STEP_TYPES]).toEqual([...seqSchema.STEP_TYPES]);
    expect([...SEQ_WEEKDAYS]).toEqual([...seqSchema.WEEKDAYS]);
    expect([...STOP_KEYS].sort()).toEqual(Object.keys(seqSchema.stopOnSchema.shape).sort());
    // Every condition kind the builder offers makes a leaf the server accepts (and there is no other kind).
    for (const kind of CONDITION_KINDS) expect(rulesSchema.conditionSchema.safeParse(cleanLeaf(filledLeaf(kind))).success, kind).toBe(true);
    expect(rulesSchema.conditionSchema.safeParse({ kind: 'nope' }).success).toBe(false);
  });

  it('gives every trigger defaults the server accepts once its picker has a value', () => {
    for (const type of TRIGGER_TYPES) {
      const t = cleanTrigger(newTrigger(type, D));
      expect(rulesSchema.triggerSchema.safeParse(t).success, type).toBe(true);
    }
    expect(newTrigger('no_client_reply_for')).toEqual({ type: 'no_client_reply_for', minutes: 1440 });
    expect(newTrigger('schedule')).toEqual({ type: 'schedule', cron: '0 9 * * 1-5' });
  });

  it('gives every action a row the server accepts once its text inputs are filled', () => {
    for (const type of RULE_ACTION_TYPES) {
      const a = fill(newAction(type, D));
      const input = formToInput({ ...newRuleForm(D), name: 'x', actions: [a] });
      const parsed = rulesSchema.createRuleSchema.safeParse(input);
      expect(parsed.success, `${type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });
});

describe('rule form ↔ JSON', () => {
  it('maps a rule with every part filled to the exact definition JSON, and back', () => {
    const rule: Rule = {
      id: 1,
      name: 'Silent lead',
      enabled: true,
      pipelineId: 10,
      statusId: 11,
      version: 3,
      createdAt: '',
      updatedAt: '',
      definition: {
        trigger: { type: 'message_received', channels: ['whatsapp'], keywords: ['price', 'cost'], regex: 'disc(ou)?nt', intents: ['pricing_question'] },
        conditions: {
          all: [
            {
              any: [
                { kind: 'field', fieldId: 20, op: 'eq', value: 'VIP' },
                { kind: 'price', op: 'between', value: 100, max: 500 },
              ],
            },
            { kind: 'working_hours', inside: true },
          ],
        },
        actions: [
          { type: 'send_email', templateId: 40 },
          { type: 'assign', userIds: [30, 31] },
          { type: 'create_task', text: 'Call back', dueInHours: 0 },
          { type: 'call_webhook', url: 'https://hooks.example.com/x' },
        ],
        perLeadPerHour: 5,
      },
    };
    const form = ruleToForm(rule);
    expect(form.conditions).toEqual({
      mode: 'all',
      groups: [
        {
          mode: 'any',
          rows: rule.definition.conditions && 'all' in rule.definition.conditions ? (rule.definition.conditions.all[0] as { any: Condition[] }).any : [],
        },
        { mode: 'all', rows: [{ kind: 'working_hours', inside: true }] },
      ],
    });
    const back = formToInput(form);
    expect(back).toEqual({ name: rule.name, enabled: true, pipelineId: 10, statusId: 11, definition: rule.definition });
    expect(rulesSchema.createRuleSchema.parse(back)).toEqual(back);
  });

  it('round-trips condition trees: none, a leaf, one group, groups of groups; deeper groups are kept as they are', () => {
    const leafA = { kind: 'tags' as const, op: 'has' as const, tag: 'vip' };
    const leafB = { kind: 'agent' as const, state: 'paused' as const };
    const deep: Condition = { any: [{ all: [leafA, { any: [leafB, leafA] }] }, leafB] };
    for (const c of [undefined, leafA, { all: [leafA, leafB] }, { any: [leafA, leafB] }, { any: [{ all: [leafA, leafB] }, leafB] }, deep] as (
      | Condition
      | undefined
    )[]) {
      expect(groupsToConditions(conditionsToGroups(c)), JSON.stringify(c)).toEqual(c);
    }
    expect(conditionsToGroups(deep).groups[0]!.rows[1]).toEqual({ nested: { any: [leafB, leafA] } });
    // Empty groups are dropped, a single-row group is its row.
    expect(
      groupsToConditions({
        mode: 'any',
        groups: [
          { mode: 'all', rows: [] },
          { mode: 'any', rows: [leafA] },
        ],
      }),
    ).toEqual({ any: [leafA] });
  });

  it('sends only what the chosen operator reads, and leaves out empty trigger filters and unset optional ids', () => {
    expect(cleanLeaf({ kind: 'field', fieldId: 1, op: 'empty', value: 'x', values: ['y'], min: 1 })).toEqual({ kind: 'field', fieldId: 1, op: 'empty' });
    expect(cleanLeaf({ kind: 'field', fieldId: 1, op: 'in', value: 'x', values: [3, 4] })).toEqual({ kind: 'field', fieldId: 1, op: 'in', values: [3, 4] });
    expect(cleanLeaf({ kind: 'field', fieldId: 1, op: 'between', value: 'x', min: 1, max: 9 })).toEqual({
      kind: 'field',
      fieldId: 1,
      op: 'between',
      min: 1,
      max: 9,
    });
    expect(cleanLeaf({ kind: 'price', op: 'gt', value: 5, max: 9 })).toEqual({ kind: 'price', op: 'gt', value: 5 });
    expect(cleanTrigger({ type: 'message_received', channels: [], keywords: [], regex: ' ', intents: [] })).toEqual({ type: 'message_received' });
    expect(cleanTrigger({ type: 'tag_added', tag: ' ' })).toEqual({ type: 'tag_added' });
    expect(cleanTrigger({ type: 'stage_entered', pipelineId: 10, statusId: undefined } as Trigger)).toEqual({ type: 'stage_entered', pipelineId: 10 });
    const input = formToInput({
      ...newRuleForm(D),
      name: '  Trim me ',
      pipelineId: null,
      statusId: 11,
      actions: [
        { type: 'agent_reply', agentId: undefined },
        { type: 'notify_user', userId: 0, text: 'hi' },
        { type: 'stop_sequence', sequenceId: 0 },
        { type: 'pause_agent', minutes: 0 },
      ],
    });
    expect(input).toMatchObject({ name: 'Trim me', pipelineId: null, statusId: null });
    expect(input.definition.actions).toEqual([
      { type: 'agent_reply' },
      { type: 'notify_user', text: 'hi' },
      { type: 'stop_sequence' },
      { type: 'pause_agent' },
    ]);
    expect(input.definition).not.toHaveProperty('conditions');
  });

  it('flags a missing name, no actions, a bad rate and a duration below a minute before the server sees them', () => {
    const f = { ...newRuleForm(D), actions: [], perLeadPerHour: 0, trigger: { type: 'time_in_stage', minutes: Number.NaN } as Trigger };
    expect(localRuleErrors(f)).toEqual({
      name: 'required',
      'definition.actions': 'required',
      'definition.perLeadPerHour': 'range_1_1000',
      'definition.trigger.minutes': 'positive_integer',
    });
    expect(localRuleErrors({ ...newRuleForm(D), name: 'ok' })).toEqual({});
    expect([splitMinutes(2880), splitMinutes(90), splitMinutes(120), splitMinutes(0)]).toEqual([
      { amount: 2, unit: 'days' },
      { amount: 90, unit: 'minutes' },
      { amount: 2, unit: 'hours' },
      { amount: 0, unit: 'minutes' },
    ]);
  });
});

describe('sequence form', () => {
  it('lays steps on a timeline counted from enrollment: days, hours, and clock times after a "wait until"', () => {
    const steps: Step[] = [
      { type: 'send_email', templateId: 1 },
      { type: 'wait', amount: 3, unit: 'hours' },
      { type: 'add_note', text: 'a' },
      { type: 'wait', amount: 2, unit: 'days' },
      { type: 'wait_until', weekday: 'any', time: '09:00', timezone: 'account' },
      { type: 'agent_followup' },
      { type: 'wait', amount: 16, unit: 'hours' },
      { type: 'create_task', text: 'b', dueInHours: 24 },
      { type: 'wait_until', weekday: 'mon', time: '10:30', timezone: 'lead' },
      { type: 'add_note', text: 'c' },
    ];
    expect(timeline(steps)).toEqual([
      { day: 0, minutes: 0, at: null, weekday: null },
      { day: 0, minutes: 180, at: null, weekday: null },
      { day: 0, minutes: 180, at: null, weekday: null },
      { day: 2, minutes: 180, at: null, weekday: null },
      { day: 2, minutes: 0, at: '09:00', weekday: null },
      { day: 2, minutes: 0, at: '09:00', weekday: null },
      { day: 3, minutes: 0, at: '01:00', weekday: null },
      { day: 3, minutes: 0, at: '01:00', weekday: null },
      { day: 3, minutes: 0, at: '10:30', weekday: 'mon' },
      { day: 3, minutes: 0, at: '10:30', weekday: 'mon' },
    ]);
    // Once the clock is known, a "wait until" time already passed that day moves to the next day.
    const later = timeline([
      { type: 'wait_until', weekday: 'any', time: '09:00', timezone: 'account' },
      { type: 'wait', amount: 5, unit: 'hours' },
      { type: 'wait_until', weekday: 'any', time: '10:00', timezone: 'account' },
    ]);
    expect(later.map((p) => [p.day, p.at])).toEqual([
      [0, '09:00'],
      [0, '14:00'],
      [1, '10:00'],
    ]);
  });

  it("maps the form to the server's sequence JSON with its defaults, leaving out unset optional ids", () => {
    const form = newSequenceForm();
    expect(localSequenceErrors(form)).toEqual({ name: 'required', 'definition.steps': 'required' });
    const filled = {
      ...form,
      name: ' Nurture ',
      statusId: 11,
      definition: {
        ...form.definition,
        steps: [
          newStep('send_email', D),
          newStep('wait', D),
          { type: 'agent_followup', agentId: 0, instruction: ' ', outsideWindowBotId: undefined } as Step,
          { ...newStep('create_task', D), text: 'Call', responsibleUserId: undefined } as Step,
          newStep('move_stage', D),
          { ...newStep('add_note', D), text: 'n' } as Step,
          newStep('wait_until', D),
        ],
      },
    };
    const input = formToSequenceInput(filled);
    expect(input).toMatchObject({ name: 'Nurture', pipelineId: null, statusId: null });
    expect(input.definition.steps).toEqual([
      { type: 'send_email', templateId: 40 },
      { type: 'wait', amount: 2, unit: 'days' },
      { type: 'agent_followup' },
      { type: 'create_task', text: 'Call', dueInHours: 24 },
      { type: 'move_stage', pipelineId: 10, statusId: 11 },
      { type: 'add_note', text: 'n' },
      { type: 'wait_until', weekday: 'any', time: '09:00', timezone: 'account' },
    ]);
    // The server's own defaults for a sequence with no stop or send-window settings are the form's.
    const parsed = seqSchema.createSequenceSchema.parse({ ...input, definition: { steps: input.definition.steps } });
    expect(parsed.definition.stopOn).toEqual(form.definition.stopOn);
    expect(parsed.definition.sendWindow).toEqual(form.definition.sendWindow);
    expect(seqSchema.createSequenceSchema.parse(input)).toEqual(input);
    expect(
      moveStep(input.definition.steps, 0, 1)
        .slice(0, 2)
        .map((s) => s.type),
    ).toEqual(['wait', 'send_email']);
    expect(moveStep(input.definition.steps, 0, -1)).toBe(input.definition.steps);
  });
});

/** A new condition row with what the admin types or ticks in it. */
function filledLeaf(kind: (typeof CONDITION_KINDS)[number]): ConditionLeaf {
  const c = newCondition(kind, D);
  if (c.kind === 'tags') return { ...c, tag: 'vip' };
  if (c.kind === 'channel') return { ...c, channels: ['whatsapp'] };
  if (c.kind === 'field') return { ...c, value: 'x' };
  return c;
}

/** What the admin types into an action's text inputs. */
function fill(a: RuleAction): RuleAction {
  const x = { ...a } as Record<string, unknown>;
  if ('text' in x) x.text = 'text';
  if ('tags' in x) x.tags = ['vip'];
  if ('userIds' in x) x.userIds = [30];
  if ('botId' in x) x.botId = 7;
  if (a.type === 'set_field') x.value = 'v';
  if (a.type === 'call_webhook') x.url = 'https://example.com/hook';
  return x as RuleAction;
}
