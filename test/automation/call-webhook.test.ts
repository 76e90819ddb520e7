/**
 * call_webhook: https only and SSRF-guarded like the mailbox hosts. A refused address is refused before any
 * connection; an allowed one gets a Standard Webhooks signature, and a retry keeps its webhook-id.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/lib/clock.js';
import { createNetGuard } from '../../server/lib/net-guard.js';
import { createWebhookSender } from '../../server/modules/rules/rules.webhook.js';
import { FORM_HEADERS, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World | undefined;
const servers: { close(): void }[] = [];
afterEach(async () => {
  await w?.stop();
  w = undefined;
  for (const s of servers.splice(0)) s.close();
});

/** A TCP listener on loopback that only counts connections: a refused webhook must never reach it. */
async function connectionCounter() {
  let connections = 0;
  const srv = createTcpServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  servers.push(srv);
  return { port: (srv.address() as AddressInfo).port, connections: () => connections };
}

function sender(opts: { allowPrivate?: boolean; lookup?: (host: string) => Promise<{ address: string; family: number }[]> } = {}) {
  return createWebhookSender({
    clock: manualClock(Date.UTC(2026, 11, 2)),
    guard: createNetGuard({ allowPrivate: opts.allowPrivate ?? false, lookup: opts.lookup }),
    allowPrivate: opts.allowPrivate ?? false,
    timeoutMs: 2000,
    key: Buffer.alloc(32, 7),
  });
}

describe('call_webhook is SSRF-guarded', () => {
  it('refuses loopback, 10.0.0.0/8, link-local metadata and names that resolve to them, before any connection', async () => {
    const counter = await connectionCounter();
    let lookups = 0;
    const s = sender({
      lookup: async (host) => {
        lookups++;
        return host === 'hooks.internal.example' ? [{ address: '10.20.30.40', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const targets = [
      `https://127.0.0.1:${counter.port}/hook`,
      'https://10.0.0.1/hook',
      'https://10.255.1.2:8443/hook',
      'https://169.254.169.254/latest/meta-data/iam',
      'https://[::1]/hook',
      'https://hooks.internal.example/hook',
      `https://localtest.me:${counter.port}/hook`,
    ];
    for (const url of targets) await expect(s.send(1, url, 'msg-1', { a: 1 }), url).rejects.toThrow(/refused/);
    // http:// is refused outright, without the operator switch.
    await expect(s.send(1, `http://example.com:${counter.port}/hook`, 'msg-1', {})).rejects.toThrow(/only https/);
    expect(counter.connections()).toBe(0);
    expect(lookups).toBe(2); // only the two names were looked up; IP literals never went to DNS
  });

  it('a rule refuses an internal address when saved, and a name that resolves to loopback when it runs, connecting nowhere', async () => {
    const counter = await connectionCounter();
    w = await startWorld({ seed: { leads: 5, contacts: 5 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50' } });
    for (const url of [`https://127.0.0.1:${counter.port}/hook`, 'https://10.1.2.3/hook', 'https://169.254.169.254/latest', 'http://example.com/hook']) {
      const r = await w.api('POST', '/api/rules', { name: 'x', definition: { trigger: { type: 'lead_created' }, actions: [{ type: 'call_webhook', url }] } });
      expect(r.status, url).toBe(422);
      expect(r.body.errors[0].field).toBe('definition.actions.0.url');
    }
    const t = await ruleWorld(w, `https://localhost:${counter.port}/hook`);
    await t.fire();
    const run = t.run();
    expect(run.status).toBe('failed');
    expect(JSON.parse(run.results)[0]).toMatchObject({ type: 'call_webhook', status: 'failed', detail: expect.stringMatching(/refused.*loopback|refused/i) });
    expect(counter.connections()).toBe(0);
  });

  it('with the operator switch, the receiver gets a verifiable signature, and a retry after a 503 keeps the webhook-id', async () => {
    const seen: { headers: Record<string, any>; body: string }[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.statusCode = seen.length === 1 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', ok));
    servers.push(hook);
    w = await startWorld({ seed: { leads: 5, contacts: 5 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50', RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS: '1' } });
    const t = await ruleWorld(w, `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`);
    await t.fire();
    await w.later(10 * 60_000); // past the retry's backoff
    expect(seen).toHaveLength(2);
    expect(t.run().status).toBe('done');
    const [first, second] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(first.headers['webhook-id']).toBe(second.headers['webhook-id']);
    const secret = (await w.api('GET', '/api/rules/webhook-secret')).body.secret as string;
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    for (const s of seen) {
      const expected = createHmac('sha256', key).update(`${s.headers['webhook-id']}.${s.headers['webhook-timestamp']}.${s.body}`).digest('base64');
      expect(s.headers['webhook-signature']).toBe(`v1,${expected}`);
    }
    expect(JSON.parse(second.body)).toMatchObject({ rule: { name: 'Webhook rule', version: 1 }, lead: { id: t.leadId } });
    // The secret is for admins only.
    expect((await w.api('GET', '/api/rules/webhook-secret', undefined, { isAdmin: false })).status).toBe(403);
  });
});

async function ruleWorld(w: World, url: string) {
  const sales = [...w.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => sales._embedded.statuses.find((s) => s.name === name)!.id;
  const lead = [...w.sim.state.leads.values()].find((l) => l.status_id !== 142 && l.status_id !== 143)!;
  w.sim.updateLead(lead.id, { pipeline_id: sales.id, status_id: stage('Qualified') });
  await w.installAndSync();
  const created = await w.api('POST', '/api/rules', {
    name: 'Webhook rule',
    definition: { trigger: { type: 'stage_entered', statusId: stage('Proposal sent') }, actions: [{ type: 'call_webhook', url }] },
  });
  expect(created.status).toBe(201);
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  return {
    leadId: lead.id,
    async fire() {
      w.sim.tick(1);
      const moved = w.sim.updateLead(lead.id, { status_id: stage('Proposal sent') });
      const body = leadStatusWebhook(
        { id: lead.id, status_id: stage('Proposal sent'), old_status_id: stage('Qualified'), pipeline_id: sales.id, last_modified: moved.updated_at },
        { id: w.accountId, subdomain: w.sim.subdomain },
      );
      expect((await w.app.request(`/webhooks/kommo/${secret}`, { method: 'POST', headers: FORM_HEADERS, body })).status).toBe(200);
      await w.drain();
    },
    run: () =>
      w.p.sqlite
        .prepare(
          `SELECT r.*, e.event_key, e.depth, e.created_at, (SELECT json_extract(v.value, '$.trace') FROM json_each(e.verdicts) v WHERE json_extract(v.value, '$.ruleId') = r.rule_id) AS trace FROM rule_runs r JOIN rule_events e ON e.id = r.event_id WHERE r.rule_id = ?`,
        )
        .get(created.body.id) as Record<string, any>,
  };
}
