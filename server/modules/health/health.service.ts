import { integrationStatus, type Env } from '../../env.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { HealthRepo } from './health.repo.js';

const notConfiguredHint = {
  kommo: 'not configured: set KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET and KOMMO_REDIRECT_URI',
  openai: 'not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible provider)',
  smtp: 'not configured: set SMTP_URL and MAIL_FROM',
};

/** Ready = the database takes writes and its migrations match the code. Integrations are reported, not required. */
export function createHealthService(deps: { env: Env; queue: JobQueue; repo: HealthRepo }) {
  return {
    readiness() {
      const db = deps.repo.writable();
      const migrations = deps.repo.migrations();
      const configured = integrationStatus(deps.env);
      const integrations = Object.fromEntries(
        (Object.keys(configured) as (keyof typeof configured)[]).map((k) => [k, configured[k] ? 'configured' : notConfiguredHint[k]]),
      );
      const status = db.ok && migrations.current ? 'ready' : 'not_ready';
      return {
        status,
        database: { writable: db.ok, ...(db.ok ? {} : { error: db.error }) },
        migrations: { applied: migrations.applied, expected: migrations.expected, current: migrations.current },
        queue: { lagMs: deps.queue.lagMs() },
        integrations,
      };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
