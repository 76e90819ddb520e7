import { createKommoClient } from '../../kommo/client/index.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { OAuthHttpConfig } from '../../kommo/oauth-http.js';
import { createTokenVault, type TokenVault } from '../../kommo/token-vault.js';
import { notConfigured } from '../../lib/errors.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import { createOwnWrites, recordingApi, type OwnWrites } from './own-writes.js';
import { createOwnWritesRepo } from './own-writes.repo.js';

export type KommoDeps = Pick<Platform, 'env' | 'sqlite' | 'fetch' | 'clock' | 'logger' | 'encryptor' | 'tx' | 'bus'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
};

export interface KommoServices {
  vault: TokenVault;
  /** Our recent writes, so webhooks they cause are recognised as echoes. */
  ownWrites: OwnWrites;
  /** The account's API, paced by the one process-wide limiter. */
  api(accountId: number): KommoApi;
  oauthConfig(): OAuthHttpConfig;
  /** An API for a token we just received (install), paced by the same limiter as everything else. */
  probe(host: string, accessToken: string): KommoApi;
}

/** The Kommo connection: tokens (vault), the rate-limited client per account, and our own-write echoes. */
export function kommoModule(d: KommoDeps): Module<KommoServices> {
  const { env } = d;
  const oauthConfig = (): OAuthHttpConfig => {
    if (!env.KOMMO_CLIENT_ID || !env.KOMMO_CLIENT_SECRET || !env.KOMMO_REDIRECT_URI) {
      throw notConfigured('Kommo integration', ['KOMMO_CLIENT_ID', 'KOMMO_CLIENT_SECRET', 'KOMMO_REDIRECT_URI']);
    }
    return {
      fetch: d.fetch,
      clientId: env.KOMMO_CLIENT_ID,
      clientSecret: env.KOMMO_CLIENT_SECRET,
      redirectUri: env.KOMMO_REDIRECT_URI,
      allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
      // Token requests go to the account host too: they share its pacing with every API call.
      pace: (host) => client.limiter.acquireHeld(host, 11_000),
    };
  };
  const vault = createTokenVault({
    store: d.accounts,
    clock: d.clock,
    encryptor: d.encryptor,
    logger: d.logger,
    tx: d.tx,
    oauth: oauthConfig,
    onReauthRequired(accountId, reason) {
      d.activity.write({
        accountId,
        type: 'connection.reauth_required',
        title: 'Kommo connection needs re-authorization',
        description: `Kommo refused our tokens (${reason}). An administrator must reinstall or reconnect the integration; until then agents are paused.`,
        params: { reason },
      });
      d.bus.emit('account.reauth_required', { accountId, reason });
    },
  });
  const client = createKommoClient({
    fetch: d.fetch,
    clock: d.clock,
    tokens: vault,
    rps: env.KOMMO_RATE_LIMIT_RPS,
    allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
    logger: d.logger,
    onBlocked(accountId, info) {
      d.activity.write({
        accountId,
        type: 'connection.blocked',
        title: 'Kommo temporarily blocked our requests',
        description: `Kommo answered ${info.status} with a block page. We pause all calls for this account until ${new Date(info.until).toISOString()} and then try again.`,
        metadata: { until: info.until, status: info.status },
        params: { status: info.status, until: new Date(info.until).toISOString() },
      });
    },
  });
  const probe = (host: string, accessToken: string) =>
    createKommoClient({
      fetch: d.fetch,
      clock: d.clock,
      tokens: { getAccess: async () => ({ accessToken, host }), refreshAfter401: async () => Promise.reject(new Error('a fresh token was refused')) },
      rps: env.KOMMO_RATE_LIMIT_RPS,
      allowInsecureLoopback: env.KOMMO_ALLOW_INSECURE_LOOPBACK,
      limiter: client.limiter,
      maxRetries: 0,
      timeoutMs: 2000,
    }).forAccount(0);
  const ownWrites = createOwnWrites(createOwnWritesRepo(d.sqlite), d.clock);
  const apis = new Map<number, KommoApi>();
  const api = (accountId: number) => {
    let a = apis.get(accountId);
    if (!a) {
      a = recordingApi(client.forAccount(accountId), ownWrites);
      apis.set(accountId, a);
    }
    return a;
  };
  return {
    name: 'kommo',
    services: { vault, ownWrites, api, oauthConfig, probe },
    start() {
      // Echo keys live ten minutes; forget the expired ones now and then.
      const t = setInterval(() => {
        try {
          ownWrites.prune();
        } catch (err) {
          d.logger.error({ err }, 'pruning own writes failed');
        }
      }, 60_000);
      t.unref();
      return () => clearInterval(t);
    },
  };
}
