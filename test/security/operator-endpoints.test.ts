import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
afterEach(async () => world?.stop());

const TOKEN = 'metrics-token-5f1c9a7e2b';

describe('operator endpoints: /metrics and the detailed /readyz', () => {
  it('answer a stranger with 401 (metrics) or the bare status (readiness); /healthz and the front page stay open', async () => {
    world = await startWorld({ sim: false, http: true, env: { METRICS_TOKEN: TOKEN, TRUST_PROXY: '1' } });
    // Behind the proxy the caller is the forwarded address, not the proxy on this machine.
    const stranger = { 'x-forwarded-for': '203.0.113.50' };
    const metrics = await fetch(`${world.baseUrl}/metrics`, { headers: stranger });
    expect(metrics.status).toBe(401);
    expect(metrics.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = await metrics.text();
    expect(body).not.toContain('http_requests_total');
    expect(body).not.toContain(TOKEN);
    expect((await fetch(`${world.baseUrl}/metrics`, { headers: { ...stranger, authorization: 'Bearer not-the-token' } })).status).toBe(401);

    const ready = await fetch(`${world.baseUrl}/readyz`, { headers: stranger });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    expect((await fetch(`${world.baseUrl}/healthz`, { headers: stranger })).status).toBe(200);
    expect((await fetch(`${world.baseUrl}/`, { headers: { ...stranger, accept: 'application/json' } })).status).toBe(200);
  });

  it('answer the METRICS_TOKEN bearer in full', async () => {
    world = await startWorld({ sim: false, http: true, env: { METRICS_TOKEN: TOKEN, TRUST_PROXY: '1' } });
    const headers = { 'x-forwarded-for': '203.0.113.50', authorization: `Bearer ${TOKEN}` };
    const metrics = await fetch(`${world.baseUrl}/metrics`, { headers });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/queue_lag_seconds/);
    const ready = (await (await fetch(`${world.baseUrl}/readyz`, { headers })).json()) as any;
    expect(ready).toMatchObject({ status: 'ready', database: { writable: true }, migrations: { current: true } });
  });

  it('answer a caller on this machine without a token unless the operator turned that off', async () => {
    world = await startWorld({ sim: false, http: true });
    expect((await fetch(`${world.baseUrl}/metrics`)).status).toBe(200);
    expect(((await (await fetch(`${world.baseUrl}/readyz`)).json()) as any).integrations).toBeDefined();
    await world.stop();

    world = await startWorld({ sim: false, http: true, env: { METRICS_ALLOW_LOOPBACK: '0' } });
    const refused = await fetch(`${world.baseUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).detail).toMatch(/METRICS_TOKEN/);
    expect(await (await fetch(`${world.baseUrl}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
