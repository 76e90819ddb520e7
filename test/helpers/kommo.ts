import { KommoSim, type SimOptions } from '../kommo-sim/index.js';
import { buildTestApp } from './app.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from './env.js';

export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';

/** The real app wired to a Kommo simulator over real HTTP, with every outbound request counted. */
export async function startKommoWorld(opts: { seed?: SimOptions['seed']; simRps?: number; env?: Record<string, string>; databasePath?: string } = {}) {
  const sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI, seed: opts.seed, rateLimitRps: opts.simRps });
  const outbound: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    outbound.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return fetch(input, init);
  };
  const ctx = buildTestApp({
    env: { ...(opts.databasePath ? { DATABASE_PATH: opts.databasePath } : {}), ...opts.env },
    overrides: { fetch: countingFetch },
  });

  /** Kommo's install redirect, as a widget install sends it. */
  async function install() {
    const code = sim.issueAuthCode();
    const res = await ctx.app.request(`/oauth/callback?code=${code}&referer=${sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
    if (res.status !== 200) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    return sim.accountId;
  }

  return {
    sim,
    ...ctx,
    outbound,
    install,
    drain: () => ctx.p.worker.drain(),
    async stop() {
      ctx.close();
      await sim.stop();
    },
  };
}
