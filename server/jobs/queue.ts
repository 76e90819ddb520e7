import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Sqlite } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { type AccountKey, fairJobs, type QueueLookups, rotate } from './claim-order.js';

export interface EnqueueInput {
  queue: string;
  payload?: unknown;
  accountId?: number | null;
  /** Unique per queue: a second enqueue with the same key is a no-op. */
  idempotencyKey?: string;
  /** Jobs sharing a serial key run one at a time, in enqueue order (e.g. `lead:123:456`). */
  serialKey?: string;
  /** Earliest run time (ms since epoch). Defaults to now. */
  runAt?: number;
  maxAttempts?: number;
}

export interface ClaimedJob {
  id: number;
  queue: string;
  accountId: number | null;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  claimToken: string;
  serialKey: string | null;
  createdAt: number;
  runAt: number;
}

/** Lets a claim take a job of a queue only while that queue (and its group) has a free slot: the worker's shares. */
export interface ClaimGate {
  open(queue: string): boolean;
  /** Called for each job claimed, so `open` sees it. */
  take(queue: string): void;
}

export type FailOutcome = { state: 'retry'; runAt: number } | { state: 'dead' };

export interface QueueOptions {
  leaseMs?: number;
}

/**
 * `q(name)`: the queues that have jobs in this status, each found by one seek on jobs_queue_ready_idx
 * (status, queue, run_at) past the one before, however many jobs each holds (SQLite has no skip scan
 * without statistics). `status` is a quoted status or a parameter.
 */
const queuesIn = (status: string) =>
  `q(name) AS (
     SELECT (SELECT min(queue) FROM jobs WHERE status = ${status})
     UNION ALL
     SELECT (SELECT min(queue) FROM jobs WHERE status = ${status} AND queue > q.name) FROM q WHERE q.name IS NOT NULL)`;

/**
 * The queue's SQL, on the app's own SQLite connection. Because better-sqlite3 transactions belong to
 * the connection, `enqueue` called inside any open transaction commits or rolls back with it.
 */
export class JobQueue {
  readonly events = new EventEmitter();
  readonly leaseMs: number;
  private readonly stmts;
  private lastExpiredCheck = -Infinity;
  private wakeQueued = false;
  /** Where the next claim's round-robin starts: the queue served last, and per queue the account served last. */
  private lastQueue: string | undefined;
  private readonly lastAccount = new Map<string, AccountKey>();

  constructor(
    private readonly sqlite: Sqlite,
    private readonly clock: Clock,
    opts: QueueOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.events.setMaxListeners(100);
    this.stmts = {
      insert: sqlite.prepare(
        // Positional parameters: the hottest insert there is, and binding by name costs a lookup per name.
        `INSERT INTO jobs (account_id, queue, payload, idempotency_key, serial_key, status, attempts, max_attempts, run_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
         ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
      ),
      findByKey: sqlite.prepare(`SELECT id FROM jobs WHERE queue = ? AND idempotency_key = ?`),
      // The claim's lookups (see claim-order.ts), each an index search however long one account's backlog of
      // ready jobs: `hasReady` on jobs_queue_ready_idx, `nextAccount` and `ready` on jobs_fair_idx.
      hasReady: sqlite.prepare(`SELECT 1 FROM jobs WHERE status = 'queued' AND queue = ? AND run_at <= ? LIMIT 1`),
      // Reads index entries only (run_at is in the index), so accounts whose jobs are all for later cost a
      // few entries each here instead of a statement each.
      nextAccount: sqlite.prepare(
        `SELECT account_id AS a FROM jobs WHERE status = 'queued' AND queue = ? AND account_id > ? AND run_at <= ? ORDER BY account_id LIMIT 1`,
      ),
      ready: sqlite.prepare(
        `SELECT j.id FROM jobs j
         WHERE j.status = 'queued' AND j.queue = @queue AND j.account_id IS @account AND j.run_at <= @now
           AND (j.serial_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM jobs p
             WHERE p.serial_key = j.serial_key AND p.id <> j.id
               AND (p.status = 'running'
                    OR (p.status = 'queued' AND p.id < j.id AND (p.attempts > 0 OR p.run_at <= @now)))))
         ORDER BY j.run_at, j.id
         LIMIT @limit`,
      ),
      expired: sqlite.prepare(
        `SELECT j.id, j.queue FROM jobs j
         WHERE j.status = 'running' AND j.lease_expires_at < @now
           AND j.queue IN (SELECT value FROM json_each(@queues))
           AND (j.serial_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM jobs p WHERE p.serial_key = j.serial_key AND p.id < j.id AND p.status IN ('running', 'queued') AND p.attempts > 0))
         ORDER BY j.id LIMIT @limit`,
      ),
      claim: sqlite.prepare(
        `UPDATE jobs SET status = 'running', claim_token = @token, lease_expires_at = @leaseUntil,
                attempts = attempts + 1, started_at = @now
         WHERE id = @id AND (status = 'queued' OR (status = 'running' AND lease_expires_at < @now))
         RETURNING id, queue, account_id AS accountId, payload, attempts, max_attempts AS maxAttempts,
                   claim_token AS claimToken, serial_key AS serialKey, created_at AS createdAt, run_at AS runAt`,
      ),
      complete: sqlite.prepare(
        `UPDATE jobs SET status = 'completed', finished_at = @now, lease_expires_at = NULL, claim_token = NULL, last_error = NULL
         WHERE id = @id AND claim_token = @token AND status = 'running'`,
      ),
      retry: sqlite.prepare(
        `UPDATE jobs SET status = 'queued', run_at = @runAt, lease_expires_at = NULL, claim_token = NULL,
                last_error = @error, attempts = attempts - @refund
         WHERE id = @id AND claim_token = @token AND status = 'running'`,
      ),
      dead: sqlite.prepare(
        `UPDATE jobs SET status = 'dead', finished_at = @now, lease_expires_at = NULL, claim_token = NULL, last_error = @error
         WHERE id = @id AND claim_token = @token AND status = 'running'`,
      ),
      extend: sqlite.prepare(`UPDATE jobs SET lease_expires_at = @leaseUntil WHERE id = @id AND claim_token = @token AND status = 'running'`),
      counts: sqlite.prepare(`SELECT queue, status, count(*) AS n FROM jobs GROUP BY queue, status`),
      // The earliest run time of the queued jobs: the earliest of each queue's, a seek each on jobs_queue_ready_idx.
      nextRunAt: sqlite.prepare(
        `WITH RECURSIVE ${queuesIn("'queued'")}
         SELECT min((SELECT min(run_at) FROM jobs WHERE status = 'queued' AND queue = q.name)) AS t FROM q WHERE q.name IS NOT NULL`,
      ),
      // Both deletes: run_at <= finished_at, so a run_at bound keeps each queue's search on jobs_queue_ready_idx to
      // old rows (a job cancelled before its run time waits until that time is past the cut too).
      prune: sqlite.prepare(
        `WITH RECURSIVE ${queuesIn("'completed'")}
         DELETE FROM jobs WHERE status = 'completed' AND queue IN (SELECT name FROM q) AND run_at < @before AND finished_at < @before`,
      ),
      pruneFinished: sqlite.prepare(
        `WITH RECURSIVE ${queuesIn('@status')}
         DELETE FROM jobs WHERE id IN (
           SELECT j.id FROM q CROSS JOIN jobs j
           WHERE q.name IS NOT NULL AND j.status = @status AND j.queue = q.name AND j.run_at < @before AND j.finished_at < @before LIMIT @limit)`,
      ),
      cancelQueued: sqlite.prepare(
        `UPDATE jobs SET status = 'dead', last_error = @reason, finished_at = @now WHERE account_id = @accountId AND queue = @queue AND status = 'queued'`,
      ),
    };
  }

  /**
   * Add a job. Returns its id, or the existing job's id when the idempotency key was already used.
   * Safe inside a caller's transaction: it is a single synchronous statement on the same connection.
   */
  enqueue(input: EnqueueInput): { id: number; created: boolean } {
    const now = this.clock.now();
    const res = this.stmts.insert.run(
      input.accountId ?? null,
      input.queue,
      JSON.stringify(input.payload ?? {}),
      input.idempotencyKey ?? null,
      input.serialKey ?? null,
      input.maxAttempts ?? 8,
      input.runAt ?? now,
      now,
    );
    if (res.changes === 0) {
      const row = this.stmts.findByKey.get(input.queue, input.idempotencyKey) as { id: number };
      return { id: row.id, created: false };
    }
    // Wake in-process workers after the surrounding transaction (if any) has had a chance to commit: once
    // for all the jobs enqueued in one synchronous run.
    if (!this.wakeQueued) {
      this.wakeQueued = true;
      queueMicrotask(() => {
        this.wakeQueued = false;
        this.events.emit('enqueued');
      });
    }
    return { id: Number(res.lastInsertRowid), created: true };
  }

  /**
   * Claim up to `limit` runnable jobs in one IMMEDIATE transaction, each with a fresh lease and claim token.
   * Fair: round-robin over `queues` (those the gate lets start one more job), and inside each queue over
   * accounts, starting after the queue and account served last (see claim-order.ts). Lapsed leases come first.
   */
  claim(queues: string[], limit: number, leaseMs = this.leaseMs, gate?: ClaimGate): ClaimedJob[] {
    if (limit <= 0 || queues.length === 0) return [];
    const tx = this.sqlite.transaction(() => {
      const now = this.clock.now();
      const claimed: ClaimedJob[] = [];
      const take = (id: number, queue: string): boolean => {
        const row = this.stmts.claim.get({ id, now, token: randomUUID(), leaseUntil: now + leaseMs }) as
          | (Omit<ClaimedJob, 'payload'> & { payload: string })
          | undefined;
        if (!row) return false;
        claimed.push({ ...row, payload: JSON.parse(row.payload) });
        gate?.take(queue);
        return true;
      };
      // Lapsed leases (a dead worker's jobs) are rare: look for them at most every half second.
      const checkExpired = now - this.lastExpiredCheck >= 500 || now < this.lastExpiredCheck;
      if (checkExpired) {
        this.lastExpiredCheck = now;
        const expired = this.stmts.expired.all({ now, queues: JSON.stringify(queues), limit }) as { id: number; queue: string }[];
        for (const { id, queue } of expired) if (claimed.length < limit && (!gate || gate.open(queue))) take(id, queue);
      }
      const lookups: QueueLookups = {
        nextAccount: (queue, after) => (this.stmts.nextAccount.get(queue, after, now) as { a: number } | undefined)?.a,
        ready: (queue, account, n) => (this.stmts.ready.all({ queue, account, now, limit: n }) as { id: number }[]).map((r) => r.id),
      };
      const open = (queue: string) => !gate || gate.open(queue);
      const byQueue = new Map(
        rotate(queues, this.lastQueue)
          .filter((q) => open(q) && this.stmts.hasReady.get(q, now) !== undefined)
          .map((q) => [q, fairJobs(lookups, q, this.lastAccount.get(q), limit)] as const),
      );
      while (claimed.length < limit && byQueue.size > 0) {
        for (const [queue, jobs] of byQueue) {
          if (claimed.length >= limit) break;
          const next = open(queue) ? jobs.next() : { done: true as const, value: undefined };
          if (next.done) {
            byQueue.delete(queue);
            continue;
          }
          if (take(next.value.id, queue)) {
            this.lastQueue = queue;
            this.lastAccount.set(queue, next.value.account);
          }
        }
      }
      return claimed;
    });
    return tx.immediate();
  }

  /** Mark done. False when the lease was lost (another worker re-claimed it): the result is then discarded. */
  complete(job: Pick<ClaimedJob, 'id' | 'claimToken'>): boolean {
    return this.stmts.complete.run({ id: job.id, token: job.claimToken, now: this.clock.now() }).changes === 1;
  }

  /**
   * Record a failure. A `retryAfterMs` (a 429) reschedules without spending an attempt; a permanent
   * failure or the last attempt ends in `dead` with the error kept.
   */
  fail(
    job: Pick<ClaimedJob, 'id' | 'claimToken' | 'attempts' | 'maxAttempts'>,
    error: string,
    opts: { retryAfterMs?: number; permanent?: boolean; backoff?: BackoffOptions } = {},
  ): FailOutcome {
    const now = this.clock.now();
    const message = error.slice(0, 4000);
    if (opts.retryAfterMs !== undefined && !opts.permanent) {
      const runAt = now + Math.max(0, opts.retryAfterMs);
      this.stmts.retry.run({ id: job.id, token: job.claimToken, runAt, error: message, refund: 1 });
      return { state: 'retry', runAt };
    }
    if (opts.permanent || job.attempts >= job.maxAttempts) {
      this.stmts.dead.run({ id: job.id, token: job.claimToken, now, error: message });
      return { state: 'dead' };
    }
    const runAt = now + backoffDelay(job.attempts, opts.backoff);
    this.stmts.retry.run({ id: job.id, token: job.claimToken, runAt, error: message, refund: 0 });
    return { state: 'retry', runAt };
  }

  /** Keep a long job's lease alive. False when the lease was already lost. */
  extendLease(job: Pick<ClaimedJob, 'id' | 'claimToken'>, leaseMs = this.leaseMs): boolean {
    return this.stmts.extend.run({ id: job.id, token: job.claimToken, leaseUntil: this.clock.now() + leaseMs }).changes === 1;
  }

  counts(): { queue: string; status: string; n: number }[] {
    return this.stmts.counts.all() as { queue: string; status: string; n: number }[];
  }

  /** How long the oldest runnable job has been waiting, in ms (0 when none is waiting). */
  lagMs(): number {
    const now = this.clock.now();
    const t = this.nextRunAt();
    return t === null ? 0 : Math.max(0, now - t);
  }

  nextRunAt(): number | null {
    return (this.stmts.nextRunAt.get() as { t: number | null }).t;
  }

  /**
   * End an account's waiting jobs of one queue, keeping the reason as their error (e.g. the account was
   * uninstalled: its queued turns could only fail). Running jobs finish or fail on their own.
   */
  cancelQueued(accountId: number, queue: string, reason: string): number {
    return this.stmts.cancelQueued.run({ accountId, queue, reason, now: this.clock.now() }).changes;
  }

  /** Delete up to `limit` completed and up to `limit` dead jobs that finished before `before` (one small write each). */
  pruneFinished(before: number, limit: number): number {
    let n = 0;
    for (const status of ['completed', 'dead']) n += this.stmts.pruneFinished.run({ status, before, limit }).changes;
    return n;
  }

  pruneCompleted(olderThanMs: number): number {
    return this.stmts.prune.run({ before: this.clock.now() - olderThanMs }).changes;
  }
}
