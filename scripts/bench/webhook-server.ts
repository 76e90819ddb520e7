/** The real app with one installed account, for the webhook benchmarks. BENCH_WORKER=1 also runs the jobs. */
import { parseEnv } from '../../server/env.js';
import { createModules, moduleList } from '../../server/modules.js';
import { createPlatform } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';
import { seedAccount } from '../../test/helpers/seeds.js';
import { BENCH_ACCOUNT, BENCH_SECRET } from './webhook-constants.js';

const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', WEBHOOK_BURST_WINDOW_MS: '0' });
const p = createPlatform(env, { workerPollMs: 5 });
const m = createModules(p);
seedAccount({ p, m }, { id: BENCH_ACCOUNT.id, subdomain: BENCH_ACCOUNT.subdomain, webhookSecret: BENCH_SECRET, name: 'Bench' });
const runtime = startRuntime(p, moduleList(m), {
  worker: process.env.BENCH_WORKER === '1',
  http: { port: 0, host: '127.0.0.1', onListening: (port) => process.stdout.write(`LISTENING ${port}\n`) },
});
process.on('SIGTERM', () => void runtime.stop(2000).then(() => process.exit(0)));
