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
  /** Slot times still inside the window (at most rps). A held slot is Infinity until released. */
  starts: number[];
  waiters: Array<() => void>;
  pausedUntil: number;
  timerArmed: boolean;
}

export class RateLimiter {
  readonly rps: number;
  readonly windowMs: number;
  private readonly accounts = new Map<number | string, AccountState>();

  constructor(private readonly opts: RateLimiterOptions) {
    if (!Number.isFinite(opts.rps) || opts.rps < 1) throw new Error(`RateLimiter: rps must be >= 1, got ${opts.rps}`);
    this.rps = Math.floor(opts.rps);
    this.windowMs = opts.windowMs ?? 1050;
  }

  /** Resolves when this caller may start one request for the account. The slot counts from now. */
  async acquire(accountId: number | string): Promise<void> {
    const release = await this.acquireHeld(accountId, 0);
    release();
  }

  /**
   * Like `acquire`, but the slot stays occupied until `release()` (call it when the response arrives)
   * and then counts from that moment. Kommo counts a request when it arrives, which is somewhere
   * between our send and its answer; timing the slot from the answer keeps Kommo's own window at
   * `rps` whatever the network or our event loop delays. `maxHoldMs` caps a slot never released.
   */
  acquireHeld(accountId: number | string, maxHoldMs = 60_000): Promise<() => void> {
    const state = this.state(accountId);
    return new Promise<() => void>((resolve) => {
      state.waiters.push(() => {
        const granted = this.opts.clock.now();
        state.starts.push(maxHoldMs > 0 ? Infinity : granted);
        if (maxHoldMs > 0) {
          const cap = setTimeout(() => release(), maxHoldMs);
          cap.unref?.();
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            clearTimeout(cap);
            const i = state.starts.indexOf(Infinity);
            if (i >= 0) state.starts[i] = this.opts.clock.now();
            state.starts.sort((a, b) => a - b);
            this.pump(state);
          };
          resolve(release);
        } else resolve(() => {});
      });
      this.pump(state);
    });
  }

  /** Hold every caller of the account for `ms` (a 429's retry_after). Never shortens a longer pause. */
  pause(accountId: number | string, ms: number): void {
    const state = this.state(accountId);
    state.pausedUntil = Math.max(state.pausedUntil, this.opts.clock.now() + Math.max(0, ms));
  }

  /** For tests and metrics: queue length, starts in the current window, and the pause end (0 = none). */
  inspect(accountId: number | string): { waiting: number; inWindow: number; pausedUntil: number } {
    const s = this.accounts.get(accountId);
    if (!s) return { waiting: 0, inWindow: 0, pausedUntil: 0 };
    const now = this.opts.clock.now();
    return {
      waiting: s.waiters.length,
      inWindow: s.starts.filter((t) => t > now - this.windowMs).length,
      pausedUntil: s.pausedUntil > now ? s.pausedUntil : 0,
    };
  }

  private state(accountId: number | string): AccountState {
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
      if (now < s.pausedUntil) {
        this.arm(s, s.pausedUntil - now);
        return;
      }
      while (s.starts.length > 0 && (s.starts[0] as number) <= now - this.windowMs) s.starts.shift();
      if (s.starts.length >= this.rps) {
        const oldest = s.starts[0] as number;
        // Every slot held by a request in flight: its release() pumps again.
        if (oldest !== Infinity) this.arm(s, oldest + this.windowMs - now);
        return;
      }
      const next = s.waiters.shift() as () => void;
      next(); // pushes this caller's slot
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
