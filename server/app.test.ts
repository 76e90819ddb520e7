import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../test/helpers/world.js';

let ctx: World;
afterEach(async () => ctx?.stop());

describe('errors, health and metrics', () => {
  it('answers an unknown route with problem+json', async () => {
    ctx = await startWorld({ sim: false });
    const res = await ctx.app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', type: expect.stringContaining('not-found') });
  });

  it('refuses a body over the limit with 413', async () => {
    ctx = await startWorld({ sim: false, env: { BODY_LIMIT_BYTES: '2048' } });
    const res = await ctx.app.request('/webhooks/anything', { method: 'POST', body: 'x'.repeat(5000), headers: { 'content-length': '5000' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps 5xx details generic', async () => {
    ctx = await startWorld({ sim: false });
    ctx.app.get('/boom', () => {
      throw new Error('secret internals: password=hunter2');
    });
    const res = await ctx.app.request('/boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as any;
    expect(body.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('reports readiness with the database, migrations, queue lag and integrations', async () => {
    ctx = await startWorld({ sim: false, env: { OPENAI_API_KEY: '' } });
    const body = (await (await ctx.app.request('/readyz')).json()) as any;
    expect(body).toMatchObject({ status: 'ready', database: { writable: true }, migrations: { current: true }, queue: { lagMs: 0 } });
    expect(body.integrations).toMatchObject({ kommo: 'configured', openai: expect.stringMatching(/not configured: set OPENAI_API_KEY/) });
  });

  it('exposes Prometheus metrics: requests by route and status, jobs by state, queue lag', async () => {
    ctx = await startWorld({ sim: false });
    await ctx.app.request('/healthz');
    ctx.p.queue.enqueue({ queue: 'demo' });
    const text = await (await ctx.app.request('/metrics')).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(/jobs\{queue="demo",state="queued"\} 1/);
    expect(text).toMatch(/queue_lag_seconds \d/);
  });
});

describe('request logging', () => {
  it('writes one JSON line per request with requestId, route, status and duration, never the secret path or the body', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('./lib/logger.js');
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    ctx = await startWorld({ sim: false, logger: createLogger('info', sink) });
    await ctx.app.request('/webhooks/kommo/s3cr3t-path-token', { method: 'POST', body: 'message[add][0][text]=my card number is 4111' });
    await new Promise((r) => setImmediate(r));
    const reqLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(reqLines).toHaveLength(1);
    expect(reqLines[0]).toMatchObject({ route: '/webhooks/kommo/:secret', status: 404, method: 'POST', requestId: expect.any(String), durationMs: expect.any(Number) });
    const all = lines.join('\n');
    expect(all).not.toContain('s3cr3t-path-token');
    expect(all).not.toContain('4111');
  });
});
