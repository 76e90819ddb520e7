import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The durable job queue (shape after liteque): unique (queue, idempotency_key), a lease with a
 * compare-and-swap claim token, and `serial_key` for per-key ordering (for example one lead).
 * `account_id` is null only for system jobs that span accounts (the token-refresh sweep).
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id'),
    queue: text('queue').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull().default(sql`'{}'`),
    idempotencyKey: text('idempotency_key'),
    serialKey: text('serial_key'),
    /** queued | running | completed | dead */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    runAt: integer('run_at').notNull(),
    leaseExpiresAt: integer('lease_expires_at'),
    claimToken: text('claim_token'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    // Only keyed jobs are in it (a job that cannot be enqueued twice, such as a rule event's run, has no key).
    uniqueIndex('jobs_queue_idem_uq').on(t.queue, t.idempotencyKey).where(sql`${t.idempotencyKey} IS NOT NULL`),
    // The fair claim (server/jobs/claim-order.ts): "has this queue a ready job" is one seek on the first,
    // "the next account with queued jobs" and "this account's oldest ready jobs" are seeks on the second,
    // however many jobs one account has queued. The first also serves the oldest queued job and the
    // pruning, a seek per queue; the second an account's queued jobs of a queue. Every index is written by
    // every enqueue on the hot paths, so there is none more.
    index('jobs_queue_ready_idx').on(t.status, t.queue, t.runAt),
    index('jobs_fair_idx').on(t.status, t.queue, t.accountId, t.runAt),
    index('jobs_serial_idx').on(t.serialKey, t.status, t.id),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
