import { describe, expect, it } from 'vitest';
import type { CrmField } from '../mirror/mirror-read.repo.js';
import { evaluate, evaluateObserved, expandConditions, type Facts, type Observed, type TraceNode } from './rules.conditions.js';
import { expandTrace, expandTrigger, matchTrigger, observeTrigger, type RuleEvent, scopeOf, storedTrace } from './rules.match.js';
import type { LoadedRule } from './rules.repo.js';
import type { Condition, RuleDefinition, Trigger } from './rules.schemas.js';

/** A whole trace reduced to what was observed: the inverse of expanding, to compare the engine's stored form with. */
function observe(n: TraceNode): Observed {
  const ok = n.ok ? 1 : 0;
  if (n.children) return [ok, 0, n.children.map(observe)];
  return n.actual === undefined ? [ok] : [ok, n.actual];
}

/** As stored and read back: observed only, through JSON. */
const stored = (x: unknown) => JSON.parse(JSON.stringify(x));

const fields = [
  { id: 20, name: 'Source', code: null, type: 'select', enums: [{ id: 201, value: 'Website' }] },
  { id: 21, name: 'Budget', code: null, type: 'numeric', enums: null },
] as CrmField[];
const facts = (over: Partial<Facts> = {}): Facts => ({
  lead: {
    id: 1,
    name: 'L',
    price: 5000,
    pipelineId: 10,
    statusId: 11,
    responsibleUserId: 30,
    mainContactId: null,
    tags: ['vip'],
    customFields: [
      { field_id: 20, values: [{ value: 'Website', enum_id: 201 }] },
      { field_id: 21, values: [{ value: '1500' }] },
    ],
  } as Facts['lead'],
  fields,
  channel: 'whatsapp',
  agent: { bound: true, paused: false },
  now: 0,
  insideWorkingHours: false,
  ...over,
});

describe('traces stored as observed', () => {
  it('give back the whole condition trace, every kind and operator, from the conditions judged', () => {
    const leaves: Condition[] = [
      { kind: 'stage', pipelineId: 10, statusIds: [11, 12] },
      { kind: 'stage', pipelineId: 9 },
      { kind: 'field', fieldId: 20, op: 'eq', value: 201 },
      { kind: 'field', fieldId: 20, op: 'neq', value: 'Ads' },
      { kind: 'field', fieldId: 20, op: 'contains', value: 'web' },
      { kind: 'field', fieldId: 20, op: 'in', values: ['Website', 'Ads'] },
      { kind: 'field', fieldId: 21, op: 'gt', value: 1000 },
      { kind: 'field', fieldId: 21, op: 'lt', value: 1000 },
      { kind: 'field', fieldId: 21, op: 'between', min: 1000, max: 2000 },
      { kind: 'field', fieldId: 22, op: 'empty' },
      { kind: 'tags', op: 'has', tag: 'VIP' },
      { kind: 'tags', op: 'lacks', tag: 'cold' },
      { kind: 'responsible', op: 'in', userIds: [30] },
      { kind: 'responsible', op: 'not_in', userIds: [30] },
      { kind: 'channel', channels: ['telegram'] },
      { kind: 'price', op: 'between', value: 1000, max: 6000 },
      { kind: 'price', op: 'eq', value: 5000 },
      { kind: 'working_hours', inside: true },
      { kind: 'agent', state: 'paused' },
    ] as Condition[];
    const trees: (Condition | undefined)[] = [undefined, ...leaves, { all: leaves.slice(0, 6) }, { any: [leaves[7]!, { all: [leaves[10]!, leaves[14]!] }] }];
    for (const c of trees) {
      for (const f of [facts(), facts({ lead: undefined, channel: null, agent: { bound: false, paused: false }, insideWorkingHours: true })]) {
        const whole = evaluate(c, f);
        // What the engine stores is what the whole trace observed, and reads back as the whole trace.
        expect(stored(evaluateObserved(c, f)), JSON.stringify(c)).toEqual(stored(observe(whole)));
        expect(expandConditions(stored(evaluateObserved(c, f)), c, fields), JSON.stringify(c)).toEqual(stored(whole));
      }
    }
    // The whole trace, as the history and the dry run show it.
    expect(
      evaluate(
        {
          any: [
            { kind: 'field', fieldId: 21, op: 'between', min: 1000, max: 2000 },
            { kind: 'tags', op: 'has', tag: 'cold' },
          ],
        },
        facts(),
      ),
    ).toEqual({
      check: 'any of',
      ok: true,
      children: [
        { check: 'field Budget between', ok: true, actual: '1500', expected: [1000, 2000] },
        { check: 'tag has "cold"', ok: false, actual: ['vip'] },
      ],
    });
    expect(evaluate(undefined, facts())).toEqual({ check: 'no conditions', ok: true });
    // What is kept is much smaller than the whole trace: no labels, no expected values.
    const tree = trees.at(-2)!;
    expect(JSON.stringify(observe(evaluate(tree, facts()))).length).toBeLessThan(JSON.stringify(evaluate(tree, facts())).length / 2);
  });

  it('give back the whole trigger trace, for every filter a trigger has', () => {
    expect(
      matchTrigger(
        { type: 'message_received', channels: ['telegram'], keywords: ['price'], regex: 'x\\d' },
        { accountId: 1, leadId: 1, type: 'message_received', key: 'k', depth: 0, data: { channel: 'whatsapp', text: 'the price' } },
        { id: 1, version: 1 },
      ),
    ).toEqual({
      check: 'trigger message_received',
      ok: false,
      children: [
        { check: 'channel', ok: false, actual: 'whatsapp', expected: ['telegram'] },
        { check: 'keyword', ok: true, actual: 'price', expected: ['price'] },
        { check: 'regex', ok: false, expected: 'x\\d' },
      ],
    });
    expect(
      matchTrigger({ type: 'stage_left' }, { accountId: 1, leadId: 1, type: 'stage_entered', key: 'k', depth: 0, data: {} }, { id: 1, version: 1 }),
    ).toEqual({
      check: 'trigger stage_left',
      ok: false,
      actual: 'stage_entered',
    });
    const event = (type: RuleEvent['type'], data: RuleEvent['data']): RuleEvent => ({ accountId: 1, leadId: 1, type, key: 'k', depth: 0, data });
    const cases: [Trigger, RuleEvent][] = [
      [{ type: 'stage_entered', pipelineId: 10, statusId: 11 }, event('stage_entered', { pipelineId: 10, statusId: 11 })],
      [{ type: 'stage_left' }, event('stage_left', { pipelineId: 10, statusId: 12, prevPipelineId: 10, prevStatusId: 11 })],
      [{ type: 'time_in_stage', minutes: 60, statusId: 11 }, event('time_in_stage', { pipelineId: 10, statusId: 11 })],
      [{ type: 'field_changed', fieldId: 20 }, event('field_changed', { fieldIds: [20, 21] })],
      [{ type: 'tag_added', tag: 'vip' }, event('tag_added', { tags: ['VIP'] })],
      [{ type: 'tag_added' }, event('tag_added', { tags: ['x'] })],
      [
        { type: 'message_received', channels: ['whatsapp'], keywords: ['price'], regex: 'order\\s*\\d+', intents: ['pricing_question'] },
        event('message_received', { channel: 'whatsapp', text: 'price of order 12?', intent: 'pricing_question' }),
      ],
      [{ type: 'message_received', keywords: ['demo'] }, event('message_received', { channel: 'email', text: 'no' })],
      [{ type: 'lead_created' }, event('lead_created', {})],
      [{ type: 'task_completed' }, event('task_completed', { taskId: 5 })],
    ];
    for (const [t, e] of cases) {
      const whole = matchTrigger(t, e, { id: 1, version: 1 });
      expect(stored(observeTrigger(t, e, { id: 1, version: 1 })), t.type).toEqual(stored(observe(whole)));
      expect(expandTrigger(stored(observeTrigger(t, e, { id: 1, version: 1 })), t), t.type).toEqual(stored(whole));
    }
  });

  it('give back the scope and the reason, each kept only where it says something', () => {
    const def = {
      trigger: { type: 'stage_left' },
      conditions: { kind: 'price', op: 'eq', value: 5000 },
      actions: [],
      perLeadPerHour: 10,
    } as unknown as RuleDefinition;
    const left: RuleEvent = {
      accountId: 1,
      leadId: 1,
      type: 'stage_left',
      key: 'k',
      depth: 0,
      data: { pipelineId: 10, statusId: 12, prevPipelineId: 10, prevStatusId: 11 },
    };
    const cheap = facts({ lead: { ...facts().lead!, price: 1 } });
    for (const [pipelineId, statusId] of [
      [null, null],
      [10, null],
      [10, 11],
    ] as const) {
      const rule = { id: 1, version: 1, pipelineId, statusId, definition: def } as unknown as LoadedRule;
      for (const f of [facts(), cheap]) {
        const conditions = evaluate(def.conditions, f);
        const whole = {
          reason: conditions.ok ? 'conditions hold' : 'conditions do not hold',
          trigger: matchTrigger(def.trigger, left, rule),
          scope: scopeOf(rule, left, f.lead),
          conditions,
        };
        const kept = storedTrace(rule, left, f.lead, observeTrigger(def.trigger, left, rule), evaluateObserved(def.conditions, f));
        expect(expandTrace(stored(kept), def, fields), `${pipelineId}/${statusId}`).toEqual(stored(whole));
        // A rule of the whole account keeps no scope; no verdict keeps a reason its conditions give.
        expect(Object.keys(kept).sort()).toEqual(pipelineId === null ? ['conditions', 'trigger'] : ['conditions', 'scope', 'trigger']);
      }
    }
    const rule = { id: 1, version: 1, pipelineId: null, statusId: null, definition: def } as unknown as LoadedRule;
    const stopped = storedTrace(rule, left, facts().lead, [1], [1], 'stopped: fired 10 times for this lead in the last hour');
    expect(expandTrace(stored(stopped), def, fields).reason).toBe('stopped: fired 10 times for this lead in the last hour');
    // A trace written whole by an earlier version is returned as it is.
    const old = { reason: 'conditions hold', trigger: { check: 'trigger stage_left', ok: true }, scope: { check: 'scope: whole account', ok: true } };
    expect(expandTrace(old, def, fields)).toEqual(old);
  });
});
