import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKommoForm, leadWebhook, TEST_ACCOUNT } from '../fixtures/kommo-webhooks.js';
import { webhookWorld, type WebhookWorld } from '../helpers/webhooks.js';

let w: WebhookWorld;
beforeAll(async () => {
  w = await webhookWorld();
});
afterAll(() => w.stop());

const snapshot = () => ({
  deliveries: w.count('SELECT count(*) n FROM webhook_deliveries'),
  events: w.count('SELECT count(*) n FROM webhook_events'),
  jobs: w.count('SELECT count(*) n FROM jobs'),
});

const segment = fc.oneof(
  fc.constantFrom(
    'leads',
    'contacts',
    'task',
    'message',
    'talk',
    'unsorted',
    'account',
    'add',
    'update',
    'status',
    'note',
    'custom_fields',
    'values',
    'id',
    'text',
    '__proto__',
    'constructor',
    'prototype',
    '99999999999',
    '0',
    '1',
    '',
  ),
  fc.string({ maxLength: 12 }),
);
const hostileKey = fc.array(segment, { minLength: 1, maxLength: 14 }).map(([head, ...rest]) => `${head}${rest.map((s) => `[${s}]`).join('')}`);
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.constantFrom('%ZZ', '%', '%E0%A4%A', '+', '&', '=', '\u0000', 'NaN', '1e309'),
);
const hostileBody = fc.array(fc.tuple(hostileKey, value), { maxLength: 40 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
// Valid deliveries with a random corruption appended: either wholly accepted or wholly refused.
const corrupted = fc.tuple(fc.integer({ min: 1, max: 5 }), hostileBody).map(
  ([n, tail]) =>
    `${leadWebhook(
      'update',
      Array.from({ length: n }, (_, i) => ({ id: 1000 + i })),
    )}&${tail}`,
);
const accountScoped = hostileBody.map((b) => `${encodeKommoForm({ account: { id: TEST_ACCOUNT.id, subdomain: TEST_ACCOUNT.subdomain } })}&${b}`);

describe('the webhook route under random and hostile bodies', () => {
  it('never crashes (no 5xx) and never stores partial state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), hostileBody, corrupted, accountScoped), async (body) => {
        const before = snapshot();
        const res = await w.post(body);
        expect([200, 400, 403]).toContain(res.status);
        const after = snapshot();
        if (res.status !== 200) {
          expect(after).toEqual(before);
        } else {
          const { accepted, duplicates, unknown } = (await res.json()) as { accepted: number; duplicates: number; unknown: number };
          expect(after.deliveries).toBe(before.deliveries + 1);
          expect(after.events).toBe(before.events + accepted + unknown);
          expect(after.jobs).toBe(before.jobs + accepted);
          expect(accepted + duplicates + unknown).toBeGreaterThanOrEqual(0);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 600 },
    );
    // The server still works afterwards.
    await w.drain();
    expect((await w.post(leadWebhook('add', { id: 424242 }))).status).toBe(200);
  });
});
