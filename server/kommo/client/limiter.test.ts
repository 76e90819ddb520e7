import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { createKommoClient } from './client.js';
import { RateLimiter } from './limiter.js';
import { BASE, HOST, fakeTokens, virtualTime } from './test-support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The largest number of starts inside any window of `windowMs` (inclusive of both ends). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('pacing over HTTP (real timers)', () => {
  it('starts at most 7 requests in any 1 s window under 30 concurrent callers', async () => {
    const arrivals: number[] = [];
    server.use(
      http.get(`${BASE}/api/v4/account`, () => {
        arrivals.push(performance.now());
        return HttpResponse.json({ id: 1, name: 'Acme', subdomain: 'acme', current_user_id: 5 });
      }),
    );
    const client = createKommoClient({
      fetch: (input, init) => globalThis.fetch(input, init),
      clock: systemClock,
      tokens: fakeTokens(),
      rps: 7,
      allowInsecureLoopback: false,
    });
    const api = client.forAccount(1);

    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 30 }, () => api.getAccount()));
    const elapsed = performance.now() - started;

    expect(results).toHaveLength(30);
    expect(arrivals).toHaveLength(30);
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(7);
    // 30 requests at 7 per window need 4 full windows after the first burst, and no more than that.
    expect(elapsed).toBeGreaterThanOrEqual(4000);
    expect(elapsed).toBeLessThan(5500);
    expect(client.limiter.inspect(HOST).waiting).toBe(0);
  }, 15_000);
});

describe('RateLimiter (virtual time)', () => {
  it('holds under 60 concurrent callers, grants in arrival order, and keeps accounts apart', async () => {
    const { clock, sleep } = virtualTime();
    const limiter = new RateLimiter({ rps: 7, clock, sleep, windowMs: 1000 });
    const grants: Array<{ who: number; at: number }> = [];
    const t0 = clock.now();
    const waits = Array.from({ length: 60 }, (_, who) => limiter.acquire(1).then(() => grants.push({ who, at: clock.now() })));
    // Another account is not queued behind account 1.
    let otherAt = -1;
    const other = limiter.acquire(2).then(() => (otherAt = clock.now()));
    await Promise.all([...waits, other]);

    expect(grants.map((g) => g.who)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(
      maxInWindow(
        grants.map((g) => g.at),
        1000,
      ),
    ).toBe(7);
    expect(grants.at(-1)!.at - t0).toBe(8000); // 60 = 8 full windows of 7, then 4 more at 8 s
    expect(otherAt).toBe(t0);
  });

  it('pause holds every caller of the account until it ends', async () => {
    const { clock, sleep } = virtualTime();
    const limiter = new RateLimiter({ rps: 7, clock, sleep });
    const t0 = clock.now();
    limiter.pause(1, 5000);
    limiter.pause(1, 1000); // a shorter pause never cuts a longer one
    expect(limiter.inspect(1).pausedUntil).toBe(t0 + 5000);
    const at: number[] = [];
    await Promise.all([1, 2, 3].map(() => limiter.acquire(1).then(() => at.push(clock.now()))));
    expect(at).toEqual([t0 + 5000, t0 + 5000, t0 + 5000]);
    expect(limiter.inspect(1)).toMatchObject({ pausedUntil: 0, inWindow: 3, waiting: 0 });
  });

  it('rejects a nonsensical rps', () => {
    const { clock, sleep } = virtualTime();
    expect(() => new RateLimiter({ rps: 0, clock, sleep })).toThrow(/rps/);
  });
});
