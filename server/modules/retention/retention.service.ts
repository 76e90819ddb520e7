import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Platform } from '../../platform.js';
import type { RetentionRepo } from './retention.repo.js';

export const RETENTION_QUEUE = 'retention.daily';
const DAY_MS = 24 * 3600_000;
/** Rows per write transaction: each holds the write lock for a moment only. */
const BATCH = 500;
/** Ids read per pass (one read, then writes of BATCH each). */
const PASS = 10_000;

export type RetentionDeps = Pick<Platform, 'env' | 'clock' | 'queue' | 'tx' | 'logger' | 'metrics'> & { repo: RetentionRepo };
export type Pruned = Record<'webhookEvents' | 'webhookDeliveries' | 'activity' | 'mailHtml' | 'jobs' | 'oauthStates', number>;

/**
 * Deletes what is past its keeping time, once a day: handled webhook events and raw bodies, finished
 * jobs, expired OAuth states, old activity, and inbound email HTML (the text stays). Account by account,
 * in small write transactions with the event loop free between them; safe to stop and run again.
 */
export function createRetention(d: RetentionDeps) {
  const days = (n: number) => d.clock.now() - n * DAY_MS;

  /** Read ids in passes and delete them in batches until a pass comes back short. */
  async function drain(signal: AbortSignal | undefined, read: (limit: number) => number[], remove: (ids: number[]) => number): Promise<number> {
    let n = 0;
    for (;;) {
      const ids = read(PASS);
      let removed = 0;
      for (let i = 0; i < ids.length; i += BATCH) {
        if (signal?.aborted) return n;
        const batch = ids.slice(i, i + BATCH);
        removed += d.tx(() => remove(batch));
        await yieldToLoop();
      }
      n += removed;
      // A short pass was the last; a pass whose rows all changed meanwhile would only come back the same.
      if (ids.length < PASS || removed === 0) return n;
    }
  }

  async function pruneAccount(accountId: number, counts: Pruned, signal?: AbortSignal) {
    const { repo, env } = d;
    const webhookCut = days(env.RETENTION_WEBHOOK_DAYS);
    counts.webhookEvents += await drain(
      signal,
      (limit) => repo.oldHandledEvents(accountId, webhookCut, limit),
      (ids) => repo.deleteHandledEvents(accountId, JSON.stringify(ids)),
    );
    const waiting = repo.firstDeliveryWaiting(accountId, webhookCut) ?? Number.MAX_SAFE_INTEGER;
    counts.webhookDeliveries += await drain(
      signal,
      (limit) => repo.oldDeliveries(accountId, webhookCut, waiting, limit),
      (ids) => repo.deleteDeliveries(accountId, JSON.stringify(ids)),
    );
    const activityCut = days(env.RETENTION_ACTIVITY_DAYS);
    counts.activity += await drain(
      signal,
      (limit) => repo.oldActivity(accountId, activityCut, limit),
      (ids) => repo.deleteActivity(accountId, JSON.stringify(ids)),
    );
    const htmlCut = days(env.RETENTION_MAIL_HTML_DAYS);
    counts.mailHtml += await drain(
      signal,
      (limit) => repo.oldMailHtml(accountId, htmlCut, limit),
      (ids) => repo.dropMailHtml(d.clock.now(), accountId, JSON.stringify(ids)),
    );
  }

  async function run(signal?: AbortSignal): Promise<Pruned> {
    const counts: Pruned = { webhookEvents: 0, webhookDeliveries: 0, activity: 0, mailHtml: 0, jobs: 0, oauthStates: 0 };
    for (const accountId of d.repo.accountIds()) {
      if (signal?.aborted) break;
      await pruneAccount(accountId, counts, signal);
    }
    // The queue's own table and the pre-install OAuth states belong to no account: pruned across them, in batches too.
    const jobsCut = days(d.env.RETENTION_JOBS_DAYS);
    const repeat = async (once: () => number) => {
      let total = 0;
      for (let n = once(); n > 0 && !signal?.aborted; n = once()) {
        total += n;
        await yieldToLoop();
      }
      return total;
    };
    counts.jobs += await repeat(() => d.queue.pruneFinished(jobsCut, BATCH));
    counts.oauthStates += await repeat(() => d.repo.deleteExpiredOAuthStates(d.clock.now(), BATCH));
    for (const [table, n] of Object.entries(counts)) {
      if (n > 0) d.metrics.inc('retention_deleted_total', 'Rows deleted (or, for mail HTML, emptied) by the retention job', { table }, n);
    }
    d.logger.info({ pruned: counts }, 'retention done');
    return counts;
  }

  /** Idempotent per day: every process may call it at boot; one run per UTC day is queued. */
  const schedule = (day = Math.floor(d.clock.now() / DAY_MS)) =>
    void d.queue.enqueue({ queue: RETENTION_QUEUE, payload: { day }, idempotencyKey: `retention:${day}`, runAt: day * DAY_MS, maxAttempts: 5 });

  return {
    run,
    schedule,
    /** The job: this day's run, then the next day's schedule. */
    async daily(day: number, signal?: AbortSignal): Promise<Pruned> {
      const counts = await run(signal);
      if (signal?.aborted) throw new Error('retention stopped before it finished; it runs again');
      schedule(day + 1);
      return counts;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
