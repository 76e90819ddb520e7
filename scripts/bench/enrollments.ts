import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { defineJob } from '../../server/jobs/worker.js';
import { parseEnv } from '../../server/env.js';
import type { KommoApi } from '../../server/kommo/client/types.js';
import type { Clock } from '../../server/lib/clock.js';
import { defaultWorkingHours } from '../../server/lib/working-hours.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules } from '../../server/modules.js';
import { createActionsService } from '../../server/modules/actions/actions.service.js';
import { sequencesModule } from '../../server/modules/sequences/index.js';
import { closePlatform, createPlatform, type Platform } from '../../server/platform.js';
import { seedAccount } from '../../test/helpers/seeds.js';
import { fmt, scenarioInChild } from './lib.js';
import type { Scenario } from './types.js';

const ACCOUNTS = [1, 2, 3, 4, 5];
const SEQUENCES_PER_ACCOUNT = 10;
const PIPELINE = 10;
const STAGE = 20;
const HOUR = 3_600_000;

/**
 * 100,000 active enrollments (5 accounts × 10 sequences × 2,000 leads), each made through the sequences
 * service, so each has its next step as a durable job in the queue. Most steps are due tomorrow; one
 * batch is due at the same instant. Prints the process RSS after loading (next to the RSS before) and
 * the delay from the batch's due time to each step's start (its step run), p50/p99, with the worker at
 * the product's defaults (WORKER_CONCURRENCY, the 250 ms poll). The step is add_note through the real
 * runner and action log against an in-process Kommo API that answers at once (a note into the simulator
 * would measure the simulator). Baseline, same run and queue: as many no-op jobs due at one instant.
 */
export async function enrollmentsScenario(total = 100_000, batch = 2_000): Promise<Scenario[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-enrollments-'));
  const env = parseEnv({ DATABASE_PATH: join(dir, 'app.db'), ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'), LOG_LEVEL: 'silent' });
  let offset = 0;
  let fixed: number | null = null;
  const clock: Clock = { now: () => fixed ?? Date.now() + offset };
  const p = createPlatform(env, { clock });
  try {
    const llm: LlmClient = {
      configured: false,
      chat: async () => ({ content: '', toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 }, model: 'none' }),
    };
    const m = createModules(p, { llm });
    const leadsPerAccount = Math.ceil(total / ACCOUNTS.length / SEQUENCES_PER_ACCOUNT);
    for (const accountId of ACCOUNTS) seed(p, m, accountId, leadsPerAccount);

    // The sequences module as the app builds it, with the Kommo API swapped for one that answers at once.
    const kommo = { api: (accountId: number) => fakeKommo(accountId) };
    const deps = {
      ...p,
      activity: m.activity.services.activity,
      audit: m.activity.services.audit,
      accounts: m.accounts.services.accounts,
      mirror: m.mirror.services.mirror,
      crm: m.mirror.services.read,
      kommo,
    };
    const actions = createActionsService(deps);
    const seq = sequencesModule({
      ...deps,
      access: m.access.services.access,
      actions,
      exists: { template: () => false, agent: () => false },
      ports: {
        templates: m.mail.services.templates,
        clientMail: m.mail.services.clientMail,
        agents: { followup: () => ({ queued: false, reason: 'no agent in this bench' }) },
        account: () => ({ timezone: 'UTC', hours: defaultWorkingHours('UTC'), language: 'en' }),
        lastInbound: () => null,
      },
    });
    const sequences = seq.services.sequences;
    const ids = new Map<number, number[]>();
    for (const accountId of ACCOUNTS) {
      ids.set(
        accountId,
        Array.from(
          { length: SEQUENCES_PER_ACCOUNT },
          (_, i) =>
            sequences.create(
              accountId,
              {
                name: `Follow-up ${i + 1}`,
                enabled: true,
                pipelineId: null,
                statusId: null,
                definition: {
                  steps: [
                    { type: 'add_note', text: 'Follow-up: no answer yet, call the client' },
                    { type: 'wait', amount: 2, unit: 'days' },
                    { type: 'add_note', text: 'Second follow-up' },
                  ],
                  stopOn: { clientReply: true, humanReply: true, stageChange: true, taskCompleted: false, wonLost: true },
                  sendWindow: { quietHours: null, workingHoursOnly: false, timezone: 'account' },
                },
              },
              null,
            ).id,
        ),
      );
    }

    // A forced collection before each reading, so the figure is what stays live, not garbage not yet collected.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
    // Enroll through the service. An enrollment's first step is due when it is made, so the clock stands at
    // the due time while enrolling: the batch at T, everything else a day later.
    const base = Date.now();
    const dueAt = base + HOUR;
    const laterAt = dueAt + 24 * HOUR;
    let n = 0;
    const t0 = performance.now();
    for (const accountId of ACCOUNTS) {
      const seqIds = ids.get(accountId)!;
      for (const sequenceId of seqIds) {
        p.tx(() => {
          for (let l = 0; l < leadsPerAccount && n < total; l++, n++) {
            fixed = n % Math.floor(total / batch) === 0 ? dueAt : laterAt;
            const r = sequences.enroll(accountId, sequenceId, leadId(accountId, l), 'bench');
            if (!r.enrolled) throw new Error(`enroll: ${r.reason}`);
          }
        });
      }
    }
    fixed = null;
    const loadMs = performance.now() - t0;
    await new Promise((r) => setImmediate(r)); // let the queue's wake-up microtasks run before reading memory
    gc();
    const { rss: rssLoaded, heapUsed: heapLoaded } = process.memoryUsage();
    const active = count(p, "SELECT count(*) AS n FROM sequence_enrollments WHERE status = 'active'");
    const queued = count(p, "SELECT count(*) AS n FROM jobs WHERE queue = 'sequences.step' AND status = 'queued'");
    const inBatch = count(p, `SELECT count(*) AS n FROM jobs WHERE queue = 'sequences.step' AND run_at = ${dueAt}`);

    // The batch comes due: move the clock to its due time, with the worker running as in production.
    p.worker.register(...(seq.jobs ?? []));
    p.worker.start();
    offset = dueAt - Date.now();
    const jumpedAt = clock.now();
    const cpu0 = process.cpuUsage();
    const batchDone = () => count(p, "SELECT count(*) AS n FROM sequence_step_runs WHERE step = 0 AND status <> 'running'");
    const deadline = Date.now() + 120_000;
    while (batchDone() < inBatch && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const drainMs = clock.now() - jumpedAt;
    const cpu = process.cpuUsage(cpu0);
    const delays = (p.sqlite.prepare('SELECT created_at - ? AS d FROM sequence_step_runs WHERE step = 0').all(dueAt) as { d: number }[]).map((r) => r.d);
    const notes = count(p, "SELECT count(*) AS n FROM agent_actions WHERE type = 'add_note' AND status = 'done'");
    await p.worker.stop();
    gc();
    const rssAfter = process.memoryUsage().rss;

    // Baseline: as many no-op jobs due at one instant on the same queue table, picked up by the same worker.
    let started: number[] = [];
    const noopAt = clock.now() + 60_000;
    p.worker.register(defineJob({ queue: 'bench.noop', payload: z.object({ i: z.number() }), handle: async () => void started.push(clock.now()) }));
    p.tx(() => {
      for (let i = 0; i < inBatch; i++) p.queue.enqueue({ queue: 'bench.noop', payload: { i }, runAt: noopAt });
    });
    started = [];
    p.worker.start();
    offset += noopAt - clock.now();
    const noopCpu0 = process.cpuUsage();
    const noopT0 = clock.now();
    const noopDeadline = Date.now() + 60_000;
    while (started.length < inBatch && Date.now() < noopDeadline) await new Promise((r) => setTimeout(r, 20));
    const noopMs = clock.now() - noopT0;
    const noopCpu = process.cpuUsage(noopCpu0);
    await p.worker.stop();
    const noopDelays = started.map((t) => t - noopAt);

    const p99 = pct(delays, 0.99);
    const mb = (b: number) => b / 1024 / 1024;
    return [
      {
        name: `enrollments: RSS with ${fmt(active)} active enrollments loaded`,
        value: mb(rssLoaded),
        unit: 'MB',
        baseline: mb(rssBefore),
        baselineName: 'RSS MB before loading',
        target: 'bounded (≤ 2× the RSS before loading)',
        pass: rssLoaded <= 2 * rssBefore && active === total,
        extra: {
          step_jobs_queued: queued,
          load_s: fmt(loadMs / 1000, 1),
          // The JS heap is what would grow if enrollments were held in memory; RSS also counts SQLite's page cache (64 MB at most).
          heap_before_mb: fmt(mb(heapBefore), 0),
          heap_loaded_mb: fmt(mb(heapLoaded), 0),
          rss_after_batch_mb: fmt(mb(rssAfter), 0),
        },
      },
      {
        name: `enrollments: due step → start, ${fmt(inBatch)} steps due at once among ${fmt(queued)} queued`,
        value: p99 / 1000,
        unit: 's p99',
        baseline: pct(noopDelays, 0.99) / 1000,
        baselineName: `s p99 for ${fmt(inBatch)} no-op jobs due at once`,
        target: '≤ 2 s p99',
        pass: p99 <= 2000 && delays.length === inBatch,
        extra: {
          step: 'add_note via the action log, in-process Kommo API',
          started: delays.length,
          notes_done: notes,
          p50_s: fmt(pct(delays, 0.5) / 1000, 2),
          max_s: fmt(Math.max(...delays) / 1000, 2),
          batch_done_s: fmt(drainMs / 1000, 2),
          batch_cpu_s: fmt((cpu.user + cpu.system) / 1e6, 2),
          noop_done_s: fmt(noopMs / 1000, 2),
          noop_cpu_s: fmt((noopCpu.user + noopCpu.system) / 1e6, 2),
        },
      },
    ];
  } finally {
    if (process.env.BENCH_KEEP_DB) console.error(`kept ${dir}`);
    closePlatform(p);
  }
}

const count = (p: Platform, sql: string) => (p.sqlite.prepare(sql).get() as { n: number }).n;
const leadId = (accountId: number, n: number) => accountId * 1_000_000 + n;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

function leadJson(accountId: number, id: number) {
  return {
    id,
    name: `Lead ${id}`,
    price: 1000,
    responsible_user_id: 7,
    status_id: STAGE,
    pipeline_id: PIPELINE,
    created_at: 1,
    updated_at: 1,
    account_id: accountId,
    custom_fields_values: null,
    _embedded: { tags: [], contacts: [] },
  };
}

/** A Kommo API that answers at once: the bench measures the runner and the queue, not the network. */
const fakeKommo = (accountId: number) => {
  let note = 0;
  return {
    accountId,
    getLead: async (id: number) => leadJson(accountId, id),
    createNotes: async (_entity: string, ns: unknown[]) => ns.map(() => 7_000_000 + ++note),
  } as unknown as KommoApi;
};

function seed(p: Platform, modules: ReturnType<typeof createModules>, accountId: number, leads: number) {
  const now = Date.now();
  const m = modules.mirror.services.mirror;
  p.tx(() => {
    seedAccount({ p, m: modules }, { id: accountId, subdomain: `seq${accountId}`, name: `Seq ${accountId}`, webhookSecret: `s${accountId}` });
    m.upsertUsers(accountId, [{ id: 7, name: 'Ana Silva', email: 'ana@bench.example' }] as never, now);
    m.upsertPipelines(
      accountId,
      [
        {
          id: PIPELINE,
          name: 'Sales',
          sort: 1,
          _embedded: { statuses: [STAGE, 21, 142, 143].map((id, i) => ({ id, name: `Stage ${id}`, sort: i, pipeline_id: PIPELINE })) },
        },
      ] as never,
      now,
    );
    m.upsertLeads(accountId, Array.from({ length: leads }, (_, i) => leadJson(accountId, leadId(accountId, i))) as never, now);
  });
}

/**
 * The scenario in a fresh process (`npm run bench` runs several in one): the RSS before loading must not
 * carry what earlier scenarios left behind. The child prints its results as JSON on its last line.
 */
export const enrollmentsInChild = (): Promise<Scenario[]> => scenarioInChild('scripts/bench/enrollments.ts', 'enrollments');

if (process.argv.includes('--child') && import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(JSON.stringify(await enrollmentsScenario()));
}
