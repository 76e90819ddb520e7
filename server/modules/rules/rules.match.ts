/** What an event is to the rules, and whether it meets a rule's trigger and scope, with the trace that says why (and that trace again from what was stored). */
import type { CrmField } from '../mirror/mirror-read.repo.js';
import { expandConditions, node, type Observed, type TraceNode } from './rules.conditions.js';
import type { LoadedRule } from './rules.repo.js';
import type { Intent, RuleDefinition, Trigger, TriggerType } from './rules.schemas.js';

/** An event as rules see it. `key` is stable across redeliveries: (rule, version, key) runs once. */
export interface RuleEvent {
  accountId: number;
  leadId: number | null;
  type: TriggerType;
  key: string;
  /** How many rule actions led here (0 = the outside world). */
  depth: number;
  data: {
    pipelineId?: number | null;
    statusId?: number | null;
    prevPipelineId?: number | null;
    prevStatusId?: number | null;
    fieldIds?: number[];
    tags?: string[];
    channel?: string;
    text?: string;
    intent?: Intent;
    taskId?: number;
    /** Timers and schedules target one rule version. */
    ruleId?: number;
    version?: number;
  };
}

const lower = (s: string) => s.toLowerCase();
const MAX_MATCH_TEXT = 4000;

type MessageTrigger = Extract<Trigger, { type: 'message_received' }>;
/**
 * A message trigger's keywords and pattern, compiled once per trigger object: the engine keeps a rule
 * version's definition while its cache is fresh, so each version is compiled once, not once per event.
 */
const compiledPatterns = new WeakMap<MessageTrigger, { keywords: { word: string; re: RegExp }[]; regex: RegExp | null; channels: string[] | null }>();
function patternsOf(t: MessageTrigger) {
  let c = compiledPatterns.get(t);
  if (!c) {
    c = {
      keywords: (t.keywords ?? []).map((word) => ({
        word,
        re: new RegExp(`(^|[^\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu'),
      })),
      regex: t.regex ? new RegExp(t.regex, 'iu') : null,
      channels: t.channels ? t.channels.map(lower) : null,
    };
    compiledPatterns.set(t, c);
  }
  return c;
}

/** A message trigger's checks in the order its trace lists them, each with what it expects. */
function messageShapes(t: MessageTrigger): { key: 'channels' | 'keywords' | 'regex' | 'intents'; check: string; expected: unknown }[] {
  const out: { key: 'channels' | 'keywords' | 'regex' | 'intents'; check: string; expected: unknown }[] = [];
  if (t.channels) out.push({ key: 'channels', check: 'channel', expected: t.channels });
  if (t.keywords) out.push({ key: 'keywords', check: 'keyword', expected: t.keywords });
  if (t.regex) out.push({ key: 'regex', check: 'regex', expected: t.regex });
  if (t.intents) out.push({ key: 'intents', check: 'intent', expected: t.intents });
  return out;
}

/** Shapes made once per trigger object (a rule version's definition is kept while the engine's cache is fresh). */
const shapes = new WeakMap<Trigger, { check: string; expected?: unknown }>();
const messageShapesOf = new WeakMap<MessageTrigger, ReturnType<typeof messageShapes>>();

/** What a trigger's trace checks and expects, from the trigger alone (its filters; `any` where one is not set). */
function triggerShape(t: Trigger): { check: string; expected?: unknown } {
  let shape = shapes.get(t);
  if (!shape) shapes.set(t, (shape = makeTriggerShape(t)));
  return shape;
}
function makeTriggerShape(t: Trigger): { check: string; expected?: unknown } {
  const check = `trigger ${t.type}`;
  switch (t.type) {
    case 'stage_entered':
    case 'time_in_stage':
    case 'stage_left':
      return { check, expected: { pipelineId: t.pipelineId ?? 'any', statusId: t.statusId ?? 'any' } };
    case 'field_changed':
      return { check, expected: t.fieldId };
    case 'tag_added':
      return { check, expected: t.tag ?? 'any' };
    default:
      return { check };
  }
}

/**
 * What the event showed the rule's trigger, as stored (`Observed`): whether its filters match and the
 * value each compared. For an event of the trigger's type meant for this rule; `matchTrigger` answers the rest.
 */
export function observeTrigger(t: Trigger, e: RuleEvent, rule: Pick<LoadedRule, 'id' | 'version'>): Observed {
  const d = e.data;
  switch (t.type) {
    // Stage, field and tag filters: the quick check's answer is the whole answer.
    case 'stage_entered':
    case 'time_in_stage':
      return [mayMatch(t, e, rule) ? 1 : 0, { pipelineId: d.pipelineId, statusId: d.statusId }];
    case 'stage_left':
      return [mayMatch(t, e, rule) ? 1 : 0, { pipelineId: d.prevPipelineId, statusId: d.prevStatusId }];
    case 'field_changed':
      return [mayMatch(t, e, rule) ? 1 : 0, d.fieldIds ?? []];
    case 'tag_added':
      return [mayMatch(t, e, rule) ? 1 : 0, d.tags ?? []];
    case 'message_received': {
      const text = d.text === undefined ? '' : d.text.length > MAX_MATCH_TEXT ? d.text.slice(0, MAX_MATCH_TEXT) : d.text;
      const compiled = patternsOf(t);
      let checks = messageShapesOf.get(t);
      if (!checks) messageShapesOf.set(t, (checks = messageShapes(t)));
      let ok: 0 | 1 = 1;
      const children = checks.map((c): Observed => {
        let o: Observed;
        switch (c.key) {
          case 'channels':
            o = d.channel === undefined ? [0] : [compiled.channels!.includes(lower(d.channel)) ? 1 : 0, d.channel];
            break;
          case 'keywords': {
            const hit = compiled.keywords.find((k) => k.re.test(text))?.word;
            o = [hit !== undefined ? 1 : 0, hit ?? null];
            break;
          }
          case 'regex':
            o = [compiled.regex!.test(text) ? 1 : 0];
            break;
          default:
            o = [d.intent !== undefined && t.intents!.includes(d.intent) ? 1 : 0, d.intent ?? null];
        }
        if (o[0] === 0) ok = 0;
        return o;
      });
      return [ok, 0, children];
    }
    default:
      return [1];
  }
}

/** Does the event match the rule's trigger (its filters), and why. */
export function matchTrigger(t: Trigger, e: RuleEvent, rule: Pick<LoadedRule, 'id' | 'version'>): TraceNode {
  const d = e.data;
  if (t.type !== e.type) return { check: triggerShape(t).check, ok: false, actual: e.type };
  if (d.ruleId !== undefined && (d.ruleId !== rule.id || d.version !== rule.version))
    return { check: triggerShape(t).check, ok: false, actual: 'for another rule' };
  return expandTrigger(observeTrigger(t, e, rule), t);
}

/**
 * A stored trace as `judge` made it: a trace written as observed (its trigger and conditions as `Observed`)
 * gets its checks and expected values back from the rule version that was judged, its scope from its
 * four numbers (none: the whole account) and its reason from its conditions (unless it was stopped, which
 * is stored); one written whole (by earlier versions) is returned as it is.
 */
export function expandTrace(trace: Record<string, unknown>, def: RuleDefinition | undefined, fields: CrmField[]): Record<string, unknown> {
  if (!Array.isArray(trace.trigger)) return trace;
  const conditions = trace.conditions as Observed;
  return {
    ...trace,
    reason: trace.reason ?? (conditions[0] === 1 ? 'conditions hold' : 'conditions do not hold'),
    trigger: def ? expandTrigger(trace.trigger as Observed, def.trigger) : trace.trigger,
    scope: Array.isArray(trace.scope) ? expandScope(trace.scope as StoredScope) : (trace.scope ?? WHOLE_ACCOUNT),
    conditions: def ? expandConditions(conditions, def.conditions, fields) : conditions,
  };
}

/** Where the lead was, then where the rule is scoped: [pipelineId, statusId, pipelineId, statusId]. */
type StoredScope = [number | null, number | null, number | null, number | null];
const WHOLE_ACCOUNT: TraceNode = { check: 'scope: whole account', ok: true };

/**
 * A candidate's trace as the engine stores it (`expandTrace` reads it back): what its trigger and conditions
 * observed, its scope (`storedScope`), and a reason only when the rule was stopped.
 */
export function storedTrace(
  rule: LoadedRule,
  e: RuleEvent,
  lead: { pipelineId: number | null; statusId: number | null } | undefined,
  trigger: Observed,
  conditions: Observed,
  stoppedBecause?: string,
): Record<string, unknown> {
  const trace: Record<string, unknown> = { trigger, conditions };
  if (stoppedBecause) trace.reason = stoppedBecause;
  const scope = storedScope(rule, e, lead);
  if (scope) trace.scope = scope;
  return trace;
}

/**
 * A candidate's scope as stored: nothing for a rule of the whole account, else where the lead was and where
 * the rule is scoped (a candidate is always in scope: `scopeOf` would say ok).
 */
function storedScope(rule: LoadedRule, e: RuleEvent, lead: { pipelineId: number | null; statusId: number | null } | undefined): StoredScope | undefined {
  if (rule.pipelineId === null && rule.statusId === null) return undefined;
  const left = e.type === 'stage_left';
  return [
    left ? (e.data.prevPipelineId ?? null) : (lead?.pipelineId ?? null),
    left ? (e.data.prevStatusId ?? null) : (lead?.statusId ?? null),
    rule.pipelineId,
    rule.statusId,
  ];
}

const expandScope = ([pipelineId, statusId, p, s]: StoredScope): TraceNode => ({
  check: 'scope',
  ok: true,
  actual: { pipelineId, statusId },
  expected: { pipelineId: p, statusId: s },
});

/** A trigger's trace from what was observed (`observeTrigger`) and the trigger it was judged by: `matchTrigger`'s trace again. */
export function expandTrigger(o: Observed, t: Trigger): TraceNode {
  if (t.type !== 'message_received') return node(o, triggerShape(t));
  const kids = o.length === 3 ? o[2] : [];
  return node(
    o,
    triggerShape(t),
    messageShapes(t).map((c, i) => node(kids[i] ?? [0], c)),
  );
}

/**
 * The trigger's filters as a yes or no, building no trace: the whole answer for stage, field and tag
 * filters (matchTrigger traces the same test), and for messages the channel only (keywords and patterns
 * are left to matchTrigger). The engine drops a rule that cannot match before judging it.
 */
export function mayMatch(t: Trigger, e: RuleEvent, rule: Pick<LoadedRule, 'id' | 'version'>): boolean {
  const d = e.data;
  if (t.type !== e.type) return false;
  if (d.ruleId !== undefined && (d.ruleId !== rule.id || d.version !== rule.version)) return false;
  switch (t.type) {
    case 'stage_entered':
    case 'time_in_stage':
      return (t.pipelineId === undefined || t.pipelineId === d.pipelineId) && (t.statusId === undefined || t.statusId === d.statusId);
    case 'stage_left':
      return (t.pipelineId === undefined || t.pipelineId === d.prevPipelineId) && (t.statusId === undefined || t.statusId === d.prevStatusId);
    case 'field_changed':
      return (d.fieldIds ?? []).includes(t.fieldId);
    case 'tag_added':
      return t.tag === undefined || (d.tags ?? []).some((x) => lower(x) === lower(t.tag!));
    case 'message_received':
      return !t.channels || (d.channel !== undefined && patternsOf(t).channels!.includes(lower(d.channel)));
    default:
      return true;
  }
}

/** Whether the lead is in the rule's pipeline/stage (for stage_left: the stage it left). */
export function scopeOf(rule: LoadedRule, e: RuleEvent, lead: { pipelineId: number | null; statusId: number | null } | undefined): TraceNode {
  if (rule.pipelineId === null && rule.statusId === null) return { check: 'scope: whole account', ok: true };
  const at =
    e.type === 'stage_left'
      ? { pipelineId: e.data.prevPipelineId ?? null, statusId: e.data.prevStatusId ?? null }
      : { pipelineId: lead?.pipelineId ?? null, statusId: lead?.statusId ?? null };
  const ok = (rule.pipelineId === null || rule.pipelineId === at.pipelineId) && (rule.statusId === null || rule.statusId === at.statusId);
  return { check: 'scope', ok, actual: at, expected: { pipelineId: rule.pipelineId, statusId: rule.statusId } };
}
