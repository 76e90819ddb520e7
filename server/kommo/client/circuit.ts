import { KommoBlockedError } from './errors.js';

const FIRST_BLOCK_MS = 60_000;
const MAX_BLOCK_MS = 60 * 60_000;

interface CircuitState {
  /** Consecutive blocks without a successful probe in between; drives the backoff. */
  level: number;
  until: number;
  probing: boolean;
}

/**
 * Per-account breaker for Kommo's 403 HTML block page. Hammering a blocked integration extends the
 * block, so while open nothing goes out; after `until` exactly one request probes, and only a real API
 * answer from that probe closes the circuit. Backoff: 60 s, doubling, capped at 1 h.
 */
export class BlockCircuit {
  private readonly accounts = new Map<number, CircuitState>();

  constructor(private readonly clock: { now(): number }) {}

  /** Throws KommoBlockedError while open. Returns true when the caller is the half-open probe. */
  enter(accountId: number): boolean {
    const s = this.accounts.get(accountId);
    if (!s || s.level === 0) return false;
    if (this.clock.now() < s.until || s.probing) throw new KommoBlockedError(s.until);
    s.probing = true;
    return true;
  }

  /** Throws KommoBlockedError while open, without claiming the probe (checked before queueing). */
  check(accountId: number): void {
    const s = this.accounts.get(accountId);
    if (s && s.level > 0 && (this.clock.now() < s.until || s.probing)) throw new KommoBlockedError(s.until);
  }

  /**
   * Outcome of an attempt. 'api' = Kommo's API answered (block lifted); 'inconclusive' = 5xx or network
   * error, so the next attempt may probe again. Only the probe's outcome moves the state.
   */
  settle(accountId: number, wasProbe: boolean, outcome: 'api' | 'inconclusive'): void {
    const s = this.accounts.get(accountId);
    if (!s || !wasProbe) return;
    if (outcome === 'api') this.accounts.delete(accountId);
    else s.probing = false;
  }

  /**
   * A block page arrived. Returns the new `until` and whether this opened (or re-opened) the circuit;
   * requests already in flight when it opened report the same block and must not double the backoff.
   */
  block(accountId: number, wasProbe: boolean): { until: number; opened: boolean } {
    const now = this.clock.now();
    const s = this.accounts.get(accountId) ?? { level: 0, until: 0, probing: false };
    if (s.level > 0 && !wasProbe && (now < s.until || s.probing)) return { until: s.until, opened: false };
    s.level += 1;
    s.until = now + Math.min(MAX_BLOCK_MS, FIRST_BLOCK_MS * 2 ** (s.level - 1));
    s.probing = false;
    this.accounts.set(accountId, s);
    return { until: s.until, opened: true };
  }

  /** For tests and the health page. */
  inspect(accountId: number): { open: boolean; until: number; level: number } {
    const s = this.accounts.get(accountId);
    if (!s) return { open: false, until: 0, level: 0 };
    return { open: true, until: s.until, level: s.level };
  }
}
