import type { WorkingHours } from '../../../db/schema/index.js';
import type { JobQueue } from '../../jobs/queue.js';
import { isOpenAt } from '../../lib/working-hours.js';
import type { Clock } from '../../lib/clock.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { evaluate, evaluateObserved, type Facts, type TraceNode } from './rules.conditions.js';
import { matchTrigger, mayMatch, observeTrigger, type RuleEvent, scopeOf, storedTrace } from './rules.match.js';
import type { LoadedRule, RecordedVerdict, RulesRepo } from './rules.repo.js';
import type { TriggerType } from './rules.schemas.js';

export type { RuleEvent } from './rules.match.js';

export const RULE_RUN_QUEUE = 'rules.run';
export const RULE_CLASSIFY_QUEUE = 'rules.classify';
export const RULE_CATCH_UP_QUEUE = 'rules.catch_up';
/** Every this many recorded events of an account, a job writes its pending history index and feed entries. */
export const CATCH_UP_EVERY = 256;

type RunVerdict = 'fired' | 'skipped' | 'depth_limited' | 'rate_limited';

/** A lead read once, when first asked for (undefined: no lead, or not in the mirror). */
export type LeadLoader = () => ReturnType<MirrorReadRepo['lead']>;

function once<T>(load: () => T): () => T {
  let loaded = false;
  let value: T;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value;
  };
}

export interface EngineDeps {
  clock: Clock;
  queue: JobQueue;
  repo: RulesRepo;
  crm: MirrorReadRepo;
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

/**
 * Deterministic evaluation: rules are found by the event's trigger type; a rule whose trigger filters
 * or scope do not match is not a candidate (nothing is recorded); a candidate's conditions are evaluated
 * and its verdict, with every compared value, is recorded once per (rule version, event). Fired runs
 * enqueue their actions as one job. Runs inside the publisher's transaction: reads and writes only.
 */
export function createEngine(d: EngineDeps) {
  type Cached = { version: number; rules: LoadedRule[]; byStage: Map<number, LoadedRule[]>; anyStage: LoadedRule[]; atStage: Map<number, LoadedRule[]> };
  const cache = new Map<number, Map<TriggerType, Cached>>();
  /** The account's enabled rules with this trigger (and by the stage they are scoped to), from memory while no rule of the account changed. */
  function cached(accountId: number, type: TriggerType): Cached {
    const version = d.repo.version(accountId);
    let byType = cache.get(accountId);
    if (!byType) cache.set(accountId, (byType = new Map()));
    const hit = byType.get(type);
    if (hit?.version === version) return hit;
    const rules = d.repo.candidates(accountId, type);
    const byStage = new Map<number, LoadedRule[]>();
    const anyStage: LoadedRule[] = [];
    for (const r of rules) {
      if (r.statusId === null) anyStage.push(r);
      else byStage.set(r.statusId, [...(byStage.get(r.statusId) ?? []), r]);
    }
    const entry = { version, rules, byStage, anyStage, atStage: new Map<number, LoadedRule[]>() };
    byType.set(type, entry);
    return entry;
  }
  const candidates = (accountId: number, type: TriggerType): LoadedRule[] => cached(accountId, type).rules;
  /**
   * The rules whose scope can hold at this stage, in rule order: those scoped to no stage and those scoped
   * to this one (merged once per stage while the cache holds). A rule scoped to another stage is never
   * looked at (most rules live on one stage).
   */
  function atStage(c: Cached, statusId: number | null): LoadedRule[] {
    const scoped = statusId === null ? undefined : c.byStage.get(statusId);
    if (!scoped) return c.anyStage;
    if (c.anyStage.length === 0) return scoped;
    const memo = c.atStage.get(statusId!);
    if (memo) return memo;
    const out: LoadedRule[] = [];
    let i = 0;
    let j = 0;
    while (i < scoped.length || j < c.anyStage.length) {
      if (j >= c.anyStage.length || (i < scoped.length && scoped[i]!.id < c.anyStage[j]!.id)) out.push(scoped[i++]!);
      else out.push(c.anyStage[j++]!);
    }
    c.atStage.set(statusId!, out);
    return out;
  }
  /** The account's enabled rules with this trigger that can apply at this stage (see `atStage`). */
  const candidatesAt = (accountId: number, type: TriggerType, statusId: number | null): LoadedRule[] => atStage(cached(accountId, type), statusId);

  /** Events recorded per account since its last catch-up job was queued. */
  const sinceCatchUp = new Map<number, number>();

  /**
   * The account's lead fields, read once per synchronous run: the events of one group commit are judged
   * one after another in one run, and each would otherwise read and parse every field and its options.
   * The copy is dropped when the run ends (a microtask), so a field synced later is seen by the next batch.
   */
  const fieldsInRun = new Map<number, ReturnType<MirrorReadRepo['leadFields']>>();
  function fieldsNow(accountId: number) {
    let list = fieldsInRun.get(accountId);
    if (!list) {
      if (fieldsInRun.size === 0) queueMicrotask(() => fieldsInRun.clear());
      list = d.crm.leadFields(accountId);
      fieldsInRun.set(accountId, list);
    }
    return list;
  }

  /**
   * The lead as one published event sees it, read from the mirror on first use: the rule events one bus
   * event makes (a stage left and a stage entered; a field changed and a tag added) share it.
   */
  const leadOf = (accountId: number, leadId: number | null): LeadLoader => once(() => (leadId === null ? undefined : d.crm.lead(accountId, leadId)));

  /** What conditions are judged against, each part read from the database only when a condition asks for it. */
  function facts(e: RuleEvent, lead: LeadLoader = leadOf(e.accountId, e.leadId)): Facts {
    const fields = once(() => fieldsNow(e.accountId));
    const agent = once(() => {
      const l = lead();
      return l ? d.agentState(e.accountId, l.id, l.pipelineId, l.statusId) : { bound: false, paused: false };
    });
    const now = d.clock.now();
    const inside = once(() => isOpenAt(d.workingHours(e.accountId), now));
    return {
      get lead() {
        return lead();
      },
      get fields() {
        return fields();
      },
      channel: e.data.channel ?? null,
      get agent() {
        return agent();
      },
      now,
      get insideWorkingHours() {
        return inside();
      },
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

  /** Is the lead (for stage_left: the stage it left) where the rule is scoped, without building a trace. */
  function inScope(rule: LoadedRule, e: RuleEvent, f: Facts): boolean {
    if (rule.pipelineId === null && rule.statusId === null) return true;
    const left = e.type === 'stage_left';
    const lead = left ? undefined : f.lead;
    const pipelineId = left ? (e.data.prevPipelineId ?? null) : (lead?.pipelineId ?? null);
    const statusId = left ? (e.data.prevStatusId ?? null) : (lead?.statusId ?? null);
    return (rule.pipelineId === null || rule.pipelineId === pipelineId) && (rule.statusId === null || rule.statusId === statusId);
  }

  /**
   * Handle one event: evaluate every candidate rule and record the verdicts once per event (a redelivery
   * finds the event recorded and does nothing), as one row with every trace; the fired rules' actions as
   * one job. Its feed entry and history index follow in batches (rules.projection.ts).
   */
  function handle(e: RuleEvent, only?: (r: LoadedRule) => boolean, lead?: LeadLoader): { fired: number; evaluated: number; deferred: number } {
    let fired = 0;
    let evaluated = 0;
    let deferred = 0;
    const all = cached(e.accountId, e.type);
    if (all.rules.length === 0) return { fired, evaluated, deferred };
    const f = facts(e, lead);
    const rules = atStage(all, e.type === 'stage_left' ? (e.data.prevStatusId ?? null) : (f.lead?.statusId ?? null));
    const now = d.clock.now();
    const verdicts: RecordedVerdict[] = [];
    const names: string[] = [];
    let firedOnLead: Map<number, number> | undefined;
    for (const rule of rules) {
      if (only && !only(rule)) continue;
      const t = rule.definition.trigger;
      // An intent filter needs the model: classify once (a job), then evaluate those rules again with the intent.
      if (t.type === 'message_received' && t.intents && e.data.intent === undefined) {
        deferred++;
        continue;
      }
      if (!mayMatch(t, e, rule) || !inScope(rule, e, f)) continue;
      // Judged as it is stored (what each check observed); `judge` gives the same verdict with the whole trace.
      const trigger = observeTrigger(t, e, rule);
      if (trigger[0] !== 1) continue;
      const conditions = evaluateObserved(rule.definition.conditions, f);
      const fires = conditions[0] === 1;
      evaluated++;
      let status: RunVerdict = fires ? 'fired' : 'skipped';
      // Only a stopped rule's reason is stored: the others follow from their conditions.
      let reason: string | undefined;
      if (fires && e.depth > d.maxDepth) {
        status = 'depth_limited';
        reason = `stopped: the event is ${e.depth} rule actions deep (limit ${d.maxDepth})`;
      } else if (fires && e.leadId !== null) {
        firedOnLead ??= d.repo.firedOnLead(e.accountId, e.leadId, now - 3_600_000);
        if ((firedOnLead.get(rule.id) ?? 0) >= rule.definition.perLeadPerHour) {
          status = 'rate_limited';
          reason = `stopped: fired ${rule.definition.perLeadPerHour} times for this lead in the last hour`;
        }
      }
      // The trace is stored as observed: the checks and expected values are the rule version's, the reason
      // follows from the conditions unless the rule was stopped (`expandTrace` puts them back); the event's
      // type, key and depth are the event row's.
      names.push(rule.name);
      verdicts.push({ ruleId: rule.id, version: rule.version, status, trace: storedTrace(rule, e, f.lead, trigger, conditions, reason) });
      if (status === 'fired') fired++;
    }
    if (deferred > 0) {
      d.queue.enqueue({ queue: RULE_CLASSIFY_QUEUE, accountId: e.accountId, payload: { event: e }, idempotencyKey: `rule-classify:${e.accountId}:${e.key}` });
    }
    if (verdicts.length === 0) return { fired, evaluated, deferred };
    const eventId = d.repo.recordEvent({
      accountId: e.accountId,
      eventKey: e.key,
      type: e.type,
      leadId: e.leadId,
      depth: e.depth,
      now,
      verdicts,
      names,
    });
    if (eventId === null) return { fired: 0, evaluated, deferred }; // recorded before (a redelivery)
    // The history index and the feed entry follow in batches (rules.projection.ts): a job every CATCH_UP_EVERY
    // events of the account (counted in memory: after a restart the count starts again, the job finds the backlog).
    const since = (sinceCatchUp.get(e.accountId) ?? 0) + 1;
    sinceCatchUp.set(e.accountId, since >= CATCH_UP_EVERY ? 0 : since);
    if (since >= CATCH_UP_EVERY)
      d.queue.enqueue({ queue: RULE_CATCH_UP_QUEUE, accountId: e.accountId, payload: {}, idempotencyKey: `rule-catch-up:${e.accountId}:${eventId}` });
    // The fired rules' actions: one job for the event, run in rule order (each run is idempotent on its own).
    // No key: the event was recorded just now, in this transaction, so its job cannot exist yet.
    if (fired > 0)
      d.queue.enqueue({
        queue: RULE_RUN_QUEUE,
        accountId: e.accountId,
        payload: { eventId },
        serialKey: e.leadId === null ? undefined : `lead:${e.accountId}:${e.leadId}`,
      });
    return { fired, evaluated, deferred };
  }

  /**
   * Could this time_in_stage rule ever fire for a lead that entered this stage? Its trigger's stage filter
   * and its scope must both name the stage (the timer fires only while the lead is still there).
   */
  function waitsIn(rule: LoadedRule, pipelineId: number | null, statusId: number | null): boolean {
    const t = rule.definition.trigger;
    const filter = 'pipelineId' in t || 'statusId' in t ? (t as { pipelineId?: number; statusId?: number }) : {};
    return (
      (filter.pipelineId === undefined || filter.pipelineId === pipelineId) &&
      (filter.statusId === undefined || filter.statusId === statusId) &&
      (rule.pipelineId === null || rule.pipelineId === pipelineId) &&
      (rule.statusId === null || rule.statusId === statusId)
    );
  }

  return { handle, judge, facts, leadOf, candidates, candidatesAt, waitsIn };
}

export type RulesEngine = ReturnType<typeof createEngine>;
