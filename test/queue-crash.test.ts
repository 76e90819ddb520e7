import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, runMigrations } from '../db/client.js';
import { JobQueue } from '../server/jobs/queue.js';
import { systemClock } from '../server/lib/clock.js';
import { spawnTs } from './helpers/spawn.js';

const children: ChildProcess[] = [];

function startWorker(dbPath: string, leaseMs: number) {
  const child = spawnTs('test/fixtures/worker-child.ts', [dbPath, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  return { child, lines };
}

async function waitFor(cond: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('a job survives kill -9 of its worker process', () => {
  it('is picked up again after its lease ends and completes exactly once', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'crash-')), 'app.db');
    const { sqlite, db } = openDatabase(dbPath);
    runMigrations(db);
    sqlite.exec('CREATE TABLE IF NOT EXISTS test_effects (job_id INTEGER NOT NULL, pid INTEGER NOT NULL)');
    const queue = new JobQueue(sqlite, systemClock);
    const ids = Array.from({ length: 6 }, (_, i) => queue.enqueue({ queue: 'effect', payload: { holdMs: i === 0 ? 60_000 : 10 } }).id);

    const a = startWorker(dbPath, 1500);
    await waitFor(() => a.lines.includes(`START ${ids[0]} 1`));
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    const mid = sqlite.prepare('SELECT status, attempts FROM jobs WHERE id = ?').get(ids[0]) as { status: string; attempts: number };
    expect(mid).toEqual({ status: 'running', attempts: 1 }); // the dead worker still "holds" it until the lease ends

    const b = startWorker(dbPath, 1500);
    await waitFor(() => (sqlite.prepare("SELECT count(*) n FROM jobs WHERE status = 'completed'").get() as { n: number }).n === ids.length);
    const rows = sqlite.prepare('SELECT id, status, attempts FROM jobs ORDER BY id').all() as { id: number; status: string; attempts: number }[];
    expect(rows.find((r) => r.id === ids[0])).toEqual({ id: ids[0], status: 'completed', attempts: 2 });
    const effects = sqlite.prepare('SELECT job_id, count(*) n FROM test_effects GROUP BY job_id ORDER BY job_id').all() as { job_id: number; n: number }[];
    expect(effects).toEqual(ids.map((id) => ({ job_id: id, n: 1 })));
    expect(b.lines).toContain(`START ${ids[0]} 2`);
    sqlite.close();
  });
});
