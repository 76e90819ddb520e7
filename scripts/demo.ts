/**
 * `npm run demo`: the product's point in one command. A simulated Kommo account, the real backend and the
 * emulated Kommo page start; an AI agent with a sales script and knowledge is set up through the widget API
 * and bound to a stage; a client writes twice in Telegram, delivered through the simulator's real webhooks
 * and Salesbot; the agent answers through Salesbot, creates a task and changes a field; the lead card shows
 * it. Prints one line per step and ONE URL: the demo lead's card.
 *
 *   npm run demo                                   keep running; open the printed URL
 *   npm run demo -- --exit                         headless: also render the card in Chromium, then exit
 *   npm run demo -- --exit --screenshot docs/demo-lead-card.png
 *
 * Without OPENAI_API_KEY the agent runs on the local demo model (server/llm/demo-model.ts), and everything it
 * writes says "demo model". Settings: PORT (backend, default 3000; --exit: any free port), DEMO_PAGE_PORT
 * (the page, default 4100; --exit: any free port), LOG_LEVEL (default warn, on stderr),
 * DEMO_FAULT=no-binding (leave the agent unbound: the checks must fail).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoModel, DEMO_LABEL, DEMO_MODEL } from '../server/llm/demo-model.js';
import type { KommoSim } from '../test/kommo-sim/index.js';
import type { WidgetHarness } from './widget/harness.js';
import { addDemoLead, addDemoSalesbot, CLIENT_MESSAGES, clientWritesAndWaits, DEMO_STAGE, leadInKommo, seedAgent, type DemoLead } from './demo/scenario.js';
import { installThroughRedirect, startBackend, startPage, startSim, waitForSync, widgetApi, type Backend, type WidgetApi } from './demo/stack.js';
import { createSteps, quote } from './demo/steps.js';

const argv = process.argv.slice(2);
const exitMode = argv.includes('--exit');
const shotAt = argv.indexOf('--screenshot');
const screenshot = shotAt >= 0 ? argv[shotAt + 1] : undefined;
if (shotAt >= 0 && (!screenshot || screenshot.startsWith('--'))) fail('--screenshot needs a file path, e.g. --screenshot docs/demo-lead-card.png');
const fault = process.env.DEMO_FAULT?.trim() || null;
if (fault && fault !== 'no-binding') fail(`DEMO_FAULT: expected no-binding (got ${JSON.stringify(fault)})`);
const port = (name: string, interactive: number) => {
  const raw = process.env[name]?.trim();
  if (!raw) return exitMode ? 0 : interactive;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name}: expected a port number 0-65535 (got ${JSON.stringify(raw)})`);
  return n;
};

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const clientId = 'demo-client-id';
const clientSecret = 'demo-client-secret';
const useDemoModel = !process.env.OPENAI_API_KEY;
const tmp = mkdtempSync(join(tmpdir(), 'kai-demo-'));
const databasePath = exitMode ? join(tmp, 'demo.db') : './data/demo.db';
if (!exitMode) for (const f of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`]) rmSync(f, { force: true });

const steps = createSteps((line) => process.stdout.write(`${line}\n`));
const started = Date.now();
let backend: Backend | undefined;
let sim: KommoSim | undefined;
let page: WidgetHarness | undefined;
let api: WidgetApi | undefined;
let lead: DemoLead | undefined;
const replies: string[] = [];

async function stopAll() {
  await page?.close();
  await backend?.close();
  await sim?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

await steps.step(
  'backend up',
  async () => {
    backend = await startBackend({
      port: port('PORT', 3000),
      env: { LOG_LEVEL: 'warn', ...process.env },
      databasePath,
      freshDatabase: true,
      clientId,
      clientSecret,
      llm: useDemoModel ? createDemoModel() : undefined,
    });
    return {
      detail: `port ${new URL(backend.url).port}, model: ${useDemoModel ? `${DEMO_MODEL} (no OPENAI_API_KEY)` : `OpenAI ${backend.platform.env.OPENAI_MODEL}`}`,
    };
  },
  { critical: true },
);

await steps.step(
  'Kommo simulator up',
  async () => {
    sim = await startSim({ clientId, clientSecret, redirectUri: `${backend!.url}/oauth/callback`, seed: { leads: 40, contacts: 25, companies: 5, users: 4 } });
    lead = addDemoLead(sim);
    return {
      detail: `port ${new URL(sim.baseUrl).port}, account ${sim.accountId} "${sim.subdomain}", ${sim.state.leads.size} leads; demo lead #${lead.leadId} (${lead.contactName}) in ${DEMO_STAGE.pipeline} › ${DEMO_STAGE.status}`,
    };
  },
  { critical: true },
);

await steps.step(
  'install',
  async () => {
    const res = await installThroughRedirect(backend!, sim!, clientId);
    if (res.status !== 200) throw new Error(`/oauth/callback answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    // The backend registers its webhooks in a job right after the install: wait for it in Kommo.
    const registered = () => [...sim!.state.webhooks.values()].find((w) => w.destination.startsWith(backend!.url) && w.settings.includes('add_message'));
    for (const until = Date.now() + 15_000; !registered() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    const hook = registered();
    if (!hook) throw new Error('within 15 s the backend registered no add_message webhook in Kommo');
    return { detail: `/oauth/callback → 200; Kommo webhook registered for ${hook.settings.length} events incl. add_message` };
  },
  { critical: true },
);

await steps.step(
  'sync done',
  async () => {
    const run = await waitForSync(backend!, sim!.accountId, 30_000);
    if (run.status !== 'completed') throw new Error(`the sync ${run.status}: ${run.error}`);
    const limited = sim!.requests.filter((r) => r.status === 429);
    if (limited.length) throw new Error(`the simulator answered 429 to ${limited.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    const mirrored = ['leads', 'contacts', 'companies', 'users'].map((k) => `${run.counts[k]?.fetched ?? 0} ${k}`).join(', ');
    return { detail: `mirrored ${mirrored}; no 429 (at most ${sim!.maxRequestsPerWindow(1000)} requests in any second, Kommo allows 7)` };
  },
  { critical: true },
);

await steps.step('agent seeded and bound', async () => {
  api = widgetApi({ backend: backend!, sim: sim!, clientId, clientSecret });
  const seeded = await seedAgent(api, lead!, { skipBinding: fault === 'no-binding' });
  // The Kommo admin's part: a Salesbot on the stage whose step is the widget's (bound agent or not).
  const bot = addDemoSalesbot(sim!, lead!, `${backend!.url}/salesbot/${backend!.platform.env.WIDGET_HOOK_SECRET}`);
  const what = `"${seeded.agent.name}" with a sales script and ${seeded.knowledge} knowledge entries, through the widget API`;
  if (!seeded.bound)
    throw new Error(`${what}, but GET /api/bindings shows no agent on ${DEMO_STAGE.pipeline} › ${DEMO_STAGE.status}${fault ? ` (DEMO_FAULT=${fault})` : ''}`);
  return { detail: `${what}, bound to ${DEMO_STAGE.pipeline} › ${DEMO_STAGE.status}; Kommo Salesbot "${bot.name}" runs the widget step there` };
});

/** One client message through Kommo, and what the Salesbot told the client. */
async function conversationStep(text: string) {
  const r = await clientWritesAndWaits(sim!, lead!.leadId, text, 30_000);
  if (r.data.status === 'no_agent')
    throw new Error(`the backend released the Salesbot without a reply (status no_agent): no agent works ${DEMO_STAGE.pipeline} › ${DEMO_STAGE.status}`);
  const reply = typeof r.data.reply === 'string' ? r.data.reply : '';
  if (!reply) throw new Error(`the Salesbot was continued without a reply: ${JSON.stringify(r.data)}`);
  if (r.said.length === 0) throw new Error('the Salesbot was continued, but the client was shown nothing');
  if (useDemoModel && !reply.startsWith(DEMO_LABEL)) throw new Error(`the reply is not labelled ${DEMO_LABEL}: ${quote(reply)}`);
  replies.push(reply);
  return reply;
}

await steps.step('message 1 → agent reply delivered via Salesbot continue', async () => {
  const reply = await conversationStep(CLIENT_MESSAGES[0]);
  return { detail: `client ${quote(CLIENT_MESSAGES[0], 40)} → bot in the simulator's chat: ${quote(reply, 90)}` };
});

await steps.step('message 2 → task created and field changed in Kommo', async () => {
  const before = leadInKommo(sim!, lead!.leadId, 'Priority');
  await conversationStep(CLIENT_MESSAGES[1]);
  const after = leadInKommo(sim!, lead!.leadId, 'Priority');
  const task = after.tasks.find((t) => !before.tasks.some((b) => b.id === t.id));
  const problems = [
    !task ? 'no new task on the lead' : null,
    after.value === before.value ? `Priority did not change (still ${after.value ?? 'empty'})` : null,
  ].filter(Boolean);
  if (problems.length) throw new Error(`in the simulator: ${problems.join('; ')}`);
  return { detail: `task #${task!.id} ${quote(task!.text, 60)}; lead field Priority: ${before.value ?? 'empty'} → ${after.value}` };
});

await steps.step('lead card API shows reply, actions with undo, activity', async () => {
  const view = await api!.must('GET', `/api/leads/${lead!.leadId}/agent`);
  const shown = (view.replies as { text: string; model: string | null }[]) ?? [];
  const missing = replies.filter((r) => !shown.some((s) => s.text === r));
  const undoable = (view.actions as { type: string; status: string; undoable: boolean }[]).filter((a) => a.status === 'done' && a.undoable);
  const feed = (await api!.must('GET', `/api/dashboard/updates?leadId=${lead!.leadId}&limit=50`)).items as { type: string }[];
  const types = new Set(feed.map((i) => i.type));
  const problems = [
    replies.length === 0 ? 'no reply was delivered to look for' : null,
    missing.length ? `replies missing: ${missing.map((m) => quote(m, 30)).join(', ')}` : null,
    undoable.length < 2 ? `${undoable.length} undoable actions (expected the task and the field change)` : null,
    ...['message.received', 'agent.reply', 'agent.action'].filter((t) => !types.has(t)).map((t) => `no ${t} in the activity`),
  ].filter(Boolean);
  if (problems.length) throw new Error(`GET /api/leads/${lead!.leadId}/agent: ${problems.join('; ')}`);
  const models = [...new Set(shown.map((s) => s.model))].join(', ');
  return {
    detail: `${shown.length} replies (model ${models}), ${undoable.length} actions with undo (${undoable.map((a) => a.type).join(', ')}), ${feed.length} activity entries`,
  };
});

await steps.step(
  'emulated Kommo page up',
  async () => {
    page = await startPage({
      backend: backend!,
      sim: sim!,
      clientId,
      clientSecret,
      port: port('DEMO_PAGE_PORT', 4100),
      outDir: exitMode ? join(tmp, 'widget') : undefined,
    });
    return { detail: `port ${new URL(page.url).port}, serving the widget built for this backend` };
  },
  { critical: true },
);

const cardUrl = () => `${page!.url}/card?lead=${lead!.leadId}`;

if (exitMode) {
  await steps.step('lead card rendered in Chromium', async () => {
    // Loaded here: Playwright takes seconds to import, and the interactive demo never needs it.
    const { renderLeadCard } = await import('./demo/render.js');
    const r = await renderLeadCard(cardUrl(), { replies, undo: 2, demoBadge: useDemoModel }, screenshot);
    return {
      detail: `${replies.length} replies${r.badges ? ` with the "demo model" badge` : ''}, ${r.undo} Undo buttons, ${r.activity} activity entries${r.saved ? `; screenshot ${r.saved}` : ''}`,
    };
  });
  process.stdout.write(
    `${steps.failed ? `${steps.failed} of ${steps.lines.length} steps failed` : `all ${steps.lines.length} steps passed`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  await stopAll();
  process.exit(steps.failed ? 1 : 0);
}

if (!page || !lead) {
  await stopAll();
  process.exit(1);
}
process.stdout.write(`\nOpen the demo lead's card: ${cardUrl()}\nCtrl-C stops everything.\n`);
const stop = () => void stopAll().then(() => process.exit(steps.failed ? 1 : 0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
