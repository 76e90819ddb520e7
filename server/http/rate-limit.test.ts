import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../lib/clock.js';
import { clientIp, isLoopback, rateKeyForIp } from './client-ip.js';
import { RateLimiter } from './rate-limit.js';

const rule = (perMinute: number, name = 'r') => ({ name, perMinute });

describe('RateLimiter (token buckets on an injected clock)', () => {
  it('allows a minute’s worth at once, then refuses with the time until the next token', () => {
    const clock = manualClock();
    const l = new RateLimiter({ clock, maxKeys: 100 });
    const r = rule(6); // one token every 10 s
    for (let i = 0; i < 6; i++) expect(l.take(r, 'a')).toEqual({ ok: true });
    expect(l.take(r, 'a')).toEqual({ ok: false, retryAfterMs: 10_000 });
    clock.advance(4_000);
    expect(l.take(r, 'a')).toEqual({ ok: false, retryAfterMs: 6_000 });
    clock.advance(6_000);
    expect(l.take(r, 'a')).toEqual({ ok: true });
    expect(l.take(r, 'a').ok).toBe(false);
  });

  it('keeps separate budgets per key and per rule, and never refills past the capacity', () => {
    const clock = manualClock();
    const l = new RateLimiter({ clock, maxKeys: 100 });
    expect(l.take(rule(1), 'a').ok).toBe(true);
    expect(l.take(rule(1), 'a').ok).toBe(false);
    expect(l.take(rule(1), 'b').ok).toBe(true);
    expect(l.take(rule(1, 'other'), 'a').ok).toBe(true);
    clock.advance(3_600_000);
    expect(l.take(rule(1), 'a').ok).toBe(true);
    expect(l.take(rule(1), 'a').ok).toBe(false);
  });

  it('holds at most maxKeys buckets, forgetting the least recently used', () => {
    const clock = manualClock();
    const l = new RateLimiter({ clock, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) l.take(rule(1), k);
    l.take(rule(1), 'a'); // a is now the most recent (and refused)
    l.take(rule(1), 'd'); // evicts b
    expect(l.size).toBe(3);
    expect(l.take(rule(1), 'a').ok).toBe(false); // kept, still empty
    expect(l.take(rule(1), 'b').ok).toBe(true); // forgotten: a fresh bucket
    for (let i = 0; i < 10_000; i++) l.take(rule(1), `flood-${i}`);
    expect(l.size).toBe(3);
  });
});

describe('clientIp', () => {
  const app = (trustProxy: boolean) => {
    const a = new Hono();
    a.get('/', (c) => c.json({ ip: clientIp(c, trustProxy) }));
    return a;
  };
  const ask = async (trustProxy: boolean, headers: Record<string, string>, remoteAddress?: string) => {
    const env = remoteAddress ? { incoming: { socket: { remoteAddress } } } : undefined;
    const res = await app(trustProxy).request('/', { headers }, env);
    return ((await res.json()) as { ip: string | null }).ip;
  };

  it('is the socket peer unless the operator says a proxy is in front', async () => {
    expect(await ask(false, { 'x-forwarded-for': '203.0.113.9' }, '198.51.100.7')).toBe('198.51.100.7');
    expect(await ask(true, { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' }, '127.0.0.1')).toBe('203.0.113.9');
    expect(await ask(true, { 'x-forwarded-for': 'not an address' }, '127.0.0.1')).toBe('127.0.0.1');
    expect(await ask(false, {}, '::ffff:192.0.2.4')).toBe('192.0.2.4');
    expect(await ask(false, {})).toBeNull(); // an in-process call has no socket
  });

  it('knows loopback, and limits IPv6 by its /64', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback(null)).toBe(false);
    expect(rateKeyForIp('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateKeyForIp('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(rateKeyForIp('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateKeyForIp('192.0.2.4')).toBe('192.0.2.4');
  });
});
