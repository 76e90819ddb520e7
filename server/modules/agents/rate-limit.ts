import type { Clock } from '../../lib/clock.js';

/**
 * A sliding-window limit per key, in this process's memory: at most `limit` takes in any `windowMs`.
 * Enough for the admin-only playground (one process serves the widget API); not a shared limiter.
 */
export function createRateLimiter(clock: Clock, limit: number, windowMs: number) {
  const hits = new Map<string, number[]>();
  let sweepAt = 0;

  /** Forget keys whose window has passed, at most once a window, so idle users cost nothing. */
  function sweep(now: number) {
    if (now < sweepAt) return;
    sweepAt = now + windowMs;
    for (const [key, times] of hits) if ((times.at(-1) ?? 0) <= now - windowMs) hits.delete(key);
  }

  return {
    /** Count one use of `key`, or say how long until one is allowed (nothing is counted then). */
    take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
      const now = clock.now();
      sweep(now);
      const recent = (hits.get(key) ?? []).filter((t) => t > now - windowMs);
      if (recent.length >= limit) {
        hits.set(key, recent);
        return { ok: false, retryAfterMs: recent[0]! + windowMs - now };
      }
      recent.push(now);
      hits.set(key, recent);
      return { ok: true };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
