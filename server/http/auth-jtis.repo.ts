import type { Sqlite } from '../../db/client.js';

/** The one-time token ids seen, so a replayed X-Auth-Token is refused while it would still verify. */
export function createJtiRepo(sqlite: Sqlite) {
  const claim = sqlite.prepare('INSERT OR IGNORE INTO auth_jtis (jti, account_id, expires_at) VALUES (?, ?, ?)');
  const prune = sqlite.prepare('DELETE FROM auth_jtis WHERE expires_at < ?');
  return {
    /** True the first time a jti is seen. */
    claim: (jti: string, accountId: number, expiresAt: number): boolean => claim.run(jti, accountId, expiresAt).changes === 1,
    prune: (now: number): number => prune.run(now).changes,
  };
}

export type JtiRepo = ReturnType<typeof createJtiRepo>;
