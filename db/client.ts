import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type Sqlite = Database.Database;

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Open the database with the pragmas the app relies on. The file and its folder are created on first start. */
export function openDatabase(path: string): { sqlite: Sqlite; db: Db } {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Every webhook touches a dozen index pages: keep them in memory instead of SQLite's default 2 MB.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema });
  return { sqlite, db };
}

/**
 * Prepared statements by SQL text, for hot paths that would otherwise re-prepare on every call.
 * Only for statements used plainly (.run/.get/.all): a cached statement must not be switched to
 * .pluck()/.raw(), or every other user of the same SQL would get that mode too.
 */
export function statementCache(sqlite: Sqlite) {
  const cache = new Map<string, Database.Statement>();
  return (source: string): Database.Statement => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = sqlite.prepare(source);
      cache.set(source, stmt);
    }
    return stmt;
  };
}

export function runMigrations(db: Db) {
  migrate(db, { migrationsFolder });
}

/** The migrations that ship with the code, and how many of them this database has applied. */
export function migrationState(sqlite: Sqlite) {
  const journal = JSON.parse(readFileSync(resolve(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  let applied = 0;
  try {
    applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  } catch {
    applied = 0;
  }
  const files = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;
  return { expected: journal.entries.length, applied, files, current: applied === journal.entries.length };
}
