import type { Logger } from 'pino';
import { openDatabase, runMigrations, statementCache, type Db, type Sqlite } from '../db/client.js';
import type { Env } from './env.js';
import { JobQueue } from './jobs/queue.js';
import { allJobs } from './jobs/registry.js';
import { Worker } from './jobs/worker.js';
import { EventBus } from './lib/bus.js';
import { systemClock, type Clock } from './lib/clock.js';
import { GroupCommitter } from './lib/group-commit.js';
import { createEncryptor, type Encryptor } from './lib/crypto.js';
import { createLogger } from './lib/logger.js';
import { Metrics } from './lib/metrics.js';
import { createActivityService, type ActivityService } from './modules/activity/activity.service.js';
import { createFeatureDeps, type FeatureDeps } from './features.js';
import type { LlmClient } from './llm/llm.types.js';

export interface BaseDeps {
  env: Env;
  sqlite: Sqlite;
  db: Db;
  /** A cached prepared statement for `sql` (hot paths; plain .run/.get/.all only). */
  stmt: ReturnType<typeof statementCache>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  encryptor: Encryptor;
  queue: JobQueue;
  activity: ActivityService;
  bus: EventBus;
  /** Run `fn` in one synchronous SQLite transaction. No await and no network call inside. */
  tx<T>(fn: () => T): T;
  /** The same, committed together with other writes of this tick (hot paths); resolves after COMMIT. */
  groupTx<T>(fn: () => T): Promise<T>;
}

export type Deps = BaseDeps & FeatureDeps & { worker: Worker };

export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  queueLeaseMs?: number;
  workerPollMs?: number;
  /** The agents' model instead of the OpenAI client built from env (the demo's local model, tests). */
  llm?: LlmClient;
}

/** Build every dependency once. Tests call this with a test env and swap any part through overrides. */
export function createDeps(env: Env, overrides: DepsOverrides = {}): Deps {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const clock = overrides.clock ?? systemClock;
  const { sqlite, db } = openDatabase(env.DATABASE_PATH);
  runMigrations(db);
  const metrics = new Metrics();
  const groupCommitter = new GroupCommitter(sqlite, 256, (writes) => {
    metrics.inc('db_group_commits_total', 'Group commits (one SQLite COMMIT shared by the writes of one tick)', {});
    metrics.inc('db_group_commit_writes_total', 'Writes carried by group commits', {}, writes);
  });
  const queue = new JobQueue(sqlite, clock, { leaseMs: overrides.queueLeaseMs });
  const base: BaseDeps = {
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
    activity: createActivityService({ db, clock }),
    bus: new EventBus(),
    tx: (fn) => sqlite.transaction(fn).immediate(),
    groupTx: (fn) => groupCommitter.run(fn),
  };
  const features = createFeatureDeps(base, { llm: overrides.llm });
  const worker = new Worker({ queue, clock, logger, metrics, groupTx: base.groupTx }, { concurrency: env.WORKER_CONCURRENCY, pollMs: overrides.workerPollMs });
  const deps: Deps = { ...base, ...features, worker };
  worker.register(...allJobs(deps));

  metrics.gauge('jobs', 'Jobs by queue and state', () =>
    queue.counts().map((r) => ({ labels: { queue: r.queue, state: r.status }, value: r.n })),
  );
  metrics.gauge('queue_lag_seconds', 'Age of the oldest runnable job', () => [{ labels: {}, value: queue.lagMs() / 1000 }]);
  return deps;
}

export function closeDeps(deps: Deps) {
  deps.sqlite.close();
}
