/**
 * The server under load for `npm run bench`, in its own process so the load generator does not share
 * its event loop. The real app plus one bench-only module: the durable write path (persist a row and
 * enqueue a job in one transaction before answering 200).
 */
import { Hono } from 'hono';
import { parseEnv } from '../../server/env.js';
import type { AppEnv } from '../../server/http/env.js';
import type { Module } from '../../server/module.js';
import { createModules, moduleList } from '../../server/modules.js';
import { createPlatform } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';

const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
const p = createPlatform(env);
const m = createModules(p);
const durable = new Hono<AppEnv>().post('/bench/durable', async (c) => {
  const body = await c.req.text();
  await p.groupTx(() => {
    const row = m.activity.services.activity.write({ accountId: 1, type: 'bench.write', title: 'bench', metadata: { size: body.length } });
    p.queue.enqueue({ queue: 'bench.process', accountId: 1, payload: { activityId: row.id } });
  });
  return c.json({ ok: true }, 200);
});
const bench: Module = { name: 'bench', services: {}, routes: [durable] };
const runtime = startRuntime(p, [...moduleList(m), bench], {
  worker: process.env.BENCH_WORKER === '1',
  http: { port: 0, host: '127.0.0.1', onListening: (port) => process.stdout.write(`LISTENING ${port}\n`) },
});
process.on('SIGTERM', () => void runtime.stop(1000).then(() => process.exit(0)));
