import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FORM_HEADERS, incomingMessageWebhook, leadStatusWebhook } from '../../test/fixtures/kommo-webhooks.js';
import { fmt, load, startServer } from './lib.js';
import type { Scenario } from './types.js';
import { BENCH_ACCOUNT, BENCH_SECRET } from './webhook-constants.js';

let seq = 0;
/** Realistic deliveries: a status change with custom fields and tags, or an incoming chat message; every one distinct. */
function makeBody(): string {
  seq++;
  if (seq % 3 === 0)
    return incomingMessageWebhook(
      { id: `bench-${process.pid}-${seq}`, text: `Hello, I would like to know the price of plan ${seq}`, element_id: 100 + (seq % 500), contact_id: 7 },
      BENCH_ACCOUNT,
    );
  return leadStatusWebhook(
    {
      id: 100 + (seq % 500),
      name: `Lead ${seq % 500}`,
      status_id: 60 + (seq % 5),
      old_status_id: 59 + (seq % 5),
      pipeline_id: 7,
      price: 1000 + seq,
      last_modified: 1_700_000_000 + seq,
      tags: [{ id: 1, name: 'vip' }],
      custom_fields: [
        { id: 501, name: 'Budget', code: 'BUDGET', values: [{ value: String(seq) }] },
        { id: 502, name: 'Source', values: [{ value: 'Instagram', enum: 3001 }] },
      ],
    },
    BENCH_ACCOUNT,
  );
}

// Built before the load starts, so the load generator spends its time sending, not encoding.
const pool: string[] = [];
let next = 0;
function realisticBody(): string {
  if (next >= pool.length) return makeBody();
  return pool[next++]!;
}

/** `ingestOnly`: just scenarios 1–3 (the HTTP ack path, where the parser runs), without the end-to-end runs. */
export async function webhookScenarios(durationSec = 5, ingestOnly = false): Promise<Scenario[]> {
  for (let i = 0; i < 110_000; i++) pool.push(makeBody());
  const out: Scenario[] = [];
  // 1–3: ingest only (the ack path), against the same server's bare /healthz.
  const srv = await startServer('scripts/bench/webhook-server.ts');
  const url = `${srv.base}/webhooks/kommo/${BENCH_SECRET}`;
  try {
    await load({ url: `${srv.base}/healthz`, durationSec: 1 });
    const bare = await load({ url: `${srv.base}/healthz`, durationSec, connections: 20 });
    const ingest = await load({ url, method: 'POST', headers: FORM_HEADERS, body: realisticBody, durationSec, connections: 20 });
    const paced = await load({ url, method: 'POST', headers: FORM_HEADERS, body: realisticBody, durationSec, connections: 10, overallRate: 500 });
    await srv.stop();
    const db = new Database(join(srv.dir, 'app.db'), { readonly: true });
    const stored = (db.prepare('SELECT count(*) n FROM webhook_deliveries').get() as { n: number }).n;
    db.close();
    const acked = ingest.total + paced.total - ingest.non2xx - paced.non2xx - ingest.errors - paced.errors;
    out.push(
      {
        name: 'webhooks: durable ingest (realistic bodies)',
        value: ingest.rps,
        unit: 'webhooks/s',
        baseline: bare.rps,
        baselineName: 'bare GET /healthz req/s',
        target: '≥ 2,000/s',
        pass: ingest.rps >= 2000 && ingest.non2xx === 0,
        extra: { p99_ms: ingest.p99, ratio: fmt(ingest.rps / bare.rps, 2) },
      },
      {
        name: 'webhooks: ack latency at 500/s',
        value: paced.p99,
        unit: 'ms p99',
        baseline: bare.p99,
        baselineName: 'bare /healthz p99 ms at full load',
        target: 'p99 < 25 ms',
        pass: paced.p99 < 25 && paced.non2xx === 0,
        extra: { p50_ms: paced.p50, rps: paced.rps },
      },
      // Requests still in flight when the load stopped are stored but never counted as acked, so stored ≥ acked.
      {
        name: 'webhooks: lost (acked but not stored)',
        value: Math.max(0, acked - stored),
        unit: 'lost',
        target: '0',
        pass: stored >= acked,
        extra: { acked, stored },
      },
    );
  } finally {
    await srv.stop().catch(() => {});
  }

  if (ingestOnly) return out;
  // 4: end to end — ingest → handler finished with the mirror updated — with the worker running:
  // a steady load above the target, then a saturating one that shows where processing tops out.
  out.push(
    await endToEnd(
      'webhooks: end to end, 20 s steady load (ingest → handler → mirror)',
      durationSec * 4,
      Number(process.env.BENCH_E2E_CONN ?? 10),
      Number(process.env.BENCH_E2E_RATE ?? 1250),
    ),
  );
  out.push(await endToEnd('webhooks: end to end at saturation (30 connections, 2,500/s asked)', durationSec * 4, 30, 2500));
  return out;
}

async function endToEnd(name: string, seconds: number, connections: number, rate: number): Promise<Scenario> {
  const e2e = await startServer('scripts/bench/webhook-server.ts', { BENCH_WORKER: '1' });
  try {
    const started = performance.now();
    const r = await load({
      url: `${e2e.base}/webhooks/kommo/${BENCH_SECRET}`,
      method: 'POST',
      headers: FORM_HEADERS,
      body: realisticBody,
      durationSec: seconds,
      connections,
      overallRate: rate,
    });
    const loadEnded = performance.now();
    const db = new Database(join(e2e.dir, 'app.db'), { readonly: true });
    const pending = () => (db.prepare("SELECT count(*) n FROM webhook_events WHERE status = 'received'").get() as { n: number }).n;
    while (pending() > 0 && performance.now() - started < 180_000) await new Promise((res) => setTimeout(res, 50));
    const elapsed = (performance.now() - started) / 1000;
    const processed = (db.prepare("SELECT count(*) n FROM webhook_events WHERE status = 'processed'").get() as { n: number }).n;
    const left = pending();
    db.close();
    // Sustained: every event processed counts, and the time runs until the last one is done (so a
    // backlog left when the load stops lowers the figure).
    const value = processed / elapsed;
    const tail = (performance.now() - loadEnded) / 1000;
    return {
      name,
      value,
      unit: 'events/s',
      baseline: r.rps,
      baselineName: 'offered ingest req/s',
      target: '≥ 1,000/s sustained',
      pass: value >= 1000 && left === 0 && r.non2xx === 0,
      extra: { events: processed, unprocessed: left, seconds: fmt(elapsed, 1), backlog_drained_after_s: fmt(tail, 1) },
    };
  } finally {
    await e2e.stop();
  }
}
