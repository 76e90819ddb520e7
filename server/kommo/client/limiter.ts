/**
 * Per-account pacing shared by every caller in the process: at most `rps` requests start in any
 * sliding window of `windowMs`. Callers queue FIFO; one timer per account wakes the queue when the
 * oldest start leaves the window or a 429 pause ends, so waiting costs nothing (no polling loop).
 */
export interface RateLimiterOptions {
  rps: number;
  clock: { now(): number };
  sleep: (ms: number) => Promise<void>;
  /**
   * Default 1050: Kommo counts starts when they arrive, and arrival jitter can squeeze two of our
   * starts 1000 ms apart into its 1 s window. 50 ms of slack keeps its counter at `rps`.
   */
  windowMs?: number;
}

interface AccountState {
  starts: number[]; // start times still inside the window, oldest first (at most rps)
  waiters: Array<() => void>;
  pausedUntil: number;
  timerArmed: boolean;
}

export class RateLimiter {
  readonly rps: number;
  readonly windowMs: number;
  private readonly accounts = new Map<number, AccountState>();

  constructor(private readonly opts: RateLimiterOptions) {
    if (!Number.isFinite(opts.rps) || opts.rps < 1) throw new Error(`RateLimiter: rps must be >= 1, got ${opts.rps}`);
    this.rps = Math.floor(opts.rps);
    this.windowMs = opts.windowMs ?? 1050;
  }

  /** Resolves when this caller may start one request for the account. */
  acquire(accountId: number): Promise<void> {
    const state = this.state(accountId);
    return new Promise<void>((resolve) => {
      state.waiters.push(resolve);
      this.pump(state);
    });
  }

  /** Hold every caller of the account for `ms` (a 429's retry_after). Never shortens a longer pause. */
  pause(accountId: number, ms: number): void {
    const state = this.state(accountId);
    state.pausedUntil = Math.max(state.pausedUntil, this.opts.clock.now() + Math.max(0, ms));
  }

  /** For tests and metrics: queue length, starts in the current window, and the pause end (0 = none). */
  inspect(accountId: number): { waiting: number; inWindow: number; pausedUntil: number } {
    const s = this.accounts.get(accountId);
    if (!s) return { waiting: 0, inWindow: 0, pausedUntil: 0 };
    const now = this.opts.clock.now();
    return {
      waiting: s.waiters.length,
      inWindow: s.starts.filter((t) => t > now - this.windowMs).length,
      pausedUntil: s.pausedUntil > now ? s.pausedUntil : 0,
    };
  }

  private state(accountId: number): AccountState {
    let s = this.accounts.get(accountId);
    if (!s) {
      s = { starts: [], waiters: [], pausedUntil: 0, timerArmed: false };
      this.accounts.set(accountId, s);
    }
    return s;
  }

  private pump(s: AccountState): void {
    while (s.waiters.length > 0) {
      const now = this.opts.clock.now();
      if (now < s.pausedUntil) return this.arm(s, s.pausedUntil - now);
      while (s.starts.length > 0 && (s.starts[0] as number) <= now - this.windowMs) s.starts.shift();
      if (s.starts.length >= this.rps) return this.arm(s, (s.starts[0] as number) + this.windowMs - now);
      s.starts.push(now);
      const next = s.waiters.shift() as () => void;
      next();
    }
  }

  private arm(s: AccountState, ms: number): void {
    if (s.timerArmed) return; // the armed timer re-runs pump, which re-arms if still blocked
    s.timerArmed = true;
    const wake = () => {
      s.timerArmed = false;
      this.pump(s);
    };
    void this.opts.sleep(Math.max(1, ms)).then(wake, wake);
  }
}
