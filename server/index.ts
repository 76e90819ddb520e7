import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { closeDeps, createDeps } from './deps.js';
import { createJtiRepo } from './http/auth-jtis.repo.js';
import { extraRoutes } from './routes.js';
import { ConfigError, integrationStatus, parseEnv, type Env } from './env.js';
import { startMaintenance } from './jobs/maintenance.js';
import { scheduleLongLivedBootstrap } from './modules/oauth/long-lived.js';
import { scheduleTokenSweep } from './modules/oauth/oauth.jobs.js';

// Boot only: parseEnv → createDeps → createApp → serve. SIGTERM drains.
let env: Env;
try {
  env = parseEnv();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nFix the variables above (see README "Settings") and start again.\n`);
    process.exit(1);
  }
  throw err;
}

const deps = createDeps(env);
const app = createApp({ ...deps, jtis: createJtiRepo(deps.sqlite) }, extraRoutes(deps));
scheduleTokenSweep(deps);
scheduleLongLivedBootstrap(deps);
deps.worker.start();
const stopMaintenance = startMaintenance(deps);
deps.mail.watcher.start();

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  deps.logger.info(
    { port: info.port, host: env.HOST, database: env.DATABASE_PATH, integrations: integrationStatus(env) },
    `listening on http://${env.HOST}:${info.port}`,
  );
});

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  deps.logger.info({ signal }, 'shutting down: no new jobs are claimed; running jobs get until the deadline');
  stopMaintenance();
  server.close();
  await deps.mail.watcher.stop();
  await deps.worker.stop(env.SHUTDOWN_TIMEOUT_MS);
  closeDeps(deps);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('unhandledRejection', (err) => deps.logger.error({ err }, 'unhandled rejection'));
