/**
 * Micro-benchmark of `parseKommoWebhook` on realistic Kommo bodies (the HTTP ack path parses every delivery).
 *
 *   npx tsx server/kommo/webhook/perf.bench.mts            # default: ./events.js
 *   BENCH_MODULE=/abs/path/to/events.ts npx tsx server/kommo/webhook/perf.bench.mts   # compare another build
 *   BENCH_ROUNDS=7 BENCH_BODIES=5000 …
 *
 * Builds ~5,000 mixed bodies once (lead status change with custom fields + tags, incoming message, task add,
 * contact with phone/email), warms up, then times several rounds and prints the median µs/body overall and
 * per kind. Run before/after back to back on the same machine: the numbers are only comparable that way.
 */
import { performance } from 'node:perf_hooks';
import { contactWebhook, emailField, incomingMessageWebhook, leadStatusWebhook, phoneField, taskWebhook } from '../../../test/fixtures/kommo-webhooks.js';

type Parse = (body: string) => { ok: boolean };

const modPath = process.env.BENCH_MODULE ?? './events.js';
const mod = (await import(modPath)) as { parseKommoWebhook: Parse };
const parse = mod.parseKommoWebhook;

const N = Number(process.env.BENCH_BODIES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const acct = { id: 30000001, subdomain: 'acme' };

const kinds = ['lead_status', 'message', 'task', 'contact'] as const;
type Kind = (typeof kinds)[number];

function build(kind: Kind, i: number): string {
  switch (kind) {
    case 'lead_status':
      return leadStatusWebhook(
        {
          id: 20_000_000 + i,
          status_id: 60_000_000 + (i % 7),
          old_status_id: 60_000_000 + ((i + 1) % 7),
          price: 1500 + i,
          name: `Deal #${i} — Café & Co`,
          custom_fields: [
            { id: 101, name: 'Budget', values: [{ value: 1500 + i }] },
            {
              id: 102,
              name: 'Channels',
              code: 'CHANNELS',
              values: [
                { value: 'Email', enum: 3001 },
                { value: 'Phone', enum: 3002 },
              ],
            },
          ],
          tags: [
            { id: 1, name: 'vip' },
            { id: 2, name: 'from site' },
          ],
        },
        acct,
      );
    case 'message':
      return incomingMessageWebhook(
        { text: `Hi! How much is the plan #${i}? Olá, quanto custa? Привет`, element_id: 20_000_000 + i, contact_id: 40_000_000 + i },
        acct,
      );
    case 'task':
      return taskWebhook('add', { id: 50_000_000 + i, element_id: 20_000_000 + i, text: `Call back the client #${i} tomorrow at 10:00` }, acct);
    case 'contact':
      return contactWebhook(
        'update',
        {
          id: 40_000_000 + i,
          name: `Ann Smith ${i}`,
          custom_fields: [phoneField(`+1 555 ${String(i).padStart(4, '0')}`), emailField(`ann${i}@example.test`)],
        },
        {},
        acct,
      );
  }
}

const bodies: Array<{ kind: Kind; body: string }> = [];
for (let i = 0; i < N; i++) {
  const kind = kinds[i % kinds.length] as Kind;
  bodies.push({ kind, body: build(kind, i) });
}
const byKind = new Map<Kind, string[]>(kinds.map((k) => [k, bodies.filter((b) => b.kind === k).map((b) => b.body)]));

// Sanity: every body parses.
for (const { kind, body } of bodies.slice(0, 8)) {
  const r = parse(body);
  if (!r.ok) throw new Error(`${kind} body did not parse: ${JSON.stringify(r)}`);
}

function timeAll(list: string[]): number {
  const t0 = performance.now();
  let ok = 0;
  for (const b of list) if (parse(b).ok) ok++;
  const t1 = performance.now();
  if (ok !== list.length) throw new Error('a body failed to parse');
  return ((t1 - t0) * 1000) / list.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

// Warm-up (JIT + inline caches), then measure.
const all = bodies.map((b) => b.body);
for (let r = 0; r < 3; r++) timeAll(all);

const mixed: number[] = [];
for (let r = 0; r < ROUNDS; r++) mixed.push(timeAll(all));
const perKind = new Map<Kind, number>();
for (const k of kinds) {
  const list = byKind.get(k) as string[];
  timeAll(list);
  const xs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) xs.push(timeAll(list));
  perKind.set(k, median(xs));
}

const avgLen = Math.round(all.reduce((n, b) => n + b.length, 0) / all.length);
const m = median(mixed);
console.log(`module: ${modPath}`);
console.log(`bodies: ${N} (avg ${avgLen} chars), rounds: ${ROUNDS}`);
console.log(
  `mixed: ${m.toFixed(1)} µs/body (min ${Math.min(...mixed).toFixed(1)}, max ${Math.max(...mixed).toFixed(1)}) ≈ ${Math.round(1e6 / m)} bodies/s/core`,
);
for (const k of kinds) {
  const len = Math.round((byKind.get(k) as string[]).reduce((n, b) => n + b.length, 0) / (byKind.get(k) as string[]).length);
  console.log(`  ${k.padEnd(12)} ${(perKind.get(k) as number).toFixed(1).padStart(7)} µs/body  (${len} chars)`);
}
