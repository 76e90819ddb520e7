import type { BusEventName, BusEvents } from '../../server/lib/events.js';
import { FORM_HEADERS, TEST_ACCOUNT } from '../fixtures/kommo-webhooks.js';
import { buildTestApp } from './app.js';

export const SECRET = 'whsec_test_0123456789abcdef';

/** The real app with one installed account (the fixtures' account) and a recorder on the bus. */
export function webhookWorld(opts: { env?: Record<string, string> } = {}) {
  const ctx = buildTestApp({ manualTime: true, env: opts.env });
  const now = ctx.clock!.now();
  ctx.p.sqlite
    .prepare(`INSERT INTO accounts (id, host, subdomain, name, status, webhook_secret, access_token_enc, token_expires_at, installed_at, updated_at) VALUES (?, 'acme.kommo.com', ?, 'Acme', 'connected', ?, ?, ?, ?, ?)`)
    .run(TEST_ACCOUNT.id, TEST_ACCOUNT.subdomain, SECRET, ctx.p.encryptor.encrypt('unused'), now + 86_400_000, now, now);
  const events: { name: BusEventName; payload: any }[] = [];
  const names: BusEventName[] = ['message_received', 'call_missed', 'lead_stage_entered', 'human_replied', 'lead_changed', 'task_changed'];
  for (const n of names) ctx.p.bus.on(n, (p) => events.push({ name: n, payload: p }));
  const post = (body: string, path = `/webhooks/kommo/${SECRET}`, headers: Record<string, string> = FORM_HEADERS) =>
    ctx.app.request(path, { method: 'POST', body, headers });
  const count = (sql: string, ...args: unknown[]) => (ctx.p.sqlite.prepare(sql).get(...args) as { n: number }).n;
  const activity = () => ctx.p.sqlite.prepare('SELECT type, title, lead_id AS leadId, metadata FROM activity_logs ORDER BY id').all().map((r: any) => ({ ...r, metadata: JSON.parse(r.metadata ?? '{}') }));
  const emitted = <K extends BusEventName>(name: K) => events.filter((e) => e.name === name).map((e) => e.payload as BusEvents[K]);
  return { ...ctx, post, count, activity, emitted, events, drain: () => ctx.p.worker.drain() };
}
