import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../test/helpers/world.js';
import { widgetToken } from '../../test/helpers/tokens.js';

let ctx: World;
afterEach(async () => ctx?.stop());

const get = (token?: string, headers: Record<string, string> = {}) =>
  ctx.app.request('/api/dashboard/updates', { headers: { ...(token ? { 'x-auth-token': token } : {}), ...headers } });

describe('widget authentication (X-Auth-Token)', () => {
  it('accepts a token Kommo would sign', async () => {
    ctx = await startWorld({ sim: false });
    const res = await get(widgetToken({ accountId: 42 }));
    expect(res.status).toBe(200);
  });

  it.each([
    ['a forged signature', () => widgetToken({ accountId: 42 }, { secret: 'not-our-secret' }), /bad signature/],
    ['an expired token', () => widgetToken({ accountId: 42 }, { nowSec: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['a wrong audience', () => widgetToken({ accountId: 42 }, { aud: 'https://evil.example.com' }), /wrong audience/],
    ['another integration', () => widgetToken({ accountId: 42, client_uuid: 'someone-else' }), /another integration/],
    ['HS512 where Kommo uses HS256', () => widgetToken({ accountId: 42 }, { alg: 'HS512' }), /algorithm HS512/],
    ['garbage', () => 'not.a.jwt', /malformed/],
  ])('refuses %s with 401 problem+json', async (_name, make, detail) => {
    ctx = await startWorld({ sim: false });
    const res = await get(make());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized' });
    expect(body.detail).toMatch(detail);
    expect(body.requestId).toBeTruthy();
  });

  it('refuses a replayed jti', async () => {
    ctx = await startWorld({ sim: false });
    const token = widgetToken({ accountId: 42 });
    expect((await get(token)).status).toBe(200);
    const again = await get(token);
    expect(again.status).toBe(401);
    expect(((await again.json()) as any).detail).toMatch(/already used/);
  });

  it('refuses a request without a token', async () => {
    ctx = await startWorld({ sim: false });
    const res = await get();
    expect(res.status).toBe(401);
  });

  it('says "not configured" when the Kommo settings are missing', async () => {
    ctx = await startWorld({ sim: false, env: { KOMMO_CLIENT_SECRET: '', KOMMO_CLIENT_ID: '' } });
    const res = await get(widgetToken({ accountId: 42 }));
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.code).toBe('NOT_CONFIGURED');
    expect(body.detail).toMatch(/KOMMO_CLIENT_SECRET/);
  });

  it('allows CORS from Kommo account origins with the X-Auth-Token header, and not from others', async () => {
    ctx = await startWorld({ sim: false, env: { KOMMO_ALLOW_INSECURE_LOOPBACK: '0' } });
    const pre = await ctx.app.request('/api/dashboard/updates', {
      method: 'OPTIONS',
      headers: { origin: 'https://acme.kommo.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-auth-token' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://acme.kommo.com');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-auth-token');
    const evil = await ctx.app.request('/api/dashboard/updates', {
      method: 'OPTIONS',
      headers: { origin: 'https://acme.kommo.com.evil.io', 'access-control-request-method': 'GET' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
