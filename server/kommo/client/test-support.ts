import { vi } from 'vitest';
import { manualClock } from '../../lib/clock.js';
import { createKommoClient } from './client.js';
import type { KommoClientDeps } from './types.js';

/** Shared by the client's unit tests (not a test file itself). */
export const HOST = 'acme.kommo.com';
export const BASE = `https://${HOST}`;

/** A token provider that hands out t1 and, after a 401, t2 (or throws what `refreshError` says). */
export function fakeTokens(opts: { host?: string; refreshError?: Error } = {}) {
  let token = 't1';
  const host = opts.host ?? HOST;
  return {
    getAccess: vi.fn(async (_accountId: number) => ({ accessToken: token, host })),
    refreshAfter401: vi.fn(async (_accountId: number, _rejected: string) => {
      if (opts.refreshError) throw opts.refreshError;
      token = 't2';
      return { accessToken: token, host };
    }),
  };
}

/**
 * Virtual time: `sleep` moves the manual clock instead of waiting, so backoffs, 429 pauses and the
 * block circuit run instantly and deterministically. Every sleep is recorded.
 */
export function virtualTime() {
  const clock = manualClock();
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    // Let everything already runnable finish at the current time before time moves on.
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(ms);
  };
  return { clock, sleep, sleeps };
}

/** A client on virtual time talking to https://acme.kommo.com (msw answers), with test-friendly defaults. */
export function testClient(overrides: Partial<KommoClientDeps> = {}) {
  const time = virtualTime();
  const tokens = fakeTokens();
  const deps: KommoClientDeps = {
    // Late-bound so msw's patched fetch is the one called.
    fetch: (input, init) => globalThis.fetch(input, init),
    clock: time.clock,
    sleep: time.sleep,
    tokens,
    rps: 7,
    allowInsecureLoopback: false,
    ...overrides,
  };
  const client = createKommoClient(deps);
  return { client, api: client.forAccount(1), time, tokens, deps };
}
