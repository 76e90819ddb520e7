import { serve, type ServerType } from '@hono/node-server';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FORM_HEADERS, incomingMessageWebhook, leadWebhook } from '../fixtures/kommo-webhooks.js';
import { SECRET, webhookWorld, type WebhookWorld } from '../helpers/webhooks.js';

/**
 * Webhook bodies over a real socket: the route reads the body straight from Node's stream and the
 * limit trusts Content-Length only there, so these run the Node server, not app.request.
 */
let w: WebhookWorld;
let server: ServerType | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
  await w?.stop();
});

async function listen(env: Record<string, string> = {}) {
  w = await webhookWorld({ env });
  server = serve({ fetch: w.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((res) => server!.once('listening', () => res()));
  return (server.address() as AddressInfo).port;
}

/** POST `parts` as separate writes; with `chunked` no Content-Length is sent. */
function post(port: number, parts: Buffer[], opts: { chunked?: boolean; length?: number } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const headers: Record<string, string | number> = { ...FORM_HEADERS };
    if (!opts.chunked) headers['content-length'] = opts.length ?? size;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/webhooks/kommo/${SECRET}`, headers }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (text += d))
        .on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    (async () => {
      for (const p of parts) {
        req.write(p);
        await new Promise((r) => setTimeout(r, 5)); // separate TCP segments, so the server sees several chunks
      }
      req.end();
    })();
  });
}

const stored = () => ({
  deliveries: w.count('SELECT count(*) n FROM webhook_deliveries'),
  events: w.count('SELECT count(*) n FROM webhook_events'),
});

describe('webhook bodies over HTTP', () => {
  it('stores the exact body even when a multi-byte character is split between chunks', async () => {
    const port = await listen();
    // Raw UTF-8 in the form (not percent-encoded), cut inside the emoji's four bytes: a per-chunk decode would corrupt it.
    const text = 'Здравствуйте! ¿Cuánto cuesta? 😀';
    const body = Buffer.from(incomingMessageWebhook({ id: 'utf8-1', text: 'PLACEHOLDER', element_id: 5 }).replace('PLACEHOLDER', text), 'utf8');
    const cut = body.indexOf(Buffer.from('😀', 'utf8')) + 2;
    const res = await post(port, [body.subarray(0, cut), body.subarray(cut)]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 1 });
    expect((w.p.sqlite.prepare('SELECT body FROM webhook_deliveries').get() as { body: string }).body).toBe(body.toString('utf8'));
    await w.drain();
    expect(w.p.sqlite.prepare("SELECT text FROM conversation_messages WHERE external_id = 'utf8-1'").get()).toEqual({ text });
  });

  it('refuses a Content-Length over the limit with 413 before reading, and stores nothing', async () => {
    const port = await listen({ BODY_LIMIT_BYTES: '4096' });
    const big = Buffer.from(
      leadWebhook(
        'add',
        Array.from({ length: 60 }, (_, i) => ({ id: i + 1, name: 'x'.repeat(100) })),
      ),
    );
    expect(big.length).toBeGreaterThan(4096);
    const res = await post(port, [big]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ status: 413, detail: expect.stringContaining('4096 bytes') });
    expect(stored()).toEqual({ deliveries: 0, events: 0 });
  });

  it('counts a chunked body (no Content-Length): over the limit gets 413, within it is stored', async () => {
    const port = await listen({ BODY_LIMIT_BYTES: '4096' });
    const big = Buffer.from(
      leadWebhook(
        'add',
        Array.from({ length: 60 }, (_, i) => ({ id: i + 1, name: 'x'.repeat(100) })),
      ),
    );
    const over = await post(port, [big.subarray(0, 3000), big.subarray(3000)], { chunked: true });
    expect(over.status).toBe(413);
    expect(stored()).toEqual({ deliveries: 0, events: 0 });
    const small = Buffer.from(leadWebhook('add', [{ id: 1 }, { id: 2 }]));
    const ok = await post(port, [small.subarray(0, 40), small.subarray(40)], { chunked: true });
    expect(ok.status).toBe(200);
    expect(stored()).toEqual({ deliveries: 1, events: 2 });
  });
});
