/**
 * Standalone simulator for manual runs / the demo:
 *   npx tsx test/kommo-sim/run.ts [--port 4010] [--leads 500] [--contacts 300] [--rps 7]
 * Client credentials come from KOMMO_CLIENT_ID / KOMMO_CLIENT_SECRET / KOMMO_REDIRECT_URI (defaults: sim-client,
 * sim-secret, http://127.0.0.1:3000/oauth/callback). Prints one JSON line with the host, a fresh auth code and a token
 * pair, then runs until SIGINT/SIGTERM.
 */
import { KommoSim } from './sim.js';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

const sim = await KommoSim.start({
  port: arg('port'),
  clientId: process.env.KOMMO_CLIENT_ID ?? 'sim-client',
  clientSecret: process.env.KOMMO_CLIENT_SECRET ?? 'sim-secret',
  redirectUri: process.env.KOMMO_REDIRECT_URI ?? 'http://127.0.0.1:3000/oauth/callback',
  rateLimitRps: arg('rps'),
  seed: { leads: arg('leads'), contacts: arg('contacts') },
});
console.log(
  JSON.stringify({
    host: sim.host,
    baseUrl: sim.baseUrl,
    accountId: sim.accountId,
    subdomain: sim.subdomain,
    code: sim.issueAuthCode(),
    tokens: sim.issueTokens(),
  }),
);
const stop = () => void sim.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
