import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, runMigrations } from '../../db/client.js';
import { manualClock, systemClock, type Clock } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { RetryAfterError } from './errors.js';
import { JobQueue } from './queue.js';
import { defineJob, Worker } from './worker.js';

function setup(clock: Clock = manualClock()) {
  const { sqlite, db } = openDatabase(':memory:');
  runMigrations(db);
  const queue = new JobQueue(sqlite, clock, { leaseMs: 1000 });
  return { sqlite, queue, clock };
}
const logger = createLogger('silent');
const jobRow = (sqlite: ReturnType<typeof setup>['sqlite'], id: number) => sqlite.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, any>;

describe('JobQueue', () => {
  it('dedupes by (queue, idempotency key)', () => {
    const { queue, sqlite } = setup();
    const a = queue.enqueue({ queue: 'q', idempotencyKey: 'evt-1', payload: { n: 1 } });
    const b = queue.enqueue({ queue: 'q', idempotencyKey: 'evt-1', payload: { n: 2 } });
    const c = queue.enqueue({ queue: 'other', idempotencyKey: 'evt-1' });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(c.created).toBe(true);
    expect((sqlite.prepare('SELECT count(*) n FROM jobs').get() as any).n).toBe(2);
    expect(jobRow(sqlite, a.id).payload).toBe('{"n":1}');
  });

  it('joins the caller transaction: a rolled-back write leaves no job', () => {
    const { queue, sqlite } = setup();
    expect(() =>
      sqlite.transaction(() => {
        queue.enqueue({ queue: 'q' });
        throw new Error('business write failed');
      })(),
    ).toThrow('business write failed');
    expect((sqlite.prepare('SELECT count(*) n FROM jobs').get() as any).n).toBe(0);
  });

  it('backs off exponentially with jitter under a cap, then ends dead keeping the error', async () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    const { id } = queue.enqueue({ queue: 'flaky', maxAttempts: 4 });
    const worker = new Worker({ queue, clock, logger }, { concurrency: 1 }).register(
      defineJob({
        queue: 'flaky',
        payload: z.object({}),
        backoff: { baseMs: 1000, capMs: 3000, random: () => 1 },
        async handle() {
          throw new Error('SMTP said no');
        },
      }),
    );
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = clock.now();
      expect(await worker.drain()).toBe(1);
      const row = jobRow(sqlite, id);
      if (row.status === 'queued') delays.push(row.run_at - before);
      clock.advance(10_000);
    }
    expect(delays).toEqual([1000, 2000, 3000]); // base·2^(n-1), capped at 3000 (random()=1 → the full delay)
    const dead = jobRow(sqlite, id);
    expect(dead.status).toBe('dead');
    expect(dead.attempts).toBe(4);
    expect(dead.last_error).toBe('Error: SMTP said no');
  });

  it('jitter keeps at least half the delay and never exceeds it', async () => {
    const { backoffDelay } = await import('./backoff.js');
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, { baseMs: 1000, capMs: 60_000 });
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it("a 429's retryAfter reschedules without spending an attempt", async () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    const { id } = queue.enqueue({ queue: 'kommo', maxAttempts: 2 });
    let calls = 0;
    const worker = new Worker({ queue, clock, logger }, { concurrency: 1 }).register(
      defineJob({
        queue: 'kommo',
        payload: z.object({}),
        async handle() {
          calls++;
          if (calls <= 5) throw new RetryAfterError(2000);
        },
      }),
    );
    for (let i = 0; i < 5; i++) {
      await worker.drain();
      const row = jobRow(sqlite, id);
      expect(row.status).toBe('queued');
      expect(row.attempts).toBe(0);
      expect(row.run_at).toBe(clock.now() + 2000);
      expect(await worker.drain()).toBe(0); // not due yet
      clock.advance(2000);
    }
    await worker.drain();
    expect(jobRow(sqlite, id).status).toBe('completed');
    expect(calls).toBe(6);
  });

  it('runs scheduled jobs only when due', async () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    const ran: number[] = [];
    const worker = new Worker({ queue, clock, logger }, { concurrency: 2 }).register(
      defineJob({ queue: 'later', payload: z.object({ n: z.number() }), handle: async (p) => void ran.push(p.n) }),
    );
    queue.enqueue({ queue: 'later', payload: { n: 1 }, runAt: clock.now() + 60_000 });
    queue.enqueue({ queue: 'later', payload: { n: 2 } });
    await worker.drain();
    expect(ran).toEqual([2]);
    clock.advance(60_000);
    await worker.drain();
    expect(ran).toEqual([2, 1]);
    expect(queue.nextRunAt()).toBeNull();
    expect((sqlite.prepare("SELECT count(*) n FROM jobs WHERE status='completed'").get() as any).n).toBe(2);
  });

  it('an invalid payload goes straight to dead with the reason', async () => {
    const { queue, sqlite } = setup();
    const { id } = queue.enqueue({ queue: 'typed', payload: { leadId: 'x' } });
    const worker = new Worker({ queue, clock: systemClock, logger }, { concurrency: 1 }).register(
      defineJob({ queue: 'typed', payload: z.object({ leadId: z.number() }), handle: async () => {} }),
    );
    await worker.drain();
    const row = jobRow(sqlite, id);
    expect(row.status).toBe('dead');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/invalid payload: leadId Expected number/);
  });

  it('a lost lease is re-claimed, and the stale claimer cannot complete it', () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    const { id } = queue.enqueue({ queue: 'q' });
    const [first] = queue.claim(['q'], 1);
    expect(first?.id).toBe(id);
    expect(queue.claim(['q'], 1)).toHaveLength(0); // leased
    clock.advance(1001);
    const [second] = queue.claim(['q'], 1);
    expect(second?.id).toBe(id);
    expect(second?.attempts).toBe(2);
    expect(queue.complete(first!)).toBe(false); // compare-and-swap on the claim token
    expect(queue.complete(second!)).toBe(true);
    expect(jobRow(sqlite, id).status).toBe('completed');
  });

  it('per-key order holds under concurrency, one at a time per key, while keys run in parallel', async () => {
    const { queue } = setup(systemClock);
    const order = new Map<string, number[]>();
    const active = new Map<string, number>();
    let maxParallelSameKey = 0;
    let maxParallelOverall = 0;
    let running = 0;
    const def = defineJob({
      queue: 'lead',
      payload: z.object({ key: z.string(), seq: z.number() }),
      async handle({ key, seq }) {
        running++;
        maxParallelOverall = Math.max(maxParallelOverall, running);
        active.set(key, (active.get(key) ?? 0) + 1);
        maxParallelSameKey = Math.max(maxParallelSameKey, active.get(key)!);
        await new Promise((r) => setTimeout(r, Math.random() * 4));
        order.set(key, [...(order.get(key) ?? []), seq]);
        active.set(key, active.get(key)! - 1);
        running--;
      },
    });
    const keys = ['lead:1', 'lead:2', 'lead:3', 'lead:4', 'lead:5'];
    for (let seq = 0; seq < 30; seq++) for (const key of keys) queue.enqueue({ queue: 'lead', serialKey: key, payload: { key, seq } });
    const w1 = new Worker({ queue, clock: systemClock, logger }, { concurrency: 4, pollMs: 5 }).register(def);
    const w2 = new Worker({ queue, clock: systemClock, logger }, { concurrency: 4, pollMs: 5 }).register(def);
    w1.start();
    w2.start();
    const deadline = Date.now() + 20_000;
    while ([...order.values()].reduce((n, l) => n + l.length, 0) < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([w1.stop(), w2.stop()]);
    for (const key of keys) expect(order.get(key)).toEqual([...Array(30).keys()]);
    expect(maxParallelSameKey).toBe(1);
    expect(maxParallelOverall).toBeGreaterThan(1);
  });

  it('stop() lets a running job finish before the deadline and claims nothing new', async () => {
    const { queue, sqlite } = setup(systemClock);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const worker = new Worker({ queue, clock: systemClock, logger }, { concurrency: 1, pollMs: 5 }).register(
      defineJob({
        queue: 'slow',
        payload: z.object({}),
        async handle() {
          started++;
          await gate;
        },
      }),
    );
    const a = queue.enqueue({ queue: 'slow' });
    const b = queue.enqueue({ queue: 'slow' });
    worker.start();
    while (started === 0) await new Promise((r) => setTimeout(r, 5));
    const stopping = worker.stop(5000);
    setTimeout(release, 50);
    await stopping;
    expect(jobRow(sqlite, a.id).status).toBe('completed');
    expect(jobRow(sqlite, b.id).status).toBe('queued');
    expect(started).toBe(1);
  });

  it('a handler can complete its job inside its own transaction: effects and completion commit or roll back together', async () => {
    const { queue, sqlite } = setup(systemClock);
    sqlite.exec('CREATE TABLE effects (job_id INTEGER)');
    let failCommit = true;
    const worker = new Worker({ queue, clock: systemClock, logger }, { concurrency: 1 }).register(
      defineJob({
        queue: 'atomic',
        payload: z.object({}),
        async handle(_p, { job, complete }) {
          sqlite.transaction(() => {
            sqlite.prepare('INSERT INTO effects (job_id) VALUES (?)').run(job.id);
            complete();
            if (failCommit) throw new Error('constraint failed after the write');
          })();
        },
      }),
    );
    const { id } = queue.enqueue({ queue: 'atomic' });
    await worker.drain();
    expect(jobRow(sqlite, id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'Error: constraint failed after the write' });
    expect(sqlite.prepare('SELECT count(*) n FROM effects').get()).toEqual({ n: 0 });
    failCommit = false;
    sqlite.prepare('UPDATE jobs SET run_at = 0 WHERE id = ?').run(id);
    await worker.drain();
    expect(jobRow(sqlite, id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(sqlite.prepare('SELECT count(*) n FROM effects').get()).toEqual({ n: 1 });
  });
});

describe('pruning finished jobs', () => {
  it('deletes completed jobs past the window and, in batches, dead ones; queued, running and recent ones stay', async () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    const worker = new Worker({ queue, clock, logger }, { concurrency: 4 }).register(
      defineJob({ queue: 'ok', payload: z.object({}), handle: async () => {} }),
      defineJob({ queue: 'bad', payload: z.object({ n: z.number() }), handle: async () => {} }),
    );
    const old = [queue.enqueue({ queue: 'ok' }).id, queue.enqueue({ queue: 'bad', payload: {} }).id, queue.enqueue({ queue: 'bad', payload: {} }).id];
    await worker.drain();
    clock.advance(8 * 24 * 3600_000);
    const recent = [queue.enqueue({ queue: 'ok' }).id, queue.enqueue({ queue: 'bad', payload: {} }).id];
    await worker.drain();
    const waiting = queue.enqueue({ queue: 'ok', runAt: clock.now() + 1000 }).id;
    const status = () => sqlite.prepare('SELECT id, status FROM jobs ORDER BY id').all() as { id: number; status: string }[];

    expect(queue.pruneCompleted(7 * 24 * 3600_000)).toBe(1); // the housekeeping: completed only
    expect(status().map((r) => r.id)).toEqual([old[1], old[2], ...recent, waiting]);
    const cut = clock.now() - 7 * 24 * 3600_000;
    expect(queue.pruneFinished(cut, 1)).toBe(1); // retention: one batch of one
    expect(queue.pruneFinished(cut, 1)).toBe(1);
    expect(queue.pruneFinished(cut, 1)).toBe(0);
    expect(status()).toEqual([
      { id: recent[0], status: 'completed' },
      { id: recent[1], status: 'dead' },
      { id: waiting, status: 'queued' },
    ]);
  });
});

describe('fair claiming', () => {
  /** A's backlog: `n` ready turns on `n` leads, enqueued before anything else (so a plain FIFO serves them first). */
  function backlog(queue: JobQueue, n: number, accountId = 1) {
    queue['sqlite'].transaction(() => {
      for (let i = 0; i < n; i++) queue.enqueue({ queue: 'turns', accountId, serialKey: `lead:${accountId}:${i}`, payload: { i } });
    })();
  }
  const accountOf = (sqlite: ReturnType<typeof setup>['sqlite'], id: number) => jobRow(sqlite, id).account_id as number | null;

  it("another account's webhook jobs are claimed within the first claims behind 10,000 queued turns", () => {
    const { queue, sqlite } = setup();
    backlog(queue, 10_000);
    const webhooks = [1, 2, 3].map((i) => queue.enqueue({ queue: 'webhooks', accountId: 2, serialKey: `lead:2:${i}`, payload: { i } }).id);
    const firstSix = Array.from({ length: 6 }, () => queue.claim(['turns', 'webhooks'], 1)).flat();
    expect(firstSix.filter((j) => j.queue === 'webhooks').map((j) => j.id)).toEqual(webhooks);
    expect(firstSix.filter((j) => j.queue === 'turns').every((j) => accountOf(sqlite, j.id) === 1)).toBe(true);
    // One claim of several slots takes from both queues at once.
    const more = queue.enqueue({ queue: 'webhooks', accountId: 2, payload: {} }).id;
    expect(queue.claim(['turns', 'webhooks'], 4).map((j) => j.id)).toContain(more);
  });

  it('accounts alternate inside one queue, and an account that had nothing waiting is served next', () => {
    const { queue, sqlite } = setup();
    backlog(queue, 10_000, 1);
    queue.enqueue({ queue: 'turns', accountId: 2, payload: { b: 1 } });
    queue.enqueue({ queue: 'turns', accountId: 2, payload: { b: 2 } });
    const single = () => queue.claim(['turns'], 1).map((j) => accountOf(sqlite, j.id));
    expect([single(), single(), single(), single(), single(), single()].flat()).toEqual([1, 2, 1, 2, 1, 1]);
    queue.enqueue({ queue: 'turns', accountId: 3, payload: {} });
    queue.enqueue({ queue: 'turns', payload: { system: true } });
    expect(queue.claim(['turns'], 4).map((j) => accountOf(sqlite, j.id))).toEqual([3, null, 1, 1]);
  });

  it('passes over accounts whose jobs are all for later, and takes them in once they are due', () => {
    const clock = manualClock();
    const { queue, sqlite } = setup(clock);
    for (const accountId of [1, 2, 4]) for (let i = 0; i < 3; i++) queue.enqueue({ queue: 'turns', accountId, runAt: clock.now() + 60_000 });
    queue.enqueue({ queue: 'turns', accountId: 3 });
    queue.enqueue({ queue: 'turns', accountId: 3 });
    const first = queue.claim(['turns'], 4);
    expect(first.map((j) => accountOf(sqlite, j.id))).toEqual([3, 3]);
    for (const j of first) queue.complete(j);
    clock.advance(60_000);
    expect(queue.claim(['turns'], 4).map((j) => accountOf(sqlite, j.id))).toEqual([4, 1, 2, 4]);
  });

  it('a claim of many slots spreads them over the accounts before giving one account a second job', () => {
    const { queue, sqlite } = setup();
    for (const accountId of [1, 2, 3]) backlog(queue, 50, accountId);
    const accounts = queue.claim(['turns'], 7).map((j) => accountOf(sqlite, j.id));
    expect(accounts).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(queue.claim(['turns'], 2).map((j) => accountOf(sqlite, j.id))).toEqual([2, 3]);
  });

  it("keeps per-key order inside an account, and skips a blocked key for the same account's next lead", () => {
    const { queue, sqlite } = setup();
    const a1 = queue.enqueue({ queue: 'turns', accountId: 1, serialKey: 'lead:1:7' }).id;
    const a2 = queue.enqueue({ queue: 'turns', accountId: 1, serialKey: 'lead:1:7' }).id;
    const a3 = queue.enqueue({ queue: 'turns', accountId: 1, serialKey: 'lead:1:8' }).id;
    const b1 = queue.enqueue({ queue: 'turns', accountId: 2, serialKey: 'lead:2:1' }).id;
    expect(queue.claim(['turns'], 10).map((j) => j.id)).toEqual([a1, b1, a3]);
    expect(jobRow(sqlite, a2).status).toBe('queued');
  });

  it('respects the gate: a queue without room is skipped and the others fill the claim', () => {
    const { queue } = setup();
    backlog(queue, 100);
    queue.enqueue({ queue: 'webhooks', accountId: 2 });
    queue.enqueue({ queue: 'webhooks', accountId: 3 });
    let turns = 0;
    const gate = { open: (q: string) => q !== 'turns' || turns < 1, take: (q: string) => void (q === 'turns' && turns++) };
    expect(
      queue
        .claim(['turns', 'webhooks'], 10, undefined, gate)
        .map((j) => j.queue)
        .sort(),
    ).toEqual(['turns', 'webhooks', 'webhooks']);
  });

  it('each lookup of the claim is an index search, never a scan of the backlog', () => {
    const { queue, sqlite } = setup();
    const stmts = queue['stmts'];
    const plan = (stmt: { source: string }, ...args: unknown[]) =>
      (sqlite.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan(stmts.hasReady, 'q', 0)).toBe('SEARCH jobs USING COVERING INDEX jobs_queue_ready_idx (status=? AND queue=? AND run_at<?)');
    expect(plan(stmts.nextAccount, 'q', 0, 0)).toBe('SEARCH jobs USING COVERING INDEX jobs_fair_idx (status=? AND queue=? AND account_id>?)');
    expect(plan(stmts.ready, { queue: 'q', account: 1, now: 0, limit: 1 })).toBe(
      'SEARCH j USING INDEX jobs_fair_idx (status=? AND queue=? AND account_id=? AND run_at<?) | CORRELATED SCALAR SUBQUERY 1 | SEARCH p USING INDEX jobs_serial_idx (serial_key=?)',
    );
  });

  it('the queue keeps only the indexes the claim needs; the oldest job, pruning and cancelling seek on them', () => {
    const { queue, sqlite } = setup();
    const stmts = queue['stmts'];
    const indexes = sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL ORDER BY name").pluck().all();
    // Every enqueue writes each of these (the hot paths enqueue per event): nothing else is kept.
    expect(indexes).toEqual(['jobs_fair_idx', 'jobs_queue_idem_uq', 'jobs_queue_ready_idx', 'jobs_serial_idx']);
    // Jobs without a key are not in the key's index at all, and are never taken for one another.
    expect(sqlite.prepare("SELECT sql FROM sqlite_schema WHERE name = 'jobs_queue_idem_uq'").pluck().get()).toMatch(/WHERE .*idempotency_key.* IS NOT NULL$/);
    expect([queue.enqueue({ queue: 'k' }).created, queue.enqueue({ queue: 'k' }).created]).toEqual([true, true]);
    expect([queue.enqueue({ queue: 'k', idempotencyKey: 'x' }).created, queue.enqueue({ queue: 'k', idempotencyKey: 'x' }).created]).toEqual([true, false]);
    const plan = (stmt: { source: string }, args: object) =>
      (sqlite.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(args) as { detail: string }[]).map((r) => r.detail);
    const args = { status: 'completed', before: 0, limit: 5, now: 0, accountId: 1, queue: 'q', reason: '' };
    // No step scans the table or a whole index: each queue is found by a seek past the one before.
    for (const stmt of [stmts.nextRunAt, stmts.prune, stmts.pruneFinished, stmts.cancelQueued]) {
      const steps = plan(stmt, args);
      expect(steps.filter((s) => s.startsWith('SCAN') && !/^SCAN (q|CONSTANT ROW)$/.test(s))).toEqual([]);
      expect(steps.some((s) => /USING (COVERING )?INDEX jobs_(queue_ready|fair)_idx \(status=\? AND queue[=>]\?/.test(s))).toBe(true);
    }
    expect(plan(stmts.nextRunAt, {}).at(-1)).toBe('SEARCH jobs USING COVERING INDEX jobs_queue_ready_idx (status=? AND queue=?)');
  });

  it('the oldest queued job is the earliest of every queue, ready or not', () => {
    const clock = manualClock(1_000_000);
    const { queue } = setup(clock);
    expect(queue.nextRunAt()).toBeNull();
    queue.enqueue({ queue: 'b', runAt: 1_000_500 });
    queue.enqueue({ queue: 'a', runAt: 1_002_000 });
    queue.enqueue({ queue: 'c', runAt: 999_000 });
    expect(queue.nextRunAt()).toBe(999_000);
    expect(queue.lagMs()).toBe(1_000);
    const c = queue.claim(['c'], 1)[0]!;
    queue.complete(c);
    expect(queue.nextRunAt()).toBe(1_000_500);
    expect(queue.lagMs()).toBe(0);
    clock.advance(2_000);
    expect(queue.lagMs()).toBe(1_500);
  });
});

describe('worker wake-up', () => {
  it('an enqueue wakes an idle worker at once instead of waiting for the pending idle poll', async () => {
    const { queue } = setup(systemClock);
    const ran: number[] = [];
    const worker = new Worker({ queue, clock: systemClock, logger }, { concurrency: 2, pollMs: 600_000 }).register(
      defineJob({ queue: 'q', payload: z.object({ n: z.number() }), handle: async ({ n }) => void ran.push(n) }),
    );
    worker.start();
    await new Promise((r) => setTimeout(r, 20)); // the first tick found nothing and armed the ten-minute poll
    queue.enqueue({ queue: 'q', payload: { n: 1 } });
    const deadline = Date.now() + 10_000;
    while (ran.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    expect(ran).toEqual([1]);
  });
});

describe('worker shares', () => {
  it('slow queues never fill every slot: webhook jobs run while turns and a sync hold theirs', async () => {
    const { queue } = setup(systemClock);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const running = { turns: 0, sync: 0 };
    const peak = { turns: 0, sync: 0 };
    const slow = (name: 'turns' | 'sync', share: number) =>
      defineJob({
        queue: name,
        payload: z.object({}).passthrough(),
        share,
        async handle() {
          running[name]++;
          peak[name] = Math.max(peak[name], running[name]);
          await held;
          running[name]--;
        },
      });
    const handled: number[] = [];
    const worker = new Worker({ queue, clock: systemClock, logger }, { concurrency: 4, pollMs: 5 }).register(
      slow('turns', 0.5),
      slow('sync', 0.5),
      defineJob({ queue: 'webhooks', payload: z.object({ i: z.number() }), handle: async ({ i }) => void handled.push(i) }),
    );
    for (let i = 0; i < 20; i++) queue.enqueue({ queue: 'turns', accountId: 1, payload: { i } });
    for (let i = 0; i < 5; i++) queue.enqueue({ queue: 'sync', accountId: 1, payload: { i } });
    worker.start();
    while (running.turns + running.sync < 3) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 10; i++) queue.enqueue({ queue: 'webhooks', accountId: 2, payload: { i } });
    const deadline = Date.now() + 10_000;
    while (handled.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    // Turns (share ½ of 4 = 2) and the sync (share ½, but the slow queues together leave a quarter free) held
    // three slots throughout; the webhooks all went through the fourth.
    expect(handled).toHaveLength(10);
    expect(peak).toEqual({ turns: 2, sync: 1 });
    expect(running).toEqual({ turns: 2, sync: 1 });
    release();
    await worker.stop();
  });
});
