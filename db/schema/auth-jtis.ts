import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Seen X-Auth-Token ids, kept until the token would have expired anyway, to refuse replays. */
export const authJtis = sqliteTable(
  'auth_jtis',
  {
    jti: text('jti').primaryKey(),
    accountId: integer('account_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('auth_jtis_expires_idx').on(t.expiresAt)],
);
