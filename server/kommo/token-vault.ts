import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AccountRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Encryptor } from '../lib/crypto.js';
import { KommoAuthError, KommoUnavailableError } from './client/errors.js';
import type { TokenProvider } from './client/types.js';
import { OAuthGrantError, refreshTokens, type OAuthHttpConfig, type TokenSet } from './oauth-http.js';

/** Where tokens live (the accounts repository): reads, and the compare-and-swap on `token_version`. */
export interface TokenStore {
  byId(id: number): AccountRow | undefined;
  lockRefresh(id: number, version: number, me: string, until: number, now: number): boolean;
  saveTokens(t: { id: number; version: number; access: string; refresh: string; expiresAt: number; now: number }): boolean;
  unlockRefresh(id: number, me: string): void;
  markReauthRequired(id: number, reason: string, now: number): boolean;
  dueForRefresh(before: number): number[];
}

export interface TokenVaultDeps {
  store: TokenStore;
  clock: Clock;
  encryptor: Encryptor;
  logger: Logger;
  tx<T>(fn: () => T): T;
  /** Runs inside the transaction that marked the account: record it and tell the modules that care. */
  onReauthRequired(accountId: number, reason: string): void;
  oauth: () => OAuthHttpConfig;
  sleep?: (ms: number) => Promise<void>;
}

/** Refresh this long before the access token expires. */
export const REFRESH_SKEW_MS = 10 * 60_000;
/** How long a process may hold the refresh lease; longer than one token request can take. */
const LOCK_MS = 60_000;

/**
 * Tokens at rest (AES-256-GCM) and their refresh. Kommo rotates the refresh token on every use, so two
 * refreshes racing would revoke the account: one refresh per account at a time, in this process
 * (a shared promise) and across processes (a compare-and-swap lease on `accounts.token_version`).
 * New tokens are written before anyone uses them.
 */
export function createTokenVault(deps: TokenVaultDeps): TokenProvider & {
  refreshDue(withinMs: number): Promise<{ refreshed: number; failed: number }>;
  markReauthRequired(accountId: number, reason: string): void;
} {
  const { store, clock, encryptor, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const inflight = new Map<number, Promise<{ accessToken: string; host: string }>>();

  const access = (row: AccountRow) => ({ accessToken: encryptor.decrypt(row.accessTokenEnc!), host: row.host });

  function load(accountId: number): AccountRow {
    const row = store.byId(accountId);
    if (!row || row.status === 'disconnected' || !row.accessTokenEnc) {
      throw new KommoAuthError(`Kommo account ${accountId} is not connected`, { reauthRequired: true });
    }
    if (row.status === 'reauth_required') {
      throw new KommoAuthError(`Kommo account ${accountId} needs re-authorization: ${row.statusReason ?? 'the refresh token was refused'}`, {
        reauthRequired: true,
      });
    }
    return row;
  }

  const fresh = (row: AccountRow) => row.longLived || (row.tokenExpiresAt ?? 0) - REFRESH_SKEW_MS > clock.now();

  function markReauthRequired(accountId: number, reason: string) {
    const changed = deps.tx(() => {
      const marked = store.markReauthRequired(accountId, reason, clock.now());
      if (marked) deps.onReauthRequired(accountId, reason);
      return marked;
    });
    if (changed) logger.warn({ accountId }, 'Kommo account needs re-authorization');
  }

  async function doRefresh(accountId: number, seenVersion: number): Promise<{ accessToken: string; host: string }> {
    const me = randomUUID();
    const deadline = clock.now() + LOCK_MS;
    for (;;) {
      const row = load(accountId);
      if (row.tokenVersion !== seenVersion) return access(row); // someone else rotated it meanwhile
      const now = clock.now();
      const got = store.lockRefresh(accountId, seenVersion, me, now + LOCK_MS, now);
      if (!got) {
        // Another process holds the lease: wait for its new tokens instead of racing it.
        if (clock.now() > deadline) throw new KommoUnavailableError(`timed out waiting for another token refresh of account ${accountId}`);
        await sleep(100);
        continue;
      }
      let tokens: TokenSet;
      try {
        tokens = await refreshTokens(deps.oauth(), row.host, encryptor.decrypt(row.refreshTokenEnc!));
      } catch (err) {
        if (err instanceof OAuthGrantError) {
          markReauthRequired(accountId, err.message.replace(/^Kommo refused the token request: /, ''));
          throw new KommoAuthError(`Kommo account ${accountId} needs re-authorization: ${err.message}`, { reauthRequired: true, cause: err });
        }
        store.unlockRefresh(accountId, me);
        throw new KommoUnavailableError(`token refresh failed: ${(err as Error).message}`, { cause: err });
      }
      const saved = store.saveTokens({
        id: accountId,
        version: seenVersion,
        access: encryptor.encrypt(tokens.accessToken),
        refresh: encryptor.encrypt(tokens.refreshToken),
        expiresAt: clock.now() + tokens.expiresInSec * 1000,
        now: clock.now(),
      });
      if (!saved) logger.error({ accountId }, 'token version moved while we held the refresh lease');
      logger.info({ accountId }, 'Kommo tokens refreshed');
      return { accessToken: tokens.accessToken, host: row.host };
    }
  }

  function refresh(accountId: number, seenVersion: number) {
    let p = inflight.get(accountId);
    if (!p) {
      p = doRefresh(accountId, seenVersion).finally(() => inflight.delete(accountId));
      inflight.set(accountId, p);
    }
    return p;
  }

  return {
    async getAccess(accountId) {
      const pending = inflight.get(accountId);
      if (pending) return pending;
      const row = load(accountId);
      if (fresh(row)) return access(row);
      return refresh(accountId, row.tokenVersion);
    },

    async refreshAfter401(accountId, rejectedToken) {
      const pending = inflight.get(accountId);
      if (pending) return pending;
      const row = load(accountId);
      const current = access(row);
      if (current.accessToken !== rejectedToken) return current; // already rotated by another caller
      if (row.longLived) {
        markReauthRequired(accountId, 'the long-lived token was rejected (revoked or expired)');
        throw new KommoAuthError('the long-lived Kommo token was rejected', { reauthRequired: true });
      }
      return refresh(accountId, row.tokenVersion);
    },

    /** The scheduled sweep: refresh every token expiring within `withinMs`, so no refresh token lapses unused. */
    async refreshDue(withinMs) {
      const ids = store.dueForRefresh(clock.now() + withinMs);
      let refreshed = 0;
      let failed = 0;
      for (const id of ids) {
        try {
          const row = load(id);
          await refresh(id, row.tokenVersion);
          refreshed++;
        } catch (err) {
          failed++;
          logger.warn({ accountId: id, err: (err as Error).message }, 'scheduled token refresh failed');
        }
      }
      return { refreshed, failed };
    },

    markReauthRequired,
  };
}

export type TokenVault = ReturnType<typeof createTokenVault>;
