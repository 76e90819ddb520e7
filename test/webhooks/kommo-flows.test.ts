import { afterEach, describe, expect, it } from 'vitest';
import { signJwt } from '../../server/lib/jwt.js';
import type { BusEventName } from '../../server/lib/events.js';
import { dpRequest, FORM_HEADERS, leadNoteWebhook, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
afterEach(async () => world?.stop());

async function installed() {
  world = await startWorld({ seed: { leads: 20, contacts: 10 } });
  await world.install();
  await world.drain();
  const secret = (world.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  const acct = { id: world.sim.accountId, subdomain: world.sim.subdomain };
  const seen: Record<string, any[]> = {};
  for (const n of ['lead_stage_entered', 'lead_changed', 'message_received'] as BusEventName[]) world.p.bus.on(n, (p) => (seen[n] ??= []).push(p));
  const post = (body: string, path = `/webhooks/kommo/${secret}`, headers: Record<string, string> = FORM_HEADERS) =>
    world.app.request(path, { method: 'POST', body, headers });
  return { secret, acct, seen, post };
}

/** The account's Digital Pipeline token, as the widget fetches it to write into a DP action's settings. */
async function dpToken(): Promise<string> {
  const res = await world.api('GET', '/api/integrations/dp-token');
  expect(res.status).toBe(200);
  return res.body.token;
}

describe('webhooks against the simulator', () => {
  it('an echo of our own write does not retrigger', async () => {
    const { acct, seen, post } = await installed();
    const l = [...world.sim.state.leads.values()][0]!;
    const target = [...world.sim.state.pipelines.get(l.pipeline_id)!._embedded.statuses].find(
      (s: any) => s.id !== l.status_id && s.id !== 142 && s.id !== 143,
    )!;
    await world.m.kommo.services.api(acct.id).updateLead(l.id, { status_id: target.id }); // what an agent action does
    const after = world.sim.state.leads.get(l.id)!;
    // Kommo then tells us about the change we made.
    const res = await post(
      leadStatusWebhook({ id: l.id, status_id: target.id, old_status_id: l.status_id, pipeline_id: l.pipeline_id, last_modified: after.updated_at }, acct),
    );
    expect(res.status).toBe(200);
    await world.drain();
    expect(seen.lead_stage_entered ?? []).toHaveLength(0);
    const entry = world.p.sqlite.prepare("SELECT title, metadata FROM activity_logs WHERE type = 'lead.status'").get() as any;
    expect(entry.title).toMatch(/\(by the AI agent\)$/);
    expect(JSON.parse(entry.metadata).echo).toBe(true);
    expect((world.p.sqlite.prepare('SELECT status_id FROM leads WHERE id = ?').get(l.id) as any).status_id).toBe(target.id);

    // The same move made by a person does trigger.
    const other = [...world.sim.state.leads.values()][1]!;
    world.sim.updateLead(other.id, { status_id: target.id, pipeline_id: l.pipeline_id });
    const moved = world.sim.state.leads.get(other.id)!;
    await post(
      leadStatusWebhook(
        { id: other.id, status_id: target.id, old_status_id: other.status_id, pipeline_id: l.pipeline_id, last_modified: moved.updated_at },
        acct,
      ),
    );
    await world.drain();
    expect(seen.lead_stage_entered).toEqual([expect.objectContaining({ leadId: other.id, statusId: target.id, source: 'webhook' })]);
  });

  it('two status changes in the same second are settled by re-fetching the lead from Kommo', async () => {
    const { acct, post } = await installed();
    const l = [...world.sim.state.leads.values()][2]!;
    const statuses = world.sim.state.pipelines.get(l.pipeline_id)!._embedded.statuses.filter((s: any) => s.id !== 142 && s.id !== 143 && s.id !== l.status_id);
    const [a, b] = [statuses[0]!, statuses[1]!];
    world.sim.tick(5);
    world.sim.updateLead(l.id, { status_id: b.id }); // Kommo's final state
    const ts = world.sim.state.leads.get(l.id)!.updated_at;
    await post(leadStatusWebhook({ id: l.id, status_id: b.id, old_status_id: a.id, pipeline_id: l.pipeline_id, last_modified: ts }, acct));
    await post(leadStatusWebhook({ id: l.id, status_id: a.id, old_status_id: l.status_id, pipeline_id: l.pipeline_id, last_modified: ts }, acct));
    await world.drain();
    expect((world.p.sqlite.prepare('SELECT status_id FROM leads WHERE id = ?').get(l.id) as any).status_id).toBe(b.id);
    expect(world.sim.requests.some((r) => r.path === `/api/v4/leads/${l.id}`)).toBe(true);
  });

  it('a Digital Pipeline trigger (JSON or form) wakes the stage once, even when Kommo retries it', async () => {
    const { secret, acct, seen } = await installed();
    const settings = { agent_id: '', kai_dp_token: await dpToken() };
    const l = [...world.sim.state.leads.values()][3]!;
    const json = dpRequest({ lead_id: l.id, status_id: l.status_id, pipeline_id: l.pipeline_id, time: 1_700_000_500, settings }, 'json', acct);
    for (let i = 0; i < 2; i++) {
      const res = await world.app.request(`/webhooks/dp/${secret}`, { method: 'POST', body: json.body, headers: { 'content-type': json.contentType } });
      expect(res.status).toBe(200);
    }
    // The same lead entering the same stage again after the dedupe window is a new trigger.
    world.clock.advance(world.p.env.DP_DEDUPE_WINDOW_MS + 1);
    const form = dpRequest(
      { lead_id: l.id, status_id: l.status_id, pipeline_id: l.pipeline_id, time: 1_700_000_900, type_code: 'lead_status_changed', settings },
      'form',
      acct,
    );
    expect((await world.app.request(`/webhooks/dp/${secret}`, { method: 'POST', body: form.body, headers: { 'content-type': form.contentType } })).status).toBe(
      200,
    );
    await world.drain();
    expect(seen.lead_stage_entered).toEqual([
      expect.objectContaining({ accountId: acct.id, leadId: l.id, pipelineId: l.pipeline_id, statusId: l.status_id, source: 'dp' }),
      expect.objectContaining({ accountId: acct.id, leadId: l.id, pipelineId: l.pipeline_id, statusId: l.status_id, source: 'dp' }),
    ]);
    const bad = await world.app.request(`/webhooks/dp/${secret}`, { method: 'POST', body: '{"event":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
  });

  it('Salesbot: a valid HS256/HS512 token is answered at once and becomes one agent turn; forged ones are refused', async () => {
    const { secret, acct, seen } = await installed();
    const l = [...world.sim.state.leads.values()][4]!;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      account_id: acct.id,
      subdomain: acct.subdomain,
      client_uuid: TEST_CLIENT_ID,
      entity_id: l.id,
      entity_type: 2,
      bot_type: 'salesbot',
      exp: now + 300,
    };
    const returnUrl = `${world.sim.baseUrl}/api/v4/salesbot/12/continue/345`;
    const call = (token: string) =>
      world.app.request(`/salesbot/${secret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, data: { message: 'How much is delivery?' }, return_url: returnUrl }),
      });
    for (const alg of ['HS256', 'HS512'] as const) expect((await call(signJwt(claims, TEST_CLIENT_SECRET, alg))).status).toBe(200);
    expect((await call(signJwt(claims, 'wrong-secret', 'HS512'))).status).toBe(401);
    expect((await call(signJwt({ ...claims, client_uuid: 'other' }, TEST_CLIENT_SECRET))).status).toBe(401);
    expect((await call(signJwt({ ...claims, exp: now - 3600 }, TEST_CLIENT_SECRET))).status).toBe(401);
    await world.drain();
    expect(seen.message_received).toHaveLength(2);
    expect(seen.message_received![0]).toMatchObject({ leadId: l.id, channel: 'salesbot', salesbot: { returnUrl } });
    const msg = world.p.sqlite.prepare("SELECT text, direction FROM conversation_messages WHERE channel = 'salesbot' LIMIT 1").get();
    expect(msg).toEqual({ text: 'How much is delivery?', direction: 'inbound' });
    // No agent works this lead's stage: the bot is released at once instead of waiting for a timeout.
    expect(world.sim.state.salesbotContinues).toHaveLength(2);
    expect((world.sim.state.salesbotContinues[0]!.body as any).data).toEqual({ status: 'no_agent', reply: '' });
    expect(world.p.sqlite.prepare("SELECT count(*) n FROM salesbot_requests WHERE status = 'continued'").get()).toEqual({ n: 2 });
  });

  it('a note we wrote ourselves is recognised when Kommo reports it', async () => {
    const { acct, post } = await installed();
    const l = [...world.sim.state.leads.values()][5]!;
    await world.m.kommo.services.api(acct.id).createNotes('leads', [{ entity_id: l.id, note_type: 'common', params: { text: 'AI draft reply: Hello!' } }]);
    await post(leadNoteWebhook({ id: 7001, element_id: l.id, note_type: 'common', text: 'AI draft reply: Hello!' }, acct));
    await world.drain();
    const entry = world.p.sqlite.prepare("SELECT title, metadata FROM activity_logs WHERE type = 'note.added'").get() as any;
    expect(JSON.parse(entry.metadata).echo).toBe(true);
    expect(entry.title).toMatch(/^AI agent note/);
  });
});

describe('the widget manifest URLs (one secret for every account)', () => {
  it("accept Salesbot with a verified token and DP with the account's own DP token, and refuse the rest alike", async () => {
    world = await startWorld({ seed: { leads: 5, contacts: 3 }, env: { WIDGET_HOOK_SECRET: 'manifest-secret-1' } });
    await world.install();
    await world.drain();
    const acct = { id: world.sim.accountId, subdomain: world.sim.subdomain };
    const l = [...world.sim.state.leads.values()][0]!;
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ account_id: acct.id, client_uuid: TEST_CLIENT_ID, entity_id: l.id, entity_type: 2, exp: now + 300 }, TEST_CLIENT_SECRET, 'HS512');
    const sb = await world.app.request('/salesbot/manifest-secret-1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, data: { message: 'hi' }, return_url: `${world.sim.baseUrl}/api/v4/salesbot/1/continue/2` }),
    });
    expect(sb.status).toBe(200);
    const settings = { kai_dp_token: await dpToken() };
    const dp = dpRequest({ lead_id: l.id, time: 1_700_000_001, settings }, 'json', acct);
    expect(
      (await world.app.request('/webhooks/dp/manifest-secret-1', { method: 'POST', body: dp.body, headers: { 'content-type': dp.contentType } })).status,
    ).toBe(200);
    const otherAcct = dpRequest({ lead_id: l.id, time: 1_700_000_002, settings }, 'json', { id: 424242, subdomain: 'x' });
    expect(
      (await world.app.request('/webhooks/dp/manifest-secret-1', { method: 'POST', body: otherAcct.body, headers: { 'content-type': otherAcct.contentType } }))
        .status,
    ).toBe(401);
    expect((await world.app.request('/webhooks/dp/wrong-secret', { method: 'POST', body: dp.body, headers: { 'content-type': dp.contentType } })).status).toBe(
      401,
    );
  });
});
