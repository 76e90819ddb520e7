import type { Sqlite } from '../../../db/client.js';

/** Keys of our recent writes to Kommo, each valid until `expires_at`. */
export function createOwnWritesRepo(sqlite: Sqlite) {
  const put = sqlite.prepare(
    'INSERT INTO own_writes (account_id, key, expires_at) VALUES (?, ?, ?) ON CONFLICT (account_id, key) DO UPDATE SET expires_at = excluded.expires_at',
  );
  const get = sqlite.prepare('SELECT 1 FROM own_writes WHERE account_id = ? AND key = ? AND expires_at > ?');
  const prune = sqlite.prepare('DELETE FROM own_writes WHERE expires_at < ?');
  return {
    put: (accountId: number, key: string, until: number) => void put.run(accountId, key, until),
    has: (accountId: number, key: string, now: number): boolean => get.get(accountId, key, now) !== undefined,
    prune: (now: number): number => prune.run(now).changes,
  };
}

export type OwnWritesRepo = ReturnType<typeof createOwnWritesRepo>;
