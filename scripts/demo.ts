/**
 * `npm run demo`: watch a real install and sync happen, with nothing configured.
 * Starts the Kommo simulator with a seeded account, starts this server pointed at it, performs
 * Kommo's install redirect, and prints the sync's progress and where to look.
 */
import { rmSync } from 'node:fs';
import { parseEnv } from '../server/env.js';
import { createModules, moduleList } from '../server/modules.js';
import { createPlatform } from '../server/platform.js';
import { startRuntime } from '../server/runtime.js';
import { KommoSim } from '../test/kommo-sim/index.js';

const port = Number(process.env.PORT ?? 3000);
const clientId = 'demo-client-id';
const clientSecret = 'demo-client-secret';
const publicUrl = `http://127.0.0.1:${port}`;
const redirectUri = `${publicUrl}/oauth/callback`;

const sim = await KommoSim.start({ clientId, clientSecret, redirectUri, seed: { leads: 400, contacts: 250, companies: 20, users: 6 } });
const dbPath = './data/demo.db';
for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
const env = parseEnv({
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: publicUrl,
  DATABASE_PATH: dbPath,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  KOMMO_CLIENT_ID: clientId,
  KOMMO_CLIENT_SECRET: clientSecret,
  KOMMO_REDIRECT_URI: redirectUri,
  KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
});
const p = createPlatform(env, { workerPollMs: 50 });
const runtime = startRuntime(p, moduleList(createModules(p)), { worker: true, timers: true, http: { port, host: '127.0.0.1' } });

console.log(`Kommo simulator: ${sim.baseUrl} (account ${sim.accountId}, ${sim.state.leads.size} leads, ${sim.state.contacts.size} contacts)`);
console.log(`Backend:         ${publicUrl}  (database ${dbPath})`);
console.log('Performing the install redirect Kommo would send…');
const res = await fetch(`${redirectUri}?code=${sim.issueAuthCode()}&referer=${sim.host}&from_widget=1&client_id=${clientId}`);
console.log(`  /oauth/callback → ${res.status} ${res.status === 200 ? '(installed)' : await res.text()}`);

let last = '';
for (;;) {
  const run = p.sqlite.prepare('SELECT status, phase, progress, counts, error FROM sync_runs ORDER BY id DESC LIMIT 1').get() as
    | { status: string; phase: string | null; progress: string; counts: string; error: string | null }
    | undefined;
  if (run) {
    const p = JSON.parse(run.progress) as { percent: number | null; done: number };
    const line = `  sync ${run.status}: ${run.phase ?? '…'} ${p.percent ?? 0}% (${p.done} in this phase)`;
    if (line !== last) console.log(line);
    last = line;
    if (run.status === 'completed' || run.status === 'failed') {
      if (run.error) console.log(`  error: ${run.error}`);
      const counts = JSON.parse(run.counts) as Record<string, { fetched: number }>;
      console.log(`  mirrored: ${Object.entries(counts).map(([k, v]) => `${k} ${v.fetched}`).join(', ')}`);
      break;
    }
  }
  await new Promise((r) => setTimeout(r, 250));
}
console.log(`\nLook around:
  ${publicUrl}/readyz                 readiness, queue lag, integrations
  ${publicUrl}/metrics                Prometheus metrics
  sqlite3 ${dbPath} 'select type, title from activity_logs'   the activity feed
  ${sim.baseUrl}/api/v4/leads         the simulated Kommo (needs a bearer token)
Press Ctrl-C to stop.`);
if (process.argv.includes('--exit')) {
  await runtime.stop(1000);
  await sim.stop();
  process.exit(0);
}
process.on('SIGINT', () => {
  void runtime.stop(1000).then(() => sim.stop()).then(() => process.exit(0));
});
