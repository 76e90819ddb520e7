import { createKommoApi } from './api.js';
import { BlockCircuit } from './circuit.js';
import { createSend } from './http.js';
import { RateLimiter } from './limiter.js';
import type { KommoApi, KommoClient, KommoClientDeps } from './types.js';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One instance per process: the limiter and the block circuit are per account and shared by every
 * caller, which is what keeps the whole process under Kommo's 7 requests/s.
 */
export function createKommoClient(deps: KommoClientDeps): KommoClient {
  const sleep = deps.sleep ?? realSleep;
  const limiter = deps.limiter ?? new RateLimiter({ rps: deps.rps ?? 7, clock: deps.clock, sleep });
  const circuit = new BlockCircuit(deps.clock);
  const send = createSend(deps, limiter, circuit, sleep);
  const apis = new Map<number, KommoApi>();
  return {
    limiter,
    forAccount(accountId) {
      let api = apis.get(accountId);
      if (!api) {
        api = createKommoApi(accountId, send);
        apis.set(accountId, api);
      }
      return api;
    },
  };
}
