import { migrationState } from '../../../db/client.js';
import type { Deps } from '../../deps.js';
import { integrationStatus } from '../../env.js';

const notConfiguredHint = {
  kommo: 'not configured: set KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET and KOMMO_REDIRECT_URI',
  openai: 'not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible provider)',
  smtp: 'not configured: set SMTP_URL and MAIL_FROM',
};

/** Ready = the database takes writes and its migrations match the code. Integrations are reported, not required. */
export function readiness(deps: Deps) {
  let dbWritable = false;
  let dbError: string | undefined;
  try {
    deps.sqlite.prepare('CREATE TEMP TABLE IF NOT EXISTS _ready_probe (x)').run();
    deps.sqlite.prepare('INSERT INTO _ready_probe (x) VALUES (1)').run();
    deps.sqlite.prepare('DELETE FROM _ready_probe').run();
    // A temp table lives outside the main file; check the main database accepts a write lock too.
    deps.sqlite.prepare('BEGIN IMMEDIATE').run();
    deps.sqlite.prepare('ROLLBACK').run();
    dbWritable = true;
  } catch (err) {
    dbError = err instanceof Error ? err.message : String(err);
  }
  const migrations = migrationState(deps.sqlite);
  const configured = integrationStatus(deps.env);
  const integrations = Object.fromEntries(
    (Object.keys(configured) as (keyof typeof configured)[]).map((k) => [k, configured[k] ? 'configured' : notConfiguredHint[k]]),
  );
  const status = dbWritable && migrations.current ? 'ready' : 'not_ready';
  return {
    status,
    database: { writable: dbWritable, ...(dbError ? { error: dbError } : {}) },
    migrations: { applied: migrations.applied, expected: migrations.expected, current: migrations.current },
    queue: { lagMs: deps.queue.lagMs() },
    integrations,
  };
}
