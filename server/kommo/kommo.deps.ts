import type { BaseDeps } from '../deps.js';
import { createOwnWrites, recordingApi, type OwnWrites } from '../modules/webhooks/own-writes.js';
import { notConfigured } from '../lib/errors.js';
import { createKommoClient } from './client/index.js';
import type { KommoApi } from './client/types.js';
import type { OAuthHttpConfig } from './oauth-http.js';
import { createTokenVault, type TokenVault } from './token-vault.js';

export interface KommoDeps {
  vault: TokenVault;
  /** Our recent writes, so webhooks they cause are recognised as echoes. */
  ownWrites: OwnWrites;
  /** The account's API, paced by the one process-wide limiter. */
  api(accountId: number): KommoApi;
  oauthConfig(): OAuthHttpConfig;
  /** An API for a token we just received (install), paced by the same limiter as everything else. */
  probe(host: string, accessToken: string): KommoApi;
}

export function createKommoDeps(base: BaseDeps): KommoDeps {
  const { env } = base;
  const oauthConfig = (): OAuthHttpConfig => {
    if (!env.KOMMO_CLIENT_ID || !env.KOMMO_CLIENT_SECRET || !env.KOMMO_REDIRECT_URI) {
      throw notConfigured('Kommo integration', ['KOMMO_CLIENT_ID', 'KOMMO_CLIENT_SECRET', 'KOMMO_REDIRECT_URI']);
    }
    return {
      fetch: base.fetch,
      clientId: env.KOMMO_CLIENT_ID,
      clientSecret: env.KOMMO_CLIENT_SECRET,
      redirectUri: env.KOMMO_REDIRECT_URI,
      allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
      // Token requests go to the account host too: they share its pacing with every API call.
      pace: (host) => client.limiter.acquireHeld(host, 11_000),
    };
  };
  const vault = createTokenVault({ ...base, oauth: oauthConfig });
  const client = createKommoClient({
    fetch: base.fetch,
    clock: base.clock,
    tokens: vault,
    rps: env.KOMMO_RATE_LIMIT_RPS,
    allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
    logger: base.logger,
    onBlocked(accountId, info) {
      base.activity.write({
        accountId,
        type: 'connection.blocked',
        title: 'Kommo temporarily blocked our requests',
        description: `Kommo answered ${info.status} with a block page. We pause all calls for this account until ${new Date(info.until).toISOString()} and then try again.`,
        metadata: { until: info.until, status: info.status },
      });
    },
  });
  const probe = (host: string, accessToken: string) =>
    createKommoClient({
      fetch: base.fetch,
      clock: base.clock,
      tokens: { getAccess: async () => ({ accessToken, host }), refreshAfter401: async () => Promise.reject(new Error('a fresh token was refused')) },
      rps: env.KOMMO_RATE_LIMIT_RPS,
      allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
      limiter: client.limiter,
      maxRetries: 0,
      timeoutMs: 2000,
    }).forAccount(0);
  const ownWrites = createOwnWrites(base.sqlite, base.clock);
  const apis = new Map<number, KommoApi>();
  const api = (accountId: number) => {
    let a = apis.get(accountId);
    if (!a) {
      a = recordingApi(client.forAccount(accountId), ownWrites);
      apis.set(accountId, a);
    }
    return a;
  };
  return { vault, ownWrites, api, oauthConfig, probe };
}
