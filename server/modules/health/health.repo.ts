import { migrationState, type Sqlite } from '../../../db/client.js';

/** The database checks behind /readyz: does it take a write lock, and are its migrations the code's. */
export function createHealthRepo(sqlite: Sqlite) {
  return {
    writable(): { ok: true } | { ok: false; error: string } {
      try {
        sqlite.prepare('CREATE TEMP TABLE IF NOT EXISTS _ready_probe (x)').run();
        sqlite.prepare('INSERT INTO _ready_probe (x) VALUES (1)').run();
        sqlite.prepare('DELETE FROM _ready_probe').run();
        // A temp table lives outside the main file; check the main database accepts a write lock too.
        sqlite.prepare('BEGIN IMMEDIATE').run();
        sqlite.prepare('ROLLBACK').run();
        return { ok: true };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
    migrations: () => migrationState(sqlite),
  };
}

export type HealthRepo = ReturnType<typeof createHealthRepo>;
