import type { MiddlewareHandler } from 'hono';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { AppEnv } from './env.js';

/** One limit: `perMinute` requests a minute for each key, any of them at once (the bucket holds a minute's worth). */
export interface RateRule {
  /** Names the bucket family, so one key (an IP) has separate budgets per endpoint group. */
  name: string;
  perMinute: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets in memory, one per (rule, key), for the public endpoints. Bounded: past `maxKeys` the
 * bucket used least recently is forgotten (it comes back full, which only ever errs towards letting a
 * request through). Time comes from the injected clock, so tests move it instead of sleeping.
 *
 * In memory means per process: two processes each allow the limit. That is the point of it here — to
 * keep one client from flooding the expensive paths — not an exact quota.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: { clock: Clock; maxKeys: number }) {}

  take(rule: RateRule, key: string): RateDecision {
    const id = `${rule.name}\u0000${key}`;
    const now = this.opts.clock.now();
    const capacity = Math.max(1, rule.perMinute);
    const perMs = rule.perMinute / 60_000;
    let b = this.buckets.get(id);
    if (b) {
      this.buckets.delete(id); // re-inserted below: Map order is our recency list
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
    } else {
      b = { tokens: capacity, at: now };
    }
    this.buckets.set(id, b);
    this.evict();
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - b.tokens) / perMs)) };
  }

  /** How many buckets are held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private evict() {
    while (this.buckets.size > this.opts.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}

/** The 429 every limited endpoint answers: problem+json, and `Retry-After` (seconds) set by the app's onError. */
export function rateLimited(retryAfterMs: number): AppError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('RATE_LIMITED', `Too many requests: try again in ${retryAfter} s.`, { meta: { retryAfter } });
}

/** Take one token from each bucket; the first empty one refuses the request with 429. */
export function enforce(limiter: RateLimiter, checks: { rule: RateRule; key: string | null | undefined }[]): void {
  for (const { rule, key } of checks) {
    if (key === null || key === undefined || key === '') continue;
    const d = limiter.take(rule, key);
    if (!d.ok) throw rateLimited(d.retryAfterMs);
  }
}

/** Middleware form: the keys come from the request (an IP, a host); a null key is not limited by that rule. */
export function rateLimit(
  limiter: RateLimiter,
  keys: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => { rule: RateRule; key: string | null | undefined }[],
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A CORS preflight carries no credentials and does no work; the request it announces is limited.
    if (c.req.method === 'OPTIONS') return next();
    enforce(limiter, keys(c));
    return next();
  };
}
