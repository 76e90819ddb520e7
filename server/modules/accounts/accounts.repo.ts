import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { accounts, type AccountRow } from '../../../db/schema/index.js';

// Every webhook and API call looks an account up: prepare these once per database.
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    byId: db.select().from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare(),
    bySecret: db.select().from(accounts).where(eq(accounts.webhookSecret, sql.placeholder('secret'))).prepare(),
  };
}
const queries = (db: Db) => {
  let q = prepared.get(db);
  if (!q) {
    q = prepare(db);
    prepared.set(db, q);
  }
  return q;
};

export function getAccount(db: Db, id: number): AccountRow | undefined {
  return queries(db).byId.get({ id });
}

export function getAccountBySecret(db: Db, secret: string): AccountRow | undefined {
  return queries(db).bySecret.get({ secret });
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
}

/** Install or reinstall: new tokens, connected again; an existing webhook secret is kept so old URLs stay valid. */
export function upsertInstalledAccount(db: Db, a: UpsertAccount, now: number): AccountRow {
  db.$client
    .prepare(
      `INSERT INTO accounts (id, host, subdomain, name, status, status_reason, webhook_secret, access_token_enc, refresh_token_enc,
         token_expires_at, token_version, long_lived, current_user_id, settings, installed_at, updated_at)
       VALUES (@id, @host, @subdomain, @name, 'connected', NULL, @webhookSecret, @accessTokenEnc, @refreshTokenEnc,
         @tokenExpiresAt, 1, @longLived, @currentUserId, '{}', @now, @now)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, subdomain = excluded.subdomain, name = excluded.name,
         status = 'connected', status_reason = NULL, access_token_enc = excluded.access_token_enc,
         refresh_token_enc = excluded.refresh_token_enc, token_expires_at = excluded.token_expires_at,
         token_version = accounts.token_version + 1, refresh_lock_token = NULL, refresh_lock_until = NULL,
         long_lived = excluded.long_lived, current_user_id = excluded.current_user_id, updated_at = excluded.updated_at`,
    )
    .run({ ...a, longLived: a.longLived ? 1 : 0, now });
  return getAccount(db, a.id)!;
}
