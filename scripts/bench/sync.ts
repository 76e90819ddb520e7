import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../server/env.js';
import { createModules, moduleList } from '../../server/modules.js';
import { closePlatform, createPlatform } from '../../server/platform.js';
import { startRuntime } from '../../server/runtime.js';
import { KommoSim } from '../../test/kommo-sim/index.js';
import type { Scenario } from './types.js';

/**
 * Sync throughput against the rate-limit bound: Kommo allows 7 requests/s and 250 entities a page, so
 * no client can list faster than 7 × 250 = 1,750 entities/s. The figure is the list phases' rate.
 */
export async function syncScenario(leads = 10_000, contacts = 5_000): Promise<Scenario[]> {
  const clientId = 'bench-client';
  const clientSecret = 'bench-secret';
  const redirectUri = 'http://127.0.0.1:3999/oauth/callback';
  const sim = await KommoSim.start({ clientId, clientSecret, redirectUri, seed: { leads, contacts, companies: 100, users: 10 } });
  const env = parseEnv({
    DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'bench-sync-')), 'app.db'),
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'silent',
    KOMMO_CLIENT_ID: clientId,
    KOMMO_CLIENT_SECRET: clientSecret,
    KOMMO_REDIRECT_URI: redirectUri,
    KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
  });
  const p = createPlatform(env);
  const { app } = startRuntime(p, moduleList(createModules(p)));
  try {
    const res = await app.request(`/oauth/callback?code=${sim.issueAuthCode()}&referer=${sim.host}&from_widget=1`);
    if (res.status !== 200) throw new Error(`install failed: ${res.status}`);
    await p.worker.drain();
    const lists = sim.requests.filter((r) => /^\/api\/v4\/(leads|contacts|companies)$/.test(r.path) && r.status === 200);
    const first = lists[0]!.at;
    const last = lists[lists.length - 1]!.at;
    const pages = lists.length;
    const entities = leads + contacts + 100;
    // Time for `pages` requests at our pace: the span between the first and last start plus one slot.
    const seconds = (last - first) / 1000 + 1 / 7;
    const rate = entities / seconds;
    const bound = 7 * 250;
    return [
      {
        name: `sync: list throughput (${leads.toLocaleString('en-US')} leads + ${contacts.toLocaleString('en-US')} contacts)`,
        value: rate,
        unit: 'entities/s',
        baseline: bound,
        baselineName: 'bound: 7 req/s × 250 per page',
        target: '≥ 90% of the bound',
        pass: rate >= 0.9 * bound && sim.maxRequestsPerWindow(1000) <= 7,
        extra: { pages, seconds: seconds.toFixed(1), max_req_per_1s: sim.maxRequestsPerWindow(1000) },
      },
    ];
  } finally {
    closePlatform(p);
    await sim.stop();
  }
}
