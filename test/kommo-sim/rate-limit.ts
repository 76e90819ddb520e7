/**
 * Which requests count against the account's 7/s: the API and the OAuth token endpoint on the account host.
 * Kommo documents the limit for "the API" per integration and per IP without exempting /oauth2 (UNCONFIRMED
 * either way), so the simulator takes the stricter reading and the client paces token requests too.
 */
export const isRateLimited = (path: string) => path === '/api/v4' || path.startsWith('/api/v4/') || path.startsWith('/oauth2/');

/** Sliding-window limiter: at most `rps` admitted requests in any 1000 ms window. */
export class SlidingWindowLimiter {
  private admitted: number[] = [];
  private head = 0;

  constructor(
    public rps: number,
    public windowMs = 1000,
  ) {}

  /** true → serve; false → answer 429. Throttled requests do not take a slot. */
  tryAcquire(at: number): boolean {
    while (this.head < this.admitted.length && this.admitted[this.head]! <= at - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.admitted = this.admitted.slice(this.head);
      this.head = 0;
    }
    if (this.admitted.length - this.head >= this.rps) return false;
    this.admitted.push(at);
    return true;
  }

  /** Seconds until a slot frees up (at least 1, as Kommo reports whole seconds). */
  retryAfterSec(at: number): number {
    const oldest = this.admitted[this.head];
    return oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + this.windowMs - at) / 1000));
  }

  reset(): void {
    this.admitted = [];
    this.head = 0;
  }
}

/** Max number of timestamps (ms, any order) that fall in one window of `windowMs` (a window spans [t, t + windowMs)). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let l = 0;
  for (let r = 0; r < t.length; r++) {
    while (t[r]! - t[l]! >= windowMs) l++;
    best = Math.max(best, r - l + 1);
  }
  return best;
}
