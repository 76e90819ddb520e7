import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, Sqlite } from '../../db/client.js';
import type { AccountRow } from '../../db/schema/index.js';
import type { EventBus } from '../lib/bus.js';
import type { Clock } from '../lib/clock.js';
import type { Encryptor } from '../lib/crypto.js';
import type { ActivityService } from '../modules/activity/activity.service.js';
import { getAccount } from '../modules/accounts/accounts.repo.js';
import { KommoAuthError, KommoUnavailableError } from './client/errors.js';
import type { TokenProvider } from './client/types.js';
import { OAuthGrantError, refreshTokens, type OAuthHttpConfig, type TokenSet } from './oauth-http.js';

export interface TokenVaultDeps {
  db: Db;
  sqlite: Sqlite;
  clock: Clock;
  encryptor: Encryptor;
  logger: Logger;
  activity: ActivityService;
  bus: EventBus;
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
  const { db, sqlite, clock, encryptor, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const inflight = new Map<number, Promise<{ accessToken: string; host: string }>>();

  const stmts = {
    lock: sqlite.prepare(
      `UPDATE accounts SET refresh_lock_token = @me, refresh_lock_until = @until
       WHERE id = @id AND token_version = @version AND status = 'connected'
         AND (refresh_lock_until IS NULL OR refresh_lock_until < @now)`,
    ),
    save: sqlite.prepare(
      `UPDATE accounts SET access_token_enc = @access, refresh_token_enc = @refresh, token_expires_at = @expiresAt,
         token_version = token_version + 1, refresh_lock_token = NULL, refresh_lock_until = NULL, updated_at = @now
       WHERE id = @id AND token_version = @version`,
    ),
    unlock: sqlite.prepare(`UPDATE accounts SET refresh_lock_token = NULL, refresh_lock_until = NULL WHERE id = ? AND refresh_lock_token = ?`),
    reauth: sqlite.prepare(
      `UPDATE accounts SET status = 'reauth_required', status_reason = @reason, refresh_lock_token = NULL, refresh_lock_until = NULL, updated_at = @now
       WHERE id = @id AND status = 'connected'`,
    ),
    due: sqlite.prepare(
      `SELECT id FROM accounts WHERE status = 'connected' AND long_lived = 0 AND refresh_token_enc IS NOT NULL AND token_expires_at < ?`,
    ),
  };

  const access = (row: AccountRow) => ({ accessToken: encryptor.decrypt(row.accessTokenEnc!), host: row.host });

  function load(accountId: number): AccountRow {
    const row = getAccount(db, accountId);
    if (!row || row.status === 'disconnected' || !row.accessTokenEnc) {
      throw new KommoAuthError(`Kommo account ${accountId} is not connected`, { reauthRequired: true });
    }
    if (row.status === 'reauth_required') {
      throw new KommoAuthError(`Kommo account ${accountId} needs re-authorization: ${row.statusReason ?? 'the refresh token was refused'}`, { reauthRequired: true });
    }
    return row;
  }

  const fresh = (row: AccountRow) => row.longLived || (row.tokenExpiresAt ?? 0) - REFRESH_SKEW_MS > clock.now();

  function markReauthRequired(accountId: number, reason: string) {
    const changed = sqlite.transaction(() => {
      const n = stmts.reauth.run({ id: accountId, reason, now: clock.now() }).changes;
      if (n === 1) {
        deps.activity.write({
          accountId,
          type: 'connection.reauth_required',
          title: 'Kommo connection needs re-authorization',
          description: `Kommo refused our tokens (${reason}). An administrator must reinstall or reconnect the integration; until then agents are paused.`,
        });
        deps.bus.emit('account.reauth_required', { accountId, reason });
      }
      return n;
    })();
    if (changed) logger.warn({ accountId }, 'Kommo account needs re-authorization');
  }

  async function doRefresh(accountId: number, seenVersion: number): Promise<{ accessToken: string; host: string }> {
    const me = randomUUID();
    const deadline = clock.now() + LOCK_MS;
    for (;;) {
      const row = load(accountId);
      if (row.tokenVersion !== seenVersion) return access(row); // someone else rotated it meanwhile
      const now = clock.now();
      const got = stmts.lock.run({ id: accountId, version: seenVersion, me, until: now + LOCK_MS, now }).changes === 1;
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
        stmts.unlock.run(accountId, me);
        throw new KommoUnavailableError(`token refresh failed: ${(err as Error).message}`, { cause: err });
      }
      const saved = stmts.save.run({
        id: accountId,
        version: seenVersion,
        access: encryptor.encrypt(tokens.accessToken),
        refresh: encryptor.encrypt(tokens.refreshToken),
        expiresAt: clock.now() + tokens.expiresInSec * 1000,
        now: clock.now(),
      }).changes;
      if (saved !== 1) logger.error({ accountId }, 'token version moved while we held the refresh lease');
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
      const ids = (stmts.due.all(clock.now() + withinMs) as { id: number }[]).map((r) => r.id);
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
