import type { JobQueue } from '../../jobs/queue.js';
import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import type { LeadSnapshot } from '../../lib/events.js';
import type { LeadLoader, RulesEngine, RuleEvent } from './rules.engine.js';
import type { RulesRepo } from './rules.repo.js';

export const RULE_TIMER_QUEUE = 'rules.timer';

/** One wait (a stage entered, a message sent, a task due) and the rule versions waiting on it, each with when it comes due. */
export interface TimerPayload {
  accountId: number;
  leadId: number;
  kind: 'no_client_reply_for' | 'time_in_stage' | 'task_overdue';
  /** When the wait started (the message sent, the stage entered, the task due). */
  since: number;
  key: string;
  rules: { ruleId: number; version: number; at: number }[];
  pipelineId?: number | null;
  statusId?: number | null;
  taskId?: number;
}

/**
 * The timer job for the rules of one wait still to come due: one job, due when the first of them is. Its key
 * starts with when the wait began, so the timers armed by one commit sit side by side in the key's index.
 */
export function timerJob(p: TimerPayload) {
  const at = Math.min(...p.rules.map((r) => r.at));
  return { queue: RULE_TIMER_QUEUE, accountId: p.accountId, payload: p, idempotencyKey: `rule-timer:${p.accountId}:${p.since}:${p.key}:${at}`, runAt: at };
}

/** The ids of the fields whose value differs between the snapshots (a field missing on one side is empty). */
function diffFields(prev: LeadSnapshot, next: LeadSnapshot): number[] {
  const changed: number[] = [];
  const a = prev.fields as Record<string, string | undefined>;
  const b = next.fields as Record<string, string | undefined>;
  for (const k in a) if ((a[k] ?? '') !== (b[k] ?? '')) changed.push(Number(k));
  for (const k in b) if (!(k in a) && (b[k] ?? '') !== '') changed.push(Number(k));
  return changed;
}

/**
 * The bus → rule events. Everything here runs inside the publisher's transaction and only reads,
 * writes rule runs and enqueues jobs. Waiting triggers (no reply, time in stage, overdue task) become
 * durable timer jobs; when one comes due it checks that what it waited for is still true.
 */
export function subscribeRuleTriggers(
  bus: EventBus,
  d: { engine: RulesEngine; repo: RulesRepo; queue: JobQueue; clock: Clock; texts(accountId: number, messageIds: number[]): string[] },
): () => void {
  const fire = (e: RuleEvent, lead?: LeadLoader) => d.engine.handle(e, undefined, lead);
  const depthOf = (o: { depth?: number }) => o.depth ?? 0;

  /** One timer job per wait, holding every rule waiting on it (a redelivered event schedules the same job once). */
  function arm(
    accountId: number,
    kind: TimerPayload['kind'],
    leadId: number,
    since: number,
    key: string,
    extra: Partial<TimerPayload>,
    dueAt: (minutes: number) => number,
  ) {
    const waiting: TimerPayload['rules'] = [];
    // A stage timer looks only at the rules that can apply in the stage entered.
    const rules = kind === 'time_in_stage' ? d.engine.candidatesAt(accountId, kind, extra.statusId ?? null) : d.engine.candidates(accountId, kind);
    for (const rule of rules) {
      // A stage timer only for the rules that wait in the stage entered (the others could never fire).
      if (kind === 'time_in_stage' && !d.engine.waitsIn(rule, extra.pipelineId ?? null, extra.statusId ?? null)) continue;
      const t = rule.definition.trigger;
      waiting.push({ ruleId: rule.id, version: rule.version, at: dueAt('minutes' in t ? t.minutes : 0) });
    }
    if (waiting.length > 0) d.queue.enqueue(timerJob({ accountId, leadId, kind, since, key, ...extra, rules: waiting }));
  }

  const offs = [
    bus.on('lead_changed', (e) => {
      const base = { accountId: e.accountId, leadId: e.leadId, depth: depthOf(e) };
      const key = e.eventKey ?? `lead:${e.leadId}:${e.action}:${d.clock.now()}`;
      const lead = d.engine.leadOf(e.accountId, e.leadId);
      if (e.action === 'add') fire({ ...base, type: 'lead_created', key, data: { pipelineId: e.pipelineId, statusId: e.statusId } }, lead);
      const { prev, next } = e;
      if (!prev || !next) return;
      if (prev.responsibleUserId !== next.responsibleUserId) fire({ ...base, type: 'responsible_changed', key, data: {} }, lead);
      const fieldIds = diffFields(prev, next);
      if (fieldIds.length) fire({ ...base, type: 'field_changed', key, data: { fieldIds } }, lead);
      const added = next.tags.filter((t) => !prev.tags.some((p) => p.toLowerCase() === t.toLowerCase()));
      if (added.length) fire({ ...base, type: 'tag_added', key, data: { tags: added } }, lead);
    }),
    bus.on('lead_stage_entered', (e) => {
      const key = e.eventKey ?? `stage:${e.leadId}:${e.pipelineId}:${e.statusId}:${d.clock.now()}`;
      const base = { accountId: e.accountId, leadId: e.leadId, depth: depthOf(e), key };
      const data = { pipelineId: e.pipelineId, statusId: e.statusId, prevPipelineId: e.prevPipelineId ?? null, prevStatusId: e.prevStatusId ?? null };
      const lead = d.engine.leadOf(e.accountId, e.leadId);
      if (e.prevStatusId) fire({ ...base, type: 'stage_left', data }, lead);
      fire({ ...base, type: 'stage_entered', data }, lead);
      const now = d.clock.now();
      arm(
        e.accountId,
        'time_in_stage',
        e.leadId,
        now,
        `stage:${e.leadId}:${e.statusId}:${now}`,
        { pipelineId: e.pipelineId, statusId: e.statusId },
        (m) => now + m * 60_000,
      );
    }),
    bus.on('message_received', (e) => {
      const key = e.eventKey ?? `msg:${e.messageIds.join(',')}`;
      const base = { accountId: e.accountId, leadId: e.leadId, depth: depthOf(e), key };
      const text = d.texts(e.accountId, e.messageIds).join('\n');
      const lead = d.engine.leadOf(e.accountId, e.leadId);
      fire({ ...base, type: 'message_received', data: { channel: e.channel, text } }, lead);
      if (e.channel === 'email') fire({ ...base, type: 'email_received', data: { channel: 'email', text } }, lead);
    }),
    bus.on('message_sent', (e) => {
      const now = d.clock.now();
      const key = `sent:${e.leadId}:${e.eventKey ?? now}`;
      arm(e.accountId, 'no_client_reply_for', e.leadId, now, key, {}, (m) => now + m * 60_000);
    }),
    bus.on('task_changed', (e) => {
      if (e.leadId === null) return;
      const key = e.eventKey ?? `task:${e.taskId}:${e.action}:${d.clock.now()}`;
      const base = { accountId: e.accountId, leadId: e.leadId, depth: depthOf(e), key };
      const lead = d.engine.leadOf(e.accountId, e.leadId);
      if (e.action === 'add') fire({ ...base, type: 'task_created', data: { taskId: e.taskId, text: e.text ?? undefined } }, lead);
      if (e.completed && !e.wasCompleted) fire({ ...base, type: 'task_completed', data: { taskId: e.taskId, text: e.text ?? undefined } }, lead);
      if (!e.completed && e.completeTill && (e.action === 'add' || e.action === 'update')) {
        const due = e.completeTill * 1000;
        arm(e.accountId, 'task_overdue', e.leadId, due, `task:${e.taskId}:${due}`, { taskId: e.taskId }, () => due);
      }
    }),
    bus.on('call_missed', (e) => {
      if (e.leadId === null) return;
      fire({ accountId: e.accountId, leadId: e.leadId, depth: depthOf(e), type: 'call_missed', key: e.eventKey ?? `call:${e.callId}`, data: {} });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
