import type { Logger } from 'pino';
import { openDatabase, runMigrations, statementCache, type Db, type Sqlite } from '../db/client.js';
import type { Env } from './env.js';
import { JobQueue } from './jobs/queue.js';
import { Worker } from './jobs/worker.js';
import { EventBus } from './lib/bus.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createEncryptor, type Encryptor } from './lib/crypto.js';
import { type Checkpointer, startCheckpointer } from './lib/checkpointer.js';
import { GroupCommitter } from './lib/group-commit.js';
import { createLogger } from './lib/logger.js';
import { Metrics } from './lib/metrics.js';

/**
 * What every module may be given: the database, time, logs, metrics, the outside network, encryption,
 * the job queue and its worker, and the event bus. No feature lives here; modules are built on it
 * (see modules.ts).
 */
export interface Platform {
  env: Env;
  sqlite: Sqlite;
  db: Db;
  /** A cached prepared statement for `sql` (hot paths in repositories; plain .run/.get/.all only). */
  stmt: ReturnType<typeof statementCache>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  encryptor: Encryptor;
  queue: JobQueue;
  bus: EventBus;
  worker: Worker;
  /** Run `fn` in one synchronous SQLite transaction. No await and no network call inside. */
  tx<T>(fn: () => T): T;
  /** The same, committed together with other writes of this tick (hot paths); resolves after COMMIT. */
  groupTx<T>(fn: () => T): Promise<T>;
  /** Stop the background WAL checkpoints (closePlatform does). */
  stopCheckpointer(): void;
}

export interface PlatformOverrides {
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  queueLeaseMs?: number;
  workerPollMs?: number;
}

/** Open the database (migrated) and build the shared parts once. Tests pass a test env and swap any part. */
export function createPlatform(env: Env, overrides: PlatformOverrides = {}): Platform {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  const { sqlite, db } = openDatabase(env.DATABASE_PATH);
  runMigrations(db);
  let checkpointer: Checkpointer | null = null;
  if (env.DATABASE_PATH !== ':memory:' && env.DB_CHECKPOINT_INTERVAL_MS > 0) {
    // A worker thread checkpoints; the writer only does when the WAL passes 10,000 pages (40 MB) anyway.
    sqlite.pragma('wal_autocheckpoint = 10000');
    checkpointer = startCheckpointer(env.DATABASE_PATH, {
      intervalMs: env.DB_CHECKPOINT_INTERVAL_MS,
      onError: (message) => logger.warn({ err: message }, 'background checkpoint failed'),
      onGone: () => {
        // Without it, the writer goes back to SQLite's own checkpoints every 1,000 pages.
        logger.error('the background checkpoint thread stopped; the writer checkpoints again');
        if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      },
    });
  }
  const metrics = new Metrics();
  const groupCommitter = new GroupCommitter(sqlite, 256, (writes) => {
    metrics.inc('db_group_commits_total', 'Group commits (one SQLite COMMIT shared by the writes of one tick)', {});
    metrics.inc('db_group_commit_writes_total', 'Writes carried by group commits', {}, writes);
  });
  const queue = new JobQueue(sqlite, clock, { leaseMs: overrides.queueLeaseMs });
  const groupTx = <T>(fn: () => T) => groupCommitter.run(fn);
  // One transaction function for every tx() (a SAVEPOINT when nested): better-sqlite3 builds four wrappers per transaction() call.
  const immediate = sqlite.transaction((fn: () => unknown) => fn()).immediate;
  const worker = new Worker({ queue, clock, logger, metrics, groupTx }, { concurrency: env.WORKER_CONCURRENCY, pollMs: overrides.workerPollMs });
  metrics.gauge('jobs', 'Jobs by queue and state', () => queue.counts().map((r) => ({ labels: { queue: r.queue, state: r.status }, value: r.n })));
  metrics.gauge('queue_lag_seconds', 'Age of the oldest runnable job', () => [{ labels: {}, value: queue.lagMs() / 1000 }]);
  return {
    env,
    sqlite,
    db,
    stmt: statementCache(sqlite),
    clock,
    logger,
    metrics,
    fetch: overrides.fetch ?? globalThis.fetch.bind(globalThis),
    encryptor: createEncryptor(env.ENCRYPTION_KEY),
    queue,
    bus: new EventBus(),
    worker,
    tx: <T>(fn: () => T) => immediate(fn) as T,
    groupTx,
    stopCheckpointer: () => checkpointer?.stop(),
  };
}

export function closePlatform(p: Platform): void {
  p.stopCheckpointer();
  if (!p.sqlite.open) return;
  // The checkpoint thread may still hold its connection: empty the write-ahead log here rather than leave it for the next start.
  if (p.env.DATABASE_PATH !== ':memory:') {
    try {
      p.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Busy: the log is kept and replayed at the next start; nothing is lost.
    }
  }
  p.sqlite.close();
}
