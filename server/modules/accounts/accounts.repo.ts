import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { accounts, type AccountRow } from '../../../db/schema/index.js';

/** What `accounts.settings` holds. */
export interface AccountSettings {
  /** The account's time zone, from Kommo (GET /api/v4/account?with=datetime_settings). */
  timezone?: string;
  [key: string]: unknown;
}

export interface UpsertAccount {
  id: number;
  host: string;
  subdomain: string;
  name: string;
  currentUserId: number | null;
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  tokenExpiresAt: number | null;
  longLived: boolean;
  webhookSecret: string;
  /** The account's Digital Pipeline secret; an existing one is kept (DP actions saved in Kommo carry it). */
  dpSecret?: string | null;
}

/** A fresh per-account Digital Pipeline secret: 32 random bytes, URL-safe. */
export const newDpSecret = () => randomBytes(32).toString('base64url');

/**
 * The only writer of `accounts`: install, disconnect, and the token compare-and-swap the vault relies on
 * (a refresh lease taken on `token_version`, new tokens saved only if the version did not move).
 */
export function createAccountsRepo(db: Db) {
  const sqlite = db.$client;
  // Every webhook and API call looks an account up: prepared once.
  const byId = db
    .select()
    .from(accounts)
    .where(eq(accounts.id, sql.placeholder('id')))
    .prepare();
  const bySecret = db
    .select()
    .from(accounts)
    .where(eq(accounts.webhookSecret, sql.placeholder('secret')))
    .prepare();
  const s = {
    // Only the id is needed on the webhook hot path (not the token columns a whole-row read would copy).
    idBySecret: sqlite.prepare('SELECT id FROM accounts WHERE webhook_secret = ?').pluck(),
    status: sqlite.prepare('SELECT status FROM accounts WHERE id = ?').pluck(),
    nameOf: sqlite.prepare('SELECT name, subdomain FROM accounts WHERE id = ?'),
    upsert: sqlite.prepare(
      `INSERT INTO accounts (id, host, subdomain, name, status, status_reason, webhook_secret, dp_secret, access_token_enc, refresh_token_enc,
         token_expires_at, token_version, long_lived, current_user_id, settings, installed_at, updated_at)
       VALUES (@id, @host, @subdomain, @name, 'connected', NULL, @webhookSecret, @dpSecret, @accessTokenEnc, @refreshTokenEnc,
         @tokenExpiresAt, 1, @longLived, @currentUserId, '{}', @now, @now)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, subdomain = excluded.subdomain, name = excluded.name,
         status = 'connected', status_reason = NULL, access_token_enc = excluded.access_token_enc,
         refresh_token_enc = excluded.refresh_token_enc, token_expires_at = excluded.token_expires_at,
         token_version = accounts.token_version + 1, refresh_lock_token = NULL, refresh_lock_until = NULL,
         long_lived = excluded.long_lived, current_user_id = excluded.current_user_id,
         dp_secret = coalesce(accounts.dp_secret, excluded.dp_secret), updated_at = excluded.updated_at`,
    ),
    disconnect: sqlite.prepare(
      `UPDATE accounts SET status = 'disconnected', status_reason = @reason, access_token_enc = NULL, refresh_token_enc = NULL,
         token_expires_at = NULL, refresh_lock_token = NULL, refresh_lock_until = NULL, token_version = token_version + 1, updated_at = @now
       WHERE id = @id`,
    ),
    lock: sqlite.prepare(
      `UPDATE accounts SET refresh_lock_token = @me, refresh_lock_until = @until
       WHERE id = @id AND token_version = @version AND status = 'connected'
         AND (refresh_lock_until IS NULL OR refresh_lock_until < @now)`,
    ),
    saveTokens: sqlite.prepare(
      `UPDATE accounts SET access_token_enc = @access, refresh_token_enc = @refresh, token_expires_at = @expiresAt,
         token_version = token_version + 1, refresh_lock_token = NULL, refresh_lock_until = NULL, updated_at = @now
       WHERE id = @id AND token_version = @version`,
    ),
    unlock: sqlite.prepare(`UPDATE accounts SET refresh_lock_token = NULL, refresh_lock_until = NULL WHERE id = ? AND refresh_lock_token = ?`),
    reauth: sqlite.prepare(
      `UPDATE accounts SET status = 'reauth_required', status_reason = @reason, refresh_lock_token = NULL, refresh_lock_until = NULL, updated_at = @now
       WHERE id = @id AND status = 'connected'`,
    ),
    dueForRefresh: sqlite
      .prepare(`SELECT id FROM accounts WHERE status = 'connected' AND long_lived = 0 AND refresh_token_enc IS NOT NULL AND token_expires_at < ?`)
      .pluck(),
    connectedCount: sqlite.prepare(`SELECT count(*) FROM accounts WHERE status = 'connected'`).pluck(),
    settings: sqlite.prepare('SELECT settings FROM accounts WHERE id = ?').pluck(),
    mergeSettings: sqlite.prepare('UPDATE accounts SET settings = json_patch(settings, ?), updated_at = ? WHERE id = ?'),
    dpSecret: sqlite.prepare('SELECT dp_secret AS dpSecret, status FROM accounts WHERE id = ?'),
    setDpSecret: sqlite.prepare('UPDATE accounts SET dp_secret = ? WHERE id = ? AND dp_secret IS NULL'),
  };

  return {
    byId: (id: number): AccountRow | undefined => byId.get({ id }),
    bySecret: (secret: string): AccountRow | undefined => bySecret.get({ secret }),
    idBySecret: (secret: string): number | undefined => s.idBySecret.get(secret) as number | undefined,
    isConnected: (id: number): boolean => s.status.get(id) === 'connected',
    /** The account's display name (its subdomain when Kommo gave none). */
    displayName(id: number): string {
      const r = s.nameOf.get(id) as { name: string; subdomain: string } | undefined;
      return r?.name || r?.subdomain || '';
    },
    connectedCount: (): number => s.connectedCount.get() as number,

    /** Install or reinstall: new tokens, connected again; an existing webhook secret is kept so old URLs stay valid. */
    upsertInstalled(a: UpsertAccount, now: number): AccountRow {
      s.upsert.run({ ...a, dpSecret: a.dpSecret ?? null, longLived: a.longLived ? 1 : 0, now });
      return byId.get({ id: a.id })!;
    },
    /** The account's Digital Pipeline secret and status; undefined for an unknown account. */
    dpSecretOf: (id: number): { dpSecret: string | null; status: string } | undefined =>
      s.dpSecret.get(id) as { dpSecret: string | null; status: string } | undefined,
    /**
     * The account's Digital Pipeline secret, created when it has none (accounts installed before
     * per-account secrets existed). Undefined for an unknown account.
     */
    ensureDpSecret(id: number): string | undefined {
      const read = () => s.dpSecret.get(id) as { dpSecret: string | null } | undefined;
      const row = read();
      if (!row) return undefined;
      if (row.dpSecret) return row.dpSecret;
      s.setDpSecret.run(newDpSecret(), id); // only where still NULL: a concurrent creator wins, and both read its value
      return read()?.dpSecret ?? undefined;
    },
    /** Uninstall: tokens deleted, the version moved so no in-flight refresh can save over it. */
    disconnect: (id: number, reason: string, now: number) => void s.disconnect.run({ id, reason, now }),

    // The token compare-and-swap (see kommo/token-vault.ts).
    lockRefresh: (id: number, version: number, me: string, until: number, now: number): boolean => s.lock.run({ id, version, me, until, now }).changes === 1,
    saveTokens: (t: { id: number; version: number; access: string; refresh: string; expiresAt: number; now: number }): boolean =>
      s.saveTokens.run(t).changes === 1,
    unlockRefresh: (id: number, me: string) => void s.unlock.run(id, me),
    markReauthRequired: (id: number, reason: string, now: number): boolean => s.reauth.run({ id, reason, now }).changes === 1,
    dueForRefresh: (before: number): number[] => s.dueForRefresh.all(before) as number[],

    /** The account's own settings (time zone from Kommo, admin overrides): a small JSON object, `{}` for an unknown account. */
    settings(id: number): AccountSettings {
      const text = s.settings.get(id) as string | undefined;
      const parsed: unknown = text ? JSON.parse(text) : {};
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as AccountSettings) : {};
    },
    /** Merge `patch` into the settings (RFC 7396: nested objects merge, a null removes its key); false for an unknown account. */
    mergeSettings: (id: number, patch: Record<string, unknown>, now: number): boolean => s.mergeSettings.run(JSON.stringify(patch), now, id).changes === 1,
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
