import type { Sqlite } from '../../../db/client.js';

/**
 * The retention job's SQL. It reaches into other modules' tables on purpose: deleting old rows is one
 * concern, kept in one place, and each statement is scoped by account (oauth_states has no account:
 * a state is made before the account is known). Reads pick the ids to prune (no write lock), writes
 * take them in small batches by id and check the condition again, so a row that changed meanwhile stays.
 */
export function createRetentionRepo(sqlite: Sqlite) {
  const ids = (sql: string) => {
    const st = sqlite.prepare(sql).pluck();
    return (...args: unknown[]) => st.all(...args) as number[];
  };
  const write = (sql: string) => {
    const st = sqlite.prepare(sql);
    return (...args: unknown[]) => st.run(...args).changes;
  };
  const firstWaiting = sqlite.prepare('SELECT min(delivery_id) FROM webhook_events WHERE account_id = ? AND received_at < ?').pluck();
  return {
    accountIds: ids('SELECT id FROM accounts ORDER BY id'),

    // Webhooks: stored events once processed or skipped, then the raw deliveries none of whose events still wait.
    oldHandledEvents: ids("SELECT id FROM webhook_events WHERE account_id = ? AND received_at < ? AND status <> 'received' LIMIT ?"),
    deleteHandledEvents: write("DELETE FROM webhook_events WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) AND status <> 'received'"),
    /** The oldest delivery that an old, still unprocessed event points at: it and later deliveries stay. */
    firstDeliveryWaiting: (accountId: number, before: number): number | null => firstWaiting.get(accountId, before) as number | null,
    oldDeliveries: ids('SELECT id FROM webhook_deliveries WHERE account_id = ? AND received_at < ? AND id < ? ORDER BY id LIMIT ?'),
    deleteDeliveries: write('DELETE FROM webhook_deliveries WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))'),

    oldActivity: ids('SELECT id FROM activity_logs WHERE account_id = ? AND created_at < ? ORDER BY created_at, id LIMIT ?'),
    deleteActivity: write('DELETE FROM activity_logs WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))'),

    // Inbound email keeps its text (and the full text); only the HTML goes, with the time it went.
    oldMailHtml: ids(
      `SELECT id FROM conversation_messages
       WHERE account_id = ? AND channel = 'email' AND direction = 'inbound' AND created_at < ? AND json_extract(metadata, '$.html') IS NOT NULL
       LIMIT ?`,
    ),
    dropMailHtml: write(
      `UPDATE conversation_messages SET metadata = json_set(json_remove(metadata, '$.html'), '$.htmlPrunedAt', ?)
       WHERE account_id = ? AND id IN (SELECT value FROM json_each(?)) AND json_extract(metadata, '$.html') IS NOT NULL`,
    ),

    /** Expired OAuth states, used or not: they can never be consumed again. */
    deleteExpiredOAuthStates: write('DELETE FROM oauth_states WHERE rowid IN (SELECT rowid FROM oauth_states WHERE expires_at < ? LIMIT ?)'),
  };
}

export type RetentionRepo = ReturnType<typeof createRetentionRepo>;
