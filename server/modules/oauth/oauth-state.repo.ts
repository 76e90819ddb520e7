import type { Sqlite } from '../../../db/client.js';

/** Single-use OAuth `state` values of the Connect button flow. */
export function createOAuthStateRepo(sqlite: Sqlite) {
  const insert = sqlite.prepare('INSERT INTO oauth_states (state, created_at, expires_at) VALUES (?, ?, ?)');
  const consume = sqlite.prepare('UPDATE oauth_states SET used_at = ? WHERE state = ? AND used_at IS NULL AND expires_at > ?');
  return {
    create: (state: string, now: number, expiresAt: number) => void insert.run(state, now, expiresAt),
    /** True once, for a state that exists and has not expired. */
    consume: (state: string, now: number): boolean => consume.run(now, state, now).changes === 1,
  };
}
