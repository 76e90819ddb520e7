import { describe, expect, it } from 'vitest';
import { matchTrigger } from '../../../server/modules/rules/rules.match.js';
import { evaluate, type Facts } from '../../../server/modules/rules/rules.conditions.js';
import type { Condition } from '../automation-contract.js';
import { createTranslate } from '../i18n.js';
import es from '../../i18n/es.json';
import { localizeConditions, localizeReason, localizeScope, localizeTrigger } from './trace-labels.js';

const en = createTranslate({ i18n: () => undefined });
const esT = createTranslate({ i18n: (k: string) => (k === 'ui' ? es.ui : undefined) });
const fieldName = (id: number) => (id === 20 ? 'Source' : `#${id}`);

/** The engine's own trace for a lead in Sales (10) / Qualified (11) with a budget of 5000, tagged "vip". */
function engineTrace(c: Condition) {
  const facts: Facts = {
    lead: { id: 1, name: 'L', price: 5000, pipelineId: 10, statusId: 11, responsibleUserId: 30, mainContactId: null, tags: ['vip'], customFields: [] },
    fields: [{ id: 20, name: 'Source', code: null, type: 'text', enums: null }] as Facts['fields'],
    channel: 'whatsapp',
    agent: { bound: true, paused: false },
    now: Date.UTC(2026, 0, 5, 10),
    // Monday 10:00 UTC, inside Monday–Friday 9–18.
    insideWorkingHours: true,
  };
  return evaluate(c, facts);
}

describe('trace labels', () => {
  it("names each node of the engine's condition trace from the rule's own condition, in the user's language", () => {
    const c: Condition = {
      all: [
        {
          any: [
            { kind: 'price', op: 'gt', value: 1000 },
            { kind: 'field', fieldId: 20, op: 'empty' },
          ],
        },
        { kind: 'stage', pipelineId: 10, statusIds: [11] },
        { kind: 'tags', op: 'has', tag: 'vip' },
        { kind: 'working_hours', inside: true },
        { kind: 'agent', state: 'active' },
        { kind: 'responsible', op: 'in', userIds: [30] },
        { kind: 'channel', channels: ['whatsapp'] },
      ],
    };
    const trace = engineTrace(c);
    const checks = (n: { check: string; children?: unknown[] }): unknown => (n.children ? [n.check, (n.children as never[]).map(checks)] : n.check);
    expect(checks(localizeConditions(en, trace, c, fieldName))).toEqual([
      'All of',
      [
        ['Any of', ['Budget greater than', 'Source is empty']],
        'Pipeline and stage',
        'Tag has "vip"',
        'Inside working hours',
        'AI agent on the lead: active',
        'Responsible user is one of',
        'Channel',
      ],
    ]);
    // Values and verdicts are the engine's, untouched.
    expect(localizeConditions(en, trace, c, fieldName).children![0]!.children![0]).toMatchObject({ ok: true, actual: 5000, expected: 1000 });
    expect(localizeConditions(esT, trace, c, fieldName).children![0]!.children![0]!.check).toBe('Presupuesto mayor que');
  });

  it('keeps the engine text where the trace does not follow the conditions (a run of another version)', () => {
    const trace = engineTrace({ all: [{ kind: 'price', op: 'gt', value: 1 }] });
    expect(localizeConditions(en, trace, { any: [{ kind: 'price', op: 'gt', value: 1 }] }, fieldName).check).toBe('all of');
    expect(localizeConditions(en, trace, { all: [{ kind: 'tags', op: 'has', tag: 'x' }] }, fieldName).children![0]!.check).toBe('price gt');
    expect(localizeConditions(en, engineTrace({ kind: 'agent', state: 'paused' }), undefined, fieldName).check).toBe('agent paused');
    expect(localizeConditions(en, { check: 'no conditions', ok: true }, undefined, fieldName).check).toBe('No conditions');
  });

  it('names the trigger, its message filters, the scope and the verdict; a limit message stays as written', () => {
    const t = { type: 'message_received' as const, keywords: ['price'], intents: ['pricing_question' as const] };
    const node = matchTrigger(
      t,
      { accountId: 1, leadId: 1, type: 'message_received', key: 'k', depth: 0, data: { text: 'the price?', intent: 'other' } },
      { id: 1, version: 1 },
    );
    const named = localizeTrigger(en, node);
    expect(named.check).toBe('Trigger: Message received');
    expect(named.children!.map((n) => [n.check, n.ok])).toEqual([
      ['Keywords', true],
      ["Intent (classified by the agent's model)", false],
    ]);
    expect(localizeTrigger(en, { check: 'trigger nonsense', ok: false }).check).toBe('trigger nonsense');
    expect(localizeScope(en, { check: 'scope: whole account', ok: true }).check).toBe('Scope: Whole account');
    expect(localizeReason(esT, 'conditions do not hold')).toBe('Las condiciones no se cumplen');
    expect(localizeReason(en, 'stopped: fired 10 times for this lead in the last hour')).toBe('stopped: fired 10 times for this lead in the last hour');
  });
});
