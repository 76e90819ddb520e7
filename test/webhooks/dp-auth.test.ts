import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../server/lib/jwt.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from '../agents/helpers.js';
import { dpRequest } from '../fixtures/kommo-webhooks.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';

/**
 * Digital Pipeline requests are not signed by Kommo, and the manifest's URL (with WIDGET_HOOK_SECRET) ships
 * in every widget archive. What makes a trigger the account's own is the account's DP token, which the
 * widget writes into the action's settings and Kommo sends back with each trigger.
 */
const PUBLIC_SECRET = 'public-manifest-secret';
const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

/** An installed account with an agent (drafts) on Qualified and a lead in that stage: an accepted trigger means a model call and a Kommo write. */
async function world(env: Record<string, string> = {}) {
  w = await startAgentWorld({ env: { WIDGET_HOOK_SECRET: PUBLIC_SECRET, ...env } });
  const leadId = leadInStage(w, 'Qualified');
  await w.installAndSync();
  await agentOnStage(w, 'Qualified', { mode: 'draft' });
  const token = (await w.api('GET', '/api/integrations/dp-token')).body.token as string;
  const acct = { id: w.accountId, subdomain: w.sim.subdomain };
  const statusId = w.stage('Qualified').id;
  const dp = (settings: Record<string, unknown>, o: { account?: { id: number; subdomain: string }; lead?: number; status?: number; time?: number } = {}) =>
    dpRequest(
      { lead_id: o.lead ?? leadId, status_id: o.status ?? statusId, pipeline_id: w.pipeline.id, time: o.time ?? 1_700_000_100, settings },
      'json',
      o.account ?? acct,
    );
  const post = (req: { body: string; contentType: string }, path = `/webhooks/dp/${PUBLIC_SECRET}`) =>
    w.app.request(path, { method: 'POST', body: req.body, headers: { 'content-type': req.contentType } });
  const stored = () => ({
    deliveries: w.count('SELECT count(*) n FROM webhook_deliveries'),
    events: w.count('SELECT count(*) n FROM webhook_events'),
    jobs: w.count('SELECT count(*) n FROM jobs'),
  });
  return { leadId, token, acct, statusId, dp, post, stored };
}

const withoutRequestId = async (res: Response) => {
  const { requestId: _r, ...rest } = (await res.json()) as Record<string, unknown>;
  return { status: res.status, contentType: res.headers.get('content-type'), body: rest };
};

describe('Digital Pipeline triggers need the account’s own token', () => {
  it('a forged DP call with the public secret and a real account id changes nothing and makes no Kommo or LLM call', async () => {
    const { token, dp, post, stored } = await world();
    const before = stored();
    const kommoBefore = w.sim.requests.length;
    const activityBefore = w.count('SELECT count(*) n FROM activity_logs');

    for (const forged of [dp({}), dp({ agent_id: '1' }), dp({ kai_dp_token: 'guessed-token' }), dp({ kai_dp_token: `${token}x` })]) {
      const res = await post(forged);
      expect(res.status).toBe(401);
    }
    await w.later(600_000); // past any reply delay or retry backoff
    expect(stored()).toEqual(before);
    expect(w.sim.requests.length).toBe(kommoBefore);
    expect(llm.requests).toHaveLength(0);
    expect(w.count('SELECT count(*) n FROM activity_logs')).toBe(activityBefore);

    // The control: the same trigger carrying the account's token does reach Kommo and the model.
    llm.reply({ content: 'Welcome! Shall we book a call?' });
    expect((await post(dp({ kai_dp_token: token }))).status).toBe(200);
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(w.sim.requests.length).toBeGreaterThan(kommoBefore);
  });

  it('answers a wrong token, a missing token, an unknown account and a disconnected one the same way, storing nothing', async () => {
    const { token, dp, post, stored, acct } = await world();
    const before = stored();
    const wrong = await withoutRequestId(await post(dp({ kai_dp_token: 'wrong' })));
    const missing = await withoutRequestId(await post(dp({})));
    const unknown = await withoutRequestId(await post(dp({ kai_dp_token: token }, { account: { id: 424242, subdomain: 'nobody' } })));
    const badPath = await withoutRequestId(await post(dp({ kai_dp_token: token }), '/webhooks/dp/not-the-secret'));
    expect(wrong).toMatchObject({ status: 401, contentType: expect.stringContaining('application/problem+json'), body: { code: 'UNAUTHORIZED' } });
    for (const other of [missing, unknown, badPath]) expect(other).toEqual(wrong);

    w.sim.faults.revokeAllTokens();
    const sig = (await import('node:crypto')).createHmac('sha256', TEST_CLIENT_SECRET).update(`${TEST_CLIENT_ID}|${acct.id}`).digest('hex');
    expect((await w.app.request(`/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${acct.id}&signature=${sig}`)).status).toBe(200);
    const afterUninstall = stored();
    expect(await withoutRequestId(await post(dp({ kai_dp_token: token })))).toEqual(wrong);
    expect(stored()).toEqual(afterUninstall);
    expect(before.deliveries).toBe(afterUninstall.deliveries);
  });

  it('stores only the parsed fields, never the raw body or the token, and refuses a body over 64 KB before reading it', async () => {
    const { token, dp, post, stored } = await world();
    const req = dp({ kai_dp_token: token, agent_id: '7', note: 'x'.repeat(20_000) });
    expect((await post(req)).status).toBe(200);
    const delivery = w.p.sqlite.prepare("SELECT body FROM webhook_deliveries WHERE source = 'dp'").get() as { body: string };
    const event = w.p.sqlite.prepare("SELECT payload FROM webhook_events WHERE kind = 'dp'").get() as { payload: string };
    for (const text of [delivery.body, event.payload]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('xxxxxxxxxx');
      expect(text.length).toBeLessThan(600);
    }
    expect(JSON.parse(event.payload)).toMatchObject({ accountId: w.accountId, widgetSettings: { agent_id: '7' } });

    const before = stored();
    const big = dp({ kai_dp_token: token, note: 'y'.repeat(70_000) }, { time: 1_700_000_200 });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(stored()).toEqual(before);
  });

  it('dedupes (lead, stage) within the window before storing anything', async () => {
    const { token, dp, post, stored } = await world();
    const first = await post(dp({ kai_dp_token: token }, { time: 1_700_000_300 }));
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const after = stored();
    // Kommo's retry, and the same stage firing again with another event time: one trigger.
    for (const time of [1_700_000_300, 1_700_000_360]) {
      const again = await post(dp({ kai_dp_token: token }, { time }));
      expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    }
    expect(stored()).toEqual(after);
    w.clock.advance(w.p.env.DP_DEDUPE_WINDOW_MS + 1);
    expect(await (await post(dp({ kai_dp_token: token }, { time: 1_700_000_900 }))).json()).toMatchObject({ accepted: 1 });
  });

  it('settles a trigger for a lead Kommo does not have after one request, instead of retrying it', async () => {
    const { token, dp, post } = await world();
    const missingLead = 987_654_321;
    expect((await post(dp({ kai_dp_token: token }, { lead: missingLead }))).status).toBe(200);
    await w.later(3_600_000);
    await w.later(3_600_000);
    expect(w.sim.requests.filter((r) => r.path === `/api/v4/leads/${missingLead}`)).toHaveLength(1);
    expect(w.p.sqlite.prepare("SELECT status, attempts FROM jobs WHERE queue = 'webhook.dp'").get()).toEqual({ status: 'completed', attempts: 1 });
    expect(w.p.sqlite.prepare("SELECT status FROM webhook_events WHERE kind = 'dp'").get()).toEqual({ status: 'skipped' });
    expect(llm.requests).toHaveLength(0);
  });

  it('gives the token to account admins only, the same one each time, creating it for accounts installed before tokens existed', async () => {
    const { token } = await world();
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await w.api('GET', '/api/integrations/dp-token')).body).toEqual({ token, setting: 'kai_dp_token' });
    const user = await w.api('GET', '/api/integrations/dp-token', undefined, { userId: 1002, isAdmin: false });
    expect(user.status).toBe(403);
    expect(JSON.stringify(user.body)).not.toContain(token);

    // An account from before: no DP secret yet. The admin's widget gets one on its first visit.
    w.p.sqlite.prepare('UPDATE accounts SET dp_secret = NULL').run();
    const created = await w.api('GET', '/api/integrations/dp-token');
    expect(created.status).toBe(200);
    expect(created.body.token).not.toBe(token);
    expect((await w.api('GET', '/api/integrations/dp-token')).body.token).toBe(created.body.token);
  });

  it('limits each verified account’s hooks per minute with 429 and Retry-After', async () => {
    const { token, dp, post } = await world({ RATE_LIMIT_HOOKS_PER_MIN: '3' });
    for (let i = 0; i < 3; i++) expect((await post(dp({ kai_dp_token: token }, { lead: 1000 + i }))).status).toBe(200);
    const limited = await post(dp({ kai_dp_token: token }, { lead: 2000 }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A forged request for the same account is refused as ever: it does not spend the account's budget.
    w.clock.advance(60_000);
    for (let i = 0; i < 5; i++) expect((await post(dp({ kai_dp_token: 'forged' }, { lead: 3000 + i }))).status).toBe(401);
    expect((await post(dp({ kai_dp_token: token }, { lead: 4000 }))).status).toBe(200);
  });
});

describe('Salesbot widget_request', () => {
  it('stores only the fields we use, and refuses a body over 64 KB', async () => {
    const { leadId } = await world();
    const now = Math.floor(w.clock.now() / 1000);
    const token = signJwt(
      { account_id: w.accountId, client_uuid: TEST_CLIENT_ID, entity_id: leadId, entity_type: 2, exp: now + 300 },
      TEST_CLIENT_SECRET,
      'HS512',
    );
    const call = (data: Record<string, unknown>) =>
      w.app.request(`/salesbot/${PUBLIC_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, data, return_url: `${w.sim.baseUrl}/api/v4/salesbot/1/continue/2` }),
      });
    expect((await call({ message: 'Do you ship to Lisbon?', lead_id: String(leadId), junk: 'z'.repeat(30_000) })).status).toBe(200);
    const row = w.p.sqlite.prepare('SELECT data FROM salesbot_requests').get() as { data: string };
    expect(JSON.parse(row.data)).toEqual({ message: 'Do you ship to Lisbon?', lead_id: String(leadId) });
    const delivery = w.p.sqlite.prepare("SELECT body FROM webhook_deliveries WHERE source = 'salesbot'").get() as { body: string };
    expect(delivery.body).not.toContain('zzzz');
    expect(delivery.body).not.toContain(token);

    const before = w.count('SELECT count(*) n FROM salesbot_requests');
    const big = await call({ message: 'm'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(w.count('SELECT count(*) n FROM salesbot_requests')).toBe(before);
  });
});
