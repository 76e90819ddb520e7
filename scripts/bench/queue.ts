import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openDatabase, runMigrations } from '../../db/client.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { defineJob, Worker } from '../../server/jobs/worker.js';
import { systemClock } from '../../server/lib/clock.js';
import { createLogger } from '../../server/lib/logger.js';
import type { Scenario } from './types.js';

/**
 * Queue throughput: enqueue N jobs, then two workers (each on its own connection, as two processes
 * would be) claim and complete them. Baseline: the same number of bare INSERT + UPDATE statements on
 * the same kind of database — the floor any SQLite-backed queue pays.
 */
export async function queueScenario(n = 20_000): Promise<Scenario[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
  const path = join(dir, 'q.db');
  const a = openDatabase(path);
  runMigrations(a.db);
  const b = openDatabase(path);
  const logger = createLogger('silent');
  const qa = new JobQueue(a.sqlite, systemClock);
  const qb = new JobQueue(b.sqlite, systemClock);
  let done = 0;
  const def = defineJob({ queue: 'bench', payload: z.object({ i: z.number() }), handle: async () => void done++ });

  const t0 = performance.now();
  a.sqlite.transaction(() => {
    for (let i = 0; i < n; i++) qa.enqueue({ queue: 'bench', payload: { i }, serialKey: `lead:${i % 500}` });
  })();
  const enqueueMs = performance.now() - t0;

  const w1 = new Worker({ queue: qa, clock: systemClock, logger }, { concurrency: 8, pollMs: 1 }).register(def);
  const w2 = new Worker({ queue: qb, clock: systemClock, logger }, { concurrency: 8, pollMs: 1 }).register(def);
  const t1 = performance.now();
  w1.start();
  w2.start();
  while (done < n) await new Promise((r) => setTimeout(r, 5));
  const runMs = performance.now() - t1;
  await Promise.all([w1.stop(), w2.stop()]);

  // Baseline: one INSERT then one UPDATE per row, each its own transaction, like a claim + completion.
  const base = openDatabase(join(dir, 'base.db'));
  base.sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, payload TEXT)');
  const ins = base.sqlite.prepare("INSERT INTO t (status, payload) VALUES ('queued', ?)");
  const upd = base.sqlite.prepare("UPDATE t SET status = 'done' WHERE id = ?");
  const t2 = performance.now();
  for (let i = 0; i < n; i++) {
    const id = ins.run('{}').lastInsertRowid;
    upd.run(id);
  }
  const baseMs = performance.now() - t2;
  for (const d of [a, b, base]) d.sqlite.close();

  const jobsPerSec = n / (runMs / 1000);
  const baseRowsPerSec = n / (baseMs / 1000);
  return [
    {
      name: 'queue: jobs completed/s (2 workers, 500 serial keys)',
      value: jobsPerSec,
      unit: 'jobs/s',
      baseline: baseRowsPerSec,
      baselineName: 'bare insert+update rows/s',
      target: '≥ 1,000 jobs/s',
      pass: jobsPerSec >= 1000,
    },
    {
      name: 'queue: enqueue rate (one transaction)',
      value: n / (enqueueMs / 1000),
      unit: 'jobs/s',
      baseline: baseRowsPerSec,
      baselineName: 'bare insert+update rows/s',
      target: 'info',
      pass: true,
    },
  ];
}
