import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import type { RuleRunner } from './rules.actions.js';
import { RULE_CATCH_UP_QUEUE, RULE_CLASSIFY_QUEUE, RULE_RUN_QUEUE, type RuleEvent } from './rules.engine.js';
import type { RulesProjection } from './rules.projection.js';
import { RULE_SCHEDULE_QUEUE } from './rules.service.js';
import type { RuleTimers } from './rules.timers.js';
import { RULE_TIMER_QUEUE, type TimerPayload } from './rules.triggers.js';

const id = z.number().int();
const timerShape = z.object({
  accountId: id,
  leadId: id,
  kind: z.enum(['no_client_reply_for', 'time_in_stage', 'task_overdue']),
  since: z.number(),
  key: z.string(),
  pipelineId: id.nullable().optional(),
  statusId: id.nullable().optional(),
  taskId: id.optional(),
});

/** Adapters from the queue to the rules: a fired run's actions, waiting triggers, schedules, intent classification. */
export function rulesJobs(runner: RuleRunner, timers: RuleTimers, projection: RulesProjection) {
  return [
    defineJob({
      queue: RULE_CATCH_UP_QUEUE,
      // The account's pending history index and feed entries, in batches (idempotent: it starts from the account's mark).
      payload: z.object({}),
      handle: async (_p, { job }) => projection.catchUp(job.accountId!),
    }),
    defineJob({
      queue: RULE_RUN_QUEUE,
      // An event's fired rules, in rule order (`runIds`/`runId`: runs made up front, as jobs queued by earlier versions carry).
      payload: z.union([z.object({ eventId: id }), z.object({ runIds: z.array(id).min(1) }), z.object({ runId: id })]),
      leaseMs: 120_000,
      backoff: { baseMs: 2000, capMs: 10 * 60_000 },
      handle: async (p, { job }) => {
        const runIds = 'eventId' in p ? runner.runsOf(job.accountId!, p.eventId) : 'runIds' in p ? p.runIds : [p.runId];
        for (const runId of runIds) await runner.run(job.accountId!, runId);
      },
    }),
    defineJob({
      queue: RULE_TIMER_QUEUE,
      // A wait and its rules; a job queued before waits were batched names one rule, due when the job runs.
      payload: z.union([
        timerShape.extend({ rules: z.array(z.object({ ruleId: id, version: id, at: z.number() })).min(1) }),
        timerShape.extend({ ruleId: id, version: id }),
      ]),
      handle: async (p, { job }) =>
        timers.timer('rules' in p ? (p as TimerPayload) : ({ ...p, rules: [{ ruleId: p.ruleId, version: p.version, at: job.runAt }] } as TimerPayload)),
    }),
    defineJob({
      queue: RULE_SCHEDULE_QUEUE,
      payload: z.object({ ruleId: id, version: id, slot: z.number() }),
      handle: async (p, { job }) => timers.schedule({ ...p, accountId: job.accountId! }),
    }),
    defineJob({
      queue: RULE_CLASSIFY_QUEUE,
      // A model call each: kept to a quarter of the slots, like the other slow queues.
      share: 0.25,
      payload: z.object({ event: z.custom<RuleEvent>((v) => typeof v === 'object' && v !== null && 'accountId' in v && 'type' in v) }),
      handle: ({ event }) => timers.classify(event),
    }),
  ];
}
