import { existsSync } from 'node:fs';
import { ConfigError, integrationStatus, parseEnv, type Env } from './env.js';
import { createModules, moduleList } from './modules.js';
import { createPlatform } from './platform.js';
import { startRuntime } from './runtime.js';

// Boot only: parseEnv → createPlatform → createModules → startRuntime. SIGTERM drains.
let env: Env;
// A `.env` in the working directory (see `.env.example`) fills in what the environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  env = parseEnv();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nFix the variables above (see README "Settings") and start again.\n`);
    process.exit(1);
  }
  throw err;
}

const platform = createPlatform(env);
const runtime = startRuntime(platform, moduleList(createModules(platform)), {
  worker: true,
  timers: true,
  http: {
    port: env.PORT,
    host: env.HOST,
    onListening: (port) =>
      platform.logger.info(
        { port, host: env.HOST, database: env.DATABASE_PATH, integrations: integrationStatus(env) },
        `listening on http://${env.HOST}:${port}`,
      ),
  },
});

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  platform.logger.info({ signal }, 'shutting down: no new jobs are claimed; running jobs get until the deadline');
  await runtime.stop(env.SHUTDOWN_TIMEOUT_MS);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('unhandledRejection', (err) => platform.logger.error({ err }, 'unhandled rejection'));
