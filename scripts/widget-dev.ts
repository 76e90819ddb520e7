/**
 * npm run widget:dev — the widget against the real backend and a simulated Kommo account, in a browser.
 *
 *   1. starts the real backend in this process (the same boot as server/index.ts) on PORT (default 3000);
 *   2. starts the Kommo simulator (test/kommo-sim) with a seeded account;
 *   3. installs the simulated account through the backend's real /oauth/callback, like a widget install;
 *   4. builds the widget for that backend and serves the emulated Kommo host on WIDGET_DEV_PORT (default 4100).
 * The pieces are the demo's (scripts/demo/stack.ts); `npm run demo` adds an agent and a conversation on top.
 *
 * Settings: PORT, PUBLIC_URL, DATABASE_PATH (default ./data/widget-dev.db), KOMMO_CLIENT_ID / KOMMO_CLIENT_SECRET,
 * OPENAI_API_KEY (optional: without it the agent's LLM features answer "not configured"), WIDGET_DEV_PORT.
 */
import { ConfigError } from '../server/env.js';
import { installThroughRedirect, startBackend, startPage, startSim, type Backend } from './demo/stack.js';
import { runCli } from './widget/cli.js';

const clientId = process.env.KOMMO_CLIENT_ID ?? 'widget-dev-client';
const clientSecret = process.env.KOMMO_CLIENT_SECRET ?? 'widget-dev-secret';

let backend: Backend;
try {
  backend = await startBackend({
    port: Number(process.env.PORT ?? 3000),
    publicUrl: process.env.PUBLIC_URL,
    env: process.env,
    databasePath: process.env.DATABASE_PATH ?? './data/widget-dev.db',
    clientId,
    clientSecret,
  });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const sim = await startSim({ clientId, clientSecret, redirectUri: `${backend.url}/oauth/callback`, seed: { leads: 40, contacts: 25 } });

await runCli(async () => {
  const install = await installThroughRedirect(backend, sim, clientId);
  if (!install.ok) throw new Error(`installing the simulated account failed: ${install.status} ${await install.text()}`);
  const harness = await startPage({ backend, sim, clientId, clientSecret, port: Number(process.env.WIDGET_DEV_PORT ?? 4100) });
  const leadId = sim.state.leads.keys().next().value ?? 1;

  const stop = async () => {
    await harness.close();
    await backend.close();
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  return [
    `Kommo simulator   ${sim.baseUrl}  (account ${sim.accountId}, "${sim.subdomain}", installed)`,
    `backend           ${backend.url}  (database ${backend.platform.env.DATABASE_PATH})`,
    `widget harness    ${harness.url}`,
    `  lead card       ${harness.url}/card?lead=${leadId}      (add &lang=es|pt|ru, &theme=dark)`,
    `  admin app       ${harness.url}/settings`,
    `  settings modal  ${harness.url}/modal`,
    `  DP settings     ${harness.url}/dp?pipeline=<id>&status=<id>`,
    `  Salesbot step   ${harness.url}/salesbot`,
    'Ctrl-C stops everything.',
  ].join('\n');
});
