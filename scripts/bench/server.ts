/**
 * The server under load for `npm run bench`, in its own process so the load generator does not share
 * its event loop. The real app plus one bench-only route: the durable write path (persist a row and
 * enqueue a job in one transaction before answering 200).
 */
import { serve } from '@hono/node-server';
import { appFor } from '../../server/routes.js';
import { createDeps } from '../../server/deps.js';
import { parseEnv } from '../../server/env.js';

const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
const deps = createDeps(env);
const app = appFor(deps);
app.post('/bench/durable', async (c) => {
  const body = await c.req.text();
  await deps.groupTx(() => {
    const row = deps.activity.write({ accountId: 1, type: 'bench.write', title: 'bench', metadata: { size: body.length } });
    deps.queue.enqueue({ queue: 'bench.process', accountId: 1, payload: { activityId: row.id } });
  });
  return c.json({ ok: true }, 200);
});
if (process.env.BENCH_WORKER === '1') deps.worker.start();
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`LISTENING ${info.port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void deps.worker.stop(1000).then(() => process.exit(0));
});
