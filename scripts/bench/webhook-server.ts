/** The real app with one installed account, for the webhook benchmarks. BENCH_WORKER=1 also runs the jobs. */
import { serve } from '@hono/node-server';
import { appFor } from '../../server/routes.js';
import { createDeps } from '../../server/deps.js';
import { parseEnv } from '../../server/env.js';

import { BENCH_ACCOUNT, BENCH_SECRET } from './webhook-constants.js';

const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', WEBHOOK_BURST_WINDOW_MS: '0' });
const deps = createDeps(env, { workerPollMs: 5 });
deps.sqlite
  .prepare(`INSERT OR IGNORE INTO accounts (id, host, subdomain, name, status, webhook_secret, installed_at, updated_at) VALUES (?, 'acme.kommo.com', ?, 'Bench', 'connected', ?, 0, 0)`)
  .run(BENCH_ACCOUNT.id, BENCH_ACCOUNT.subdomain, BENCH_SECRET);
const app = appFor(deps);
if (process.env.BENCH_WORKER === '1') deps.worker.start();
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`LISTENING ${info.port}\n`));
process.on('SIGTERM', () => {
  server.close();
  void deps.worker.stop(2000).then(() => process.exit(0));
});
