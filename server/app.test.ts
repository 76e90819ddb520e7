import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../test/helpers/world.js';

let ctx: World;
afterEach(async () => ctx?.stop());

const OPERATOR_TOKEN = 'operator-token-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_TOKEN}` };

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
    ctx = await startWorld({ sim: false, env: { OPENAI_API_KEY: '', METRICS_TOKEN: OPERATOR_TOKEN } });
    const body = (await (await ctx.app.request('/readyz', { headers: operator })).json()) as any;
    expect(body).toMatchObject({ status: 'ready', database: { writable: true }, migrations: { current: true }, queue: { lagMs: 0 } });
    expect(body.integrations).toMatchObject({ kommo: 'configured', openai: expect.stringMatching(/not configured: set OPENAI_API_KEY/) });
  });

  it('exposes Prometheus metrics: requests by route and status, jobs by state, queue lag', async () => {
    ctx = await startWorld({ sim: false, env: { METRICS_TOKEN: OPERATOR_TOKEN } });
    await ctx.app.request('/healthz');
    ctx.p.queue.enqueue({ queue: 'demo' });
    const text = await (await ctx.app.request('/metrics', { headers: operator })).text();
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
    expect(reqLines[0]).toMatchObject({
      route: '/webhooks/kommo/:secret',
      status: 404,
      method: 'POST',
      requestId: expect.any(String),
      durationMs: expect.any(Number),
    });
    const all = lines.join('\n');
    expect(all).not.toContain('s3cr3t-path-token');
    expect(all).not.toContain('4111');
  });
});

describe('the front page (GET /)', () => {
  const secrets = {
    KOMMO_CLIENT_SECRET: 'kommo-client-secret-7f3a9c',
    OPENAI_API_KEY: 'sk-live-openai-key-2b8e41',
    SMTP_URL: 'smtp://mailer:smtp-pass-91c2d@mail.example.com:587',
    MAIL_FROM: 'Agent <agent@example.com>',
    WIDGET_HOOK_SECRET: 'hook-secret-5d7e0f',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  };

  it('lists every integration with its state, the accounts and the queue lag as JSON', async () => {
    ctx = await startWorld({ sim: false, env: { OPENAI_API_KEY: '', SMTP_URL: '', MAIL_FROM: '', WIDGET_HOOK_SECRET: '' } });
    const res = await ctx.app.request('/', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ version: expect.any(String), uptimeSeconds: expect.any(Number), accounts: { connected: 0 }, queue: { lagSeconds: 0 } });
    expect(Object.fromEntries(body.integrations.map((i: any) => [i.key, i.state]))).toEqual({
      kommo: 'ready',
      llm: 'missing',
      smtp: 'missing',
      publicUrl: 'ready',
      widgetHookSecret: 'missing',
    });
    expect(body.next.map((n: any) => n.integration)).toEqual(['llm', 'widgetHookSecret', 'smtp']);
    expect(body.next[0].variables).toContain('OPENAI_API_KEY');
  });

  it('says the public URL is a default when none is set, and shows HTML to a browser', async () => {
    ctx = await startWorld({ sim: false, env: { PUBLIC_URL: '' } });
    const res = await ctx.app.request('/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<h1>AI sales agent for Kommo</h1>');
    expect(html).toMatch(/Public URL<\/td><td><span class="badge"[^>]*>default</);
    expect(html).toContain('PUBLIC_URL');
  });

  it('never shows a configured secret or an account name, in either form', async () => {
    ctx = await startWorld({ sim: false, env: secrets });
    const { seedAccount } = await import('../test/helpers/seeds.js');
    seedAccount(ctx, { id: 77, subdomain: 'acme-secret-co', name: 'Acme Secret Co', webhookSecret: 'wh-secret-abc123' });
    const json = await (await ctx.app.request('/', { headers: { accept: 'application/json' } })).text();
    const html = await (await ctx.app.request('/')).text();
    expect(JSON.parse(json).accounts.connected).toBe(1);
    for (const page of [json, html]) {
      for (const v of [...Object.values(secrets), 'smtp-pass-91c2d', 'Acme Secret Co', 'acme-secret-co', 'wh-secret-abc123']) expect(page).not.toContain(v);
    }
  });
});

describe('logs on a terminal', () => {
  it('are pretty-printed lines, not JSON, with secrets still redacted', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('./lib/logger.js');
    let out = '';
    const sink = new Writable({ write: (chunk, _e, cb) => ((out += String(chunk)), cb()) });
    createLogger('info', sink, { pretty: true }).info({ route: '/healthz', password: 'hunter2' }, 'request');
    expect(out).toMatch(/INFO.*request/);
    expect(() => JSON.parse(out)).toThrow();
    expect(out).not.toContain('hunter2');
  });
});
