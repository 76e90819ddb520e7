import type { BusEventName, BusEvents } from '../../server/lib/events.js';
import { FORM_HEADERS, TEST_ACCOUNT } from '../fixtures/kommo-webhooks.js';
import { seedAccount } from './seeds.js';
import { startWorld } from './world.js';

export const SECRET = 'whsec_test_0123456789abcdef';

/** The world with one installed account (the fixtures' account), time standing still, and a recorder on the bus. */
export async function webhookWorld(opts: { env?: Record<string, string> } = {}) {
  const w = await startWorld({ sim: false, clock: 'manual', env: opts.env });
  seedAccount(w, { id: TEST_ACCOUNT.id, subdomain: TEST_ACCOUNT.subdomain, webhookSecret: SECRET, name: 'Acme', host: 'acme.kommo.com' });
  const events: { name: BusEventName; payload: any }[] = [];
  const names: BusEventName[] = ['message_received', 'call_missed', 'lead_stage_entered', 'human_replied', 'lead_changed', 'task_changed'];
  for (const n of names) w.p.bus.on(n, (p) => events.push({ name: n, payload: p }));
  const post = (body: string, path = `/webhooks/kommo/${SECRET}`, headers: Record<string, string> = FORM_HEADERS) =>
    w.app.request(path, { method: 'POST', body, headers });
  const activity = () =>
    w.p.sqlite
      .prepare('SELECT type, title, lead_id AS leadId, metadata FROM activity_logs ORDER BY id')
      .all()
      .map((r: any) => ({ ...r, metadata: JSON.parse(r.metadata ?? '{}') }));
  const emitted = <K extends BusEventName>(name: K) => events.filter((e) => e.name === name).map((e) => e.payload as BusEvents[K]);
  return Object.assign(w, { post, activity, emitted, events });
}

export type WebhookWorld = Awaited<ReturnType<typeof webhookWorld>>;
