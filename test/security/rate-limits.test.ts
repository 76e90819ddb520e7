import { afterEach, describe, expect, it } from 'vitest';
import { leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { TEST_CLIENT_ID } from '../helpers/env.js';
import { webhookWorld } from '../helpers/webhooks.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
afterEach(async () => world?.stop());

describe('rate limits on the public endpoints', () => {
  it('300 rapid calls to /oauth/callback get 429s with Retry-After, and at most 20 reach Kommo', async () => {
    world = await startWorld({ http: true });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 300; i++) {
      // Forged codes: each accepted call would send our client secret to Kommo in a code exchange.
      const res = await fetch(`${world.baseUrl}/oauth/callback?code=forged-${i}&referer=${world.sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(280);
    expect(world.sim.requests.length).toBeLessThanOrEqual(20);
    expect(world.sim.requests.length).toBeGreaterThan(0); // the first few did go through, and were refused by Kommo
    expect(limited!.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited!.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });

  it('limits the widget API per account, and lets it through again when the minute has passed', async () => {
    world = await startWorld({ sim: false, clock: 'manual', env: { RATE_LIMIT_API_PER_MIN: '5' } });
    const call = (accountId: number) => world.api('GET', '/api/dashboard/updates', undefined, { accountId });
    for (let i = 0; i < 5; i++) expect((await call(42)).status).toBe(200);
    const limited = await call(42);
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect((await call(43)).status).toBe(200); // another account has its own budget
    world.clock.advance(60_000);
    expect((await call(42)).status).toBe(200);
  });

  it('limits the widget API per client address before the token is even checked; X-Forwarded-For only counts behind a proxy', async () => {
    world = await startWorld({ sim: false, http: true, env: { RATE_LIMIT_API_PER_MIN: '3' } });
    const forged = (xff?: string) =>
      fetch(`${world.baseUrl}/api/dashboard/updates`, { headers: { 'x-auth-token': 'not.a.jwt', ...(xff ? { 'x-forwarded-for': xff } : {}) } });
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push((await forged(`198.51.100.${i}`)).status);
    // Without TRUST_PROXY the header is the client's own claim: all five come from 127.0.0.1.
    expect(seen).toEqual([401, 401, 401, 429, 429]);
    await world.stop();

    world = await startWorld({ sim: false, http: true, env: { RATE_LIMIT_API_PER_MIN: '3', TRUST_PROXY: '1' } });
    const behindProxy = [];
    for (let i = 0; i < 4; i++) behindProxy.push((await forged(`203.0.113.${i}`)).status);
    expect(behindProxy).toEqual([401, 401, 401, 401]);
    for (let i = 0; i < 3; i++) await forged('203.0.113.77');
    expect((await forged('10.1.1.1, 203.0.113.77')).status).toBe(429); // the proxy-added (last) address is the one counted
  });

  it("never limits Kommo's own webhooks: every delivery is stored", async () => {
    const w = await webhookWorld({
      env: { RATE_LIMIT_API_PER_MIN: '1', RATE_LIMIT_HOOKS_PER_MIN: '1', RATE_LIMIT_HOOKS_IP_PER_MIN: '1', RATE_LIMIT_OAUTH_PER_MIN: '1' },
    });
    world = w;
    for (let i = 0; i < 40; i++) {
      const res = await w.post(leadStatusWebhook({ id: 5000 + i, status_id: 101, old_status_id: 100, pipeline_id: 10, last_modified: 1_700_000_000 + i }));
      expect(res.status).toBe(200);
    }
    expect(w.count("SELECT count(*) n FROM webhook_deliveries WHERE source = 'kommo'")).toBe(40);
  });

  it('limits the uninstall hook and the DP hook per client address', async () => {
    world = await startWorld({ sim: false, http: true, env: { RATE_LIMIT_HOOKS_IP_PER_MIN: '2', WIDGET_HOOK_SECRET: 'manifest-secret' } });
    const uninstall = () => fetch(`${world.baseUrl}/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=1&signature=${'0'.repeat(64)}`);
    expect([(await uninstall()).status, (await uninstall()).status, (await uninstall()).status]).toEqual([403, 403, 429]);
    const dp = () => fetch(`${world.baseUrl}/webhooks/dp/manifest-secret`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([(await dp()).status, (await dp()).status, (await dp()).status]).toEqual([400, 400, 429]);
  });
});
