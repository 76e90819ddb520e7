/**
 * npm run widget:dev — the widget against the real backend and a simulated Kommo account, in a browser.
 *
 *   1. starts the Kommo simulator (test/kommo-sim) with a seeded account;
 *   2. starts the real backend in this process (same boot as server/index.ts) on PORT (default 3000);
 *   3. installs the simulated account through the backend's real /oauth/callback, like a widget install;
 *   4. builds the widget for that backend and serves the emulated Kommo host on WIDGET_DEV_PORT (default 4100).
 *
 * Settings: PORT, PUBLIC_URL, DATABASE_PATH (default ./data/widget-dev.db), KOMMO_CLIENT_ID / KOMMO_CLIENT_SECRET,
 * OPENAI_API_KEY (optional: without it the agent's LLM features answer "not configured"), WIDGET_DEV_PORT.
 */
import { ConfigError, parseEnv } from '../server/env.js';
import { createModules, moduleList } from '../server/modules.js';
import { createPlatform } from '../server/platform.js';
import { startRuntime } from '../server/runtime.js';
import { KommoSim } from '../test/kommo-sim/index.js';
import { buildWidget } from './widget/build.js';
import { runCli } from './widget/cli.js';
import { startWidgetHarness } from './widget/harness.js';

const port = Number(process.env.PORT ?? 3000);
const publicUrl = (process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
const clientId = process.env.KOMMO_CLIENT_ID ?? 'widget-dev-client';
const clientSecret = process.env.KOMMO_CLIENT_SECRET ?? 'widget-dev-secret';
const redirectUri = `${publicUrl}/oauth/callback`;

const sim = await KommoSim.start({ clientId, clientSecret, redirectUri, seed: { leads: 40, contacts: 25 } });

let env;
try {
  env = parseEnv({
    ...process.env,
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    DATABASE_PATH: process.env.DATABASE_PATH ?? './data/widget-dev.db',
    KOMMO_CLIENT_ID: clientId,
    KOMMO_CLIENT_SECRET: clientSecret,
    KOMMO_REDIRECT_URI: redirectUri,
    KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
  });
} catch (err) {
  await sim.stop();
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const p = createPlatform(env);
const runtime = startRuntime(p, moduleList(createModules(p)), { worker: true, timers: true, http: { port: env.PORT, host: '127.0.0.1' } });

await runCli(async () => {
  const install = await fetch(`${publicUrl}/oauth/callback?code=${sim.issueAuthCode()}&referer=${sim.host}&from_widget=1&client_id=${clientId}`);
  if (!install.ok) throw new Error(`installing the simulated account failed: ${install.status} ${await install.text()}`);
  const built = await buildWidget({ publicUrl });
  const harness = await startWidgetHarness({
    backendUrl: publicUrl,
    clientId,
    clientSecret,
    accountId: sim.accountId,
    userId: sim.state.account.current_user_id,
    subdomain: sim.subdomain,
    port: Number(process.env.WIDGET_DEV_PORT ?? 4100),
    widgetDir: built.outDir,
  });
  const leadId = sim.state.leads.keys().next().value ?? 1;

  const stop = async () => {
    await harness.close();
    await runtime.stop(2000);
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  return [
    `Kommo simulator   ${sim.baseUrl}  (account ${sim.accountId}, "${sim.subdomain}", installed)`,
    `backend           ${publicUrl}  (database ${env.DATABASE_PATH})`,
    `widget harness    ${harness.url}`,
    `  lead card       ${harness.url}/card?lead=${leadId}      (add &lang=es|pt|ru, &theme=dark)`,
    `  admin app       ${harness.url}/settings`,
    `  settings modal  ${harness.url}/modal`,
    `  DP settings     ${harness.url}/dp?pipeline=<id>&status=<id>`,
    `  Salesbot step   ${harness.url}/salesbot`,
    'Ctrl-C stops everything.',
  ].join('\n');
});
