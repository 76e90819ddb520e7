export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

/** min(cap, base·2^(attempt-1)), then "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 15 * 60_000;
  const random = opts.random ?? Math.random;
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
