import type { WorkingHours } from '../../../db/schema/index.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { evaluate, type Facts, type TraceNode } from './rules.conditions.js';
import type { LoadedRule, RulesRepo } from './rules.repo.js';
import type { Intent, Trigger, TriggerType } from './rules.schemas.js';

export const RULE_RUN_QUEUE = 'rules.run';
export const RULE_CLASSIFY_QUEUE = 'rules.classify';

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

export interface EngineDeps {
  clock: Clock;
  queue: JobQueue;
  repo: RulesRepo;
  crm: MirrorReadRepo;
  activity: ActivityService;
  /** Is an agent bound to the lead's stage, and is it paused on this lead. */
  agentState(accountId: number, leadId: number, pipelineId: number | null, statusId: number | null): { bound: boolean; paused: boolean };
  /** The account's working hours (its time zone; Monday–Friday 9–18 unless set). */
  workingHours(accountId: number): WorkingHours;
  maxDepth: number;
}

export interface Verdict {
  candidate: boolean;
  fires: boolean;
  trace: { trigger: TraceNode; scope: TraceNode; conditions?: TraceNode; reason: string };
}

const lower = (s: string) => s.toLowerCase();
const MAX_MATCH_TEXT = 4000;

/** Does the event match the rule's trigger (its filters), and why. */
export function matchTrigger(t: Trigger, e: RuleEvent, rule: Pick<LoadedRule, 'id' | 'version'>): TraceNode {
  const d = e.data;
  const check = `trigger ${t.type}`;
  if (t.type !== e.type) return { check, ok: false, actual: e.type };
  if (d.ruleId !== undefined && (d.ruleId !== rule.id || d.version !== rule.version)) return { check, ok: false, actual: 'for another rule' };
  switch (t.type) {
    case 'stage_entered':
    case 'time_in_stage':
      return {
        check,
        ok: (t.pipelineId === undefined || t.pipelineId === d.pipelineId) && (t.statusId === undefined || t.statusId === d.statusId),
        actual: { pipelineId: d.pipelineId, statusId: d.statusId },
        expected: { pipelineId: t.pipelineId ?? 'any', statusId: t.statusId ?? 'any' },
      };
    case 'stage_left':
      return {
        check,
        ok: (t.pipelineId === undefined || t.pipelineId === d.prevPipelineId) && (t.statusId === undefined || t.statusId === d.prevStatusId),
        actual: { pipelineId: d.prevPipelineId, statusId: d.prevStatusId },
        expected: { pipelineId: t.pipelineId ?? 'any', statusId: t.statusId ?? 'any' },
      };
    case 'field_changed':
      return { check, ok: (d.fieldIds ?? []).includes(t.fieldId), actual: d.fieldIds ?? [], expected: t.fieldId };
    case 'tag_added':
      return { check, ok: t.tag === undefined || (d.tags ?? []).some((x) => lower(x) === lower(t.tag!)), actual: d.tags ?? [], expected: t.tag ?? 'any' };
    case 'message_received': {
      const text = (d.text ?? '').slice(0, MAX_MATCH_TEXT);
      const children: TraceNode[] = [];
      if (t.channels)
        children.push({
          check: 'channel',
          ok: d.channel !== undefined && t.channels.map(lower).includes(lower(d.channel)),
          actual: d.channel,
          expected: t.channels,
        });
      if (t.keywords) {
        const hit = t.keywords.find((k) => new RegExp(`(^|[^\\p{L}\\p{N}])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu').test(text));
        children.push({ check: 'keyword', ok: hit !== undefined, actual: hit ?? null, expected: t.keywords });
      }
      if (t.regex) children.push({ check: 'regex', ok: new RegExp(t.regex, 'iu').test(text), expected: t.regex });
      if (t.intents)
        children.push({ check: 'intent', ok: d.intent !== undefined && t.intents.includes(d.intent), actual: d.intent ?? null, expected: t.intents });
      return { check, ok: children.every((c) => c.ok), children };
    }
    default:
      return { check, ok: true };
  }
}

/** Whether the lead is in the rule's pipeline/stage (for stage_left: the stage it left). */
function scopeOf(rule: LoadedRule, e: RuleEvent, lead: { pipelineId: number | null; statusId: number | null } | undefined): TraceNode {
  if (rule.pipelineId === null && rule.statusId === null) return { check: 'scope: whole account', ok: true };
  const at =
    e.type === 'stage_left'
      ? { pipelineId: e.data.prevPipelineId ?? null, statusId: e.data.prevStatusId ?? null }
      : { pipelineId: lead?.pipelineId ?? null, statusId: lead?.statusId ?? null };
  const ok = (rule.pipelineId === null || rule.pipelineId === at.pipelineId) && (rule.statusId === null || rule.statusId === at.statusId);
  return { check: 'scope', ok, actual: at, expected: { pipelineId: rule.pipelineId, statusId: rule.statusId } };
}

/**
 * Deterministic evaluation: rules are found by the event's trigger type; a rule whose trigger filters
 * or scope do not match is not a candidate (nothing is recorded); a candidate's conditions are evaluated
 * and its verdict, with every compared value, is recorded once per (rule version, event). Fired runs
 * enqueue their actions as one job. Runs inside the publisher's transaction: reads and writes only.
 */
export function createEngine(d: EngineDeps) {
  const cache = new Map<string, { stamp: string; rules: LoadedRule[] }>();
  function candidates(accountId: number, type: TriggerType): LoadedRule[] {
    const stamp = d.repo.stamp(accountId);
    const k = `${accountId}:${type}`;
    const hit = cache.get(k);
    if (hit?.stamp === stamp) return hit.rules;
    const rules = d.repo.candidates(accountId, type);
    cache.set(k, { stamp, rules });
    return rules;
  }

  function facts(e: RuleEvent): Facts {
    const lead = e.leadId === null ? undefined : d.crm.lead(e.accountId, e.leadId);
    return {
      lead,
      fields: d.crm.leadFields(e.accountId),
      channel: e.data.channel ?? null,
      agent: lead ? d.agentState(e.accountId, lead.id, lead.pipelineId, lead.statusId) : { bound: false, paused: false },
      now: d.clock.now(),
      workingHours: d.workingHours(e.accountId),
    };
  }

  /** The verdict of one rule for one event (no writes: the dry run uses it too). */
  function judge(rule: LoadedRule, e: RuleEvent, f: Facts): Verdict {
    const trigger = matchTrigger(rule.definition.trigger, e, rule);
    const scope = scopeOf(rule, e, f.lead);
    if (!trigger.ok || !scope.ok)
      return { candidate: false, fires: false, trace: { trigger, scope, reason: trigger.ok ? 'out of scope' : 'trigger does not match' } };
    const conditions = evaluate(rule.definition.conditions, f);
    return {
      candidate: true,
      fires: conditions.ok,
      trace: { trigger, scope, conditions, reason: conditions.ok ? 'conditions hold' : 'conditions do not hold' },
    };
  }

  /** Handle one event: evaluate every candidate rule, record each verdict once, enqueue fired runs. */
  function handle(e: RuleEvent, only?: (r: LoadedRule) => boolean): { fired: number; evaluated: number; deferred: number } {
    let fired = 0;
    let evaluated = 0;
    let deferred = 0;
    const rules = candidates(e.accountId, e.type);
    if (rules.length === 0) return { fired, evaluated, deferred };
    const f = facts(e);
    const now = d.clock.now();
    for (const rule of rules) {
      if (only && !only(rule)) continue;
      const t = rule.definition.trigger;
      // An intent filter needs the model: classify once (a job), then evaluate those rules again with the intent.
      if (t.type === 'message_received' && t.intents && e.data.intent === undefined) {
        deferred++;
        continue;
      }
      const v = judge(rule, e, f);
      if (!v.candidate) continue;
      evaluated++;
      let status: 'fired' | 'skipped' | 'depth_limited' | 'rate_limited' = v.fires ? 'fired' : 'skipped';
      let reason = v.trace.reason;
      if (v.fires && e.depth > d.maxDepth) {
        status = 'depth_limited';
        reason = `stopped: the event is ${e.depth} rule actions deep (limit ${d.maxDepth})`;
      } else if (v.fires && e.leadId !== null && d.repo.firedSince(e.accountId, e.leadId, rule.id, now - 3_600_000) >= rule.definition.perLeadPerHour) {
        status = 'rate_limited';
        reason = `stopped: fired ${rule.definition.perLeadPerHour} times for this lead in the last hour`;
      }
      const trace = { ...v.trace, reason, event: { type: e.type, key: e.key, depth: e.depth } };
      const runId = d.repo.insertRun({
        accountId: e.accountId,
        ruleId: rule.id,
        version: rule.version,
        eventKey: e.key,
        leadId: e.leadId,
        depth: e.depth,
        status,
        trace,
        now,
      });
      if (runId === null) continue; // this event was evaluated before (a redelivery)
      d.activity.write({
        accountId: e.accountId,
        leadId: e.leadId,
        type: status === 'fired' ? 'rule.fired' : status === 'skipped' ? 'rule.not_fired' : `rule.${status}`,
        title: `Rule "${rule.name}" (v${rule.version}) ${status === 'fired' ? 'fired' : status === 'skipped' ? 'did not fire' : 'was stopped'} on ${e.type.replace(/_/g, ' ')}`,
        description: reason,
        metadata: { ruleId: rule.id, version: rule.version, runId, eventKey: e.key, depth: e.depth },
      });
      if (status !== 'fired') continue;
      fired++;
      d.queue.enqueue({
        queue: RULE_RUN_QUEUE,
        accountId: e.accountId,
        payload: { runId },
        idempotencyKey: `rule-run:${e.accountId}:${runId}`,
        serialKey: e.leadId === null ? undefined : `lead:${e.accountId}:${e.leadId}`,
      });
    }
    if (deferred > 0) {
      d.queue.enqueue({ queue: RULE_CLASSIFY_QUEUE, accountId: e.accountId, payload: { event: e }, idempotencyKey: `rule-classify:${e.accountId}:${e.key}` });
    }
    return { fired, evaluated, deferred };
  }

  return { handle, judge, facts };
}

export type RulesEngine = ReturnType<typeof createEngine>;
