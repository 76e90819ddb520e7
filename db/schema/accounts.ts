import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * One row per installed Kommo account. `id` is Kommo's own account id, so every other table's
 * `account_id` points at it. Tokens are AES-256-GCM ciphertext (server/lib/crypto.ts).
 */
export const accounts = sqliteTable(
  'accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: false }),
    host: text('host').notNull(),
    subdomain: text('subdomain').notNull(),
    name: text('name').notNull().default(''),
    /** connected | reauth_required | disconnected */
    status: text('status').notNull().default('connected'),
    statusReason: text('status_reason'),
    webhookSecret: text('webhook_secret').notNull(),
    /** The account's own secret for Digital Pipeline triggers (the widget writes it into the DP action's settings). */
    dpSecret: text('dp_secret'),
    accessTokenEnc: text('access_token_enc'),
    refreshTokenEnc: text('refresh_token_enc'),
    tokenExpiresAt: integer('token_expires_at'),
    /** Bumped on every token write; refreshes compare-and-swap on it so two processes never both rotate. */
    tokenVersion: integer('token_version').notNull().default(0),
    /** A lease on the refresh: the holder's token and when the lease ends. */
    refreshLockToken: text('refresh_lock_token'),
    refreshLockUntil: integer('refresh_lock_until'),
    longLived: integer('long_lived', { mode: 'boolean' }).notNull().default(false),
    currentUserId: integer('current_user_id'),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    installedAt: integer('installed_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('accounts_webhook_secret_uq').on(t.webhookSecret), index('accounts_status_idx').on(t.status)],
);

export type AccountRow = typeof accounts.$inferSelect;
