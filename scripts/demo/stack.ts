/**
 * The pieces `npm run demo` and `npm run widget:dev` both start: the Kommo simulator, the real backend (the
 * same boot as server/index.ts: createPlatform → createModules → startRuntime, served over HTTP), Kommo's install redirect, and the emulated
 * Kommo page serving the built widget. Each piece is its own step, so a caller can report on each.
 */
import { serve, type ServerType } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { parseEnv } from '../../server/env.js';
import { createLogger } from '../../server/lib/logger.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules, moduleList, type AppModules } from '../../server/modules.js';
import { createPlatform, type Platform } from '../../server/platform.js';
import { startRuntime, type Runtime } from '../../server/runtime.js';
import { KommoSim, type SeedCounts } from '../../test/kommo-sim/index.js';
import { buildWidget } from '../widget/build.js';
import { signKommoToken, startWidgetHarness, type WidgetHarness } from '../widget/harness.js';

/** The Salesbot handler's path secret the widget is built with for a loopback backend (build.ts). */
export const LOOPBACK_HOOK_SECRET = 'dev';

export interface Backend {
  url: string;
  platform: Platform;
  modules: AppModules;
  close(): Promise<void>;
}

/**
 * The backend on `port` (0: any free one). It listens before the app exists, so PUBLIC_URL (the audience of
 * the page's X-Auth-Tokens) and the OAuth redirect URI can name the real port.
 */
export async function startBackend(o: {
  port: number;
  host?: string;
  publicUrl?: string;
  /** The environment the settings come from (process.env for the CLIs); the stack's own keys win. */
  env: Record<string, string | undefined>;
  databasePath: string;
  clientId: string;
  clientSecret: string;
  llm?: LlmClient;
  workerPollMs?: number;
  /** The database is new on every start (the demo): a fresh encryption key, and no key file written beside it. */
  freshDatabase?: boolean;
}): Promise<Backend> {
  let fetchApp: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const host = o.host ?? '127.0.0.1';
  const server: ServerType = serve({ fetch: (req) => fetchApp(req), port: o.port, hostname: host });
  await new Promise<void>((ok, fail) => {
    if (server.listening) return ok();
    server.once('listening', () => ok());
    server.once('error', fail);
  });
  const url = (o.publicUrl ?? `http://${host}:${(server.address() as AddressInfo).port}`).replace(/\/+$/, '');
  const closeServer = () =>
    new Promise<void>((ok) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => ok());
    });
  let platform: Platform;
  let modules: AppModules;
  let runtime: Runtime;
  try {
    const env = parseEnv({
      ...o.env,
      PORT: String((server.address() as AddressInfo).port),
      PUBLIC_URL: url,
      DATABASE_PATH: o.databasePath,
      ENCRYPTION_KEY: o.env.ENCRYPTION_KEY ?? (o.freshDatabase ? randomBytes(32).toString('base64') : undefined),
      KOMMO_CLIENT_ID: o.clientId,
      KOMMO_CLIENT_SECRET: o.clientSecret,
      KOMMO_REDIRECT_URI: `${url}/oauth/callback`,
      KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
      // What the widget is built with for a loopback backend; elsewhere the build insists on a real secret.
      WIDGET_HOOK_SECRET: o.env.WIDGET_HOOK_SECRET ?? (['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname) ? LOOPBACK_HOOK_SECRET : undefined),
    });
    // Logs go to stderr: stdout is for what the demo tells its user.
    platform = createPlatform(env, { workerPollMs: o.workerPollMs ?? 50, logger: createLogger(env.LOG_LEVEL, pino.destination(2)) });
    modules = createModules(platform, { llm: o.llm });
    runtime = startRuntime(platform, moduleList(modules), { worker: true, timers: true });
  } catch (err) {
    await closeServer();
    throw err;
  }
  fetchApp = runtime.app.fetch;
  return {
    url,
    platform,
    modules,
    async close() {
      await closeServer();
      await runtime.stop(2000);
    },
  };
}

export function startSim(o: { clientId: string; clientSecret: string; redirectUri: string; seed: SeedCounts }) {
  return KommoSim.start({ clientId: o.clientId, clientSecret: o.clientSecret, redirectUri: o.redirectUri, seed: o.seed });
}

/** Kommo's install redirect for a widget install, as the account admin's browser follows it. */
export async function installThroughRedirect(backend: Backend, sim: KommoSim, clientId: string): Promise<Response> {
  return fetch(`${backend.url}/oauth/callback?code=${sim.issueAuthCode()}&referer=${sim.host}&from_widget=1&client_id=${clientId}`);
}

/** The account's latest sync once it finished (completed or failed), as the widget's status call reports it. */
export async function waitForSync(backend: Backend, accountId: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = backend.modules.sync.services.sync.status(accountId).sync;
    if (run.state === 'completed' || run.state === 'failed') {
      return { status: run.state, error: run.error, counts: run.counts as Record<string, { fetched: number }> };
    }
    if (Date.now() > until) throw new Error(`the sync did not finish within ${timeoutMs / 1000} s (last status: ${run.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Build the widget for this backend and serve the emulated Kommo page that loads it. */
export async function startPage(o: {
  backend: Backend;
  sim: KommoSim;
  clientId: string;
  clientSecret: string;
  port: number;
  outDir?: string;
}): Promise<WidgetHarness> {
  const built = await buildWidget({ publicUrl: o.backend.url, hookSecret: o.backend.platform.env.WIDGET_HOOK_SECRET, outDir: o.outDir });
  return startWidgetHarness({
    backendUrl: o.backend.url,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    accountId: o.sim.accountId,
    userId: o.sim.state.account.current_user_id,
    subdomain: o.sim.subdomain,
    port: o.port,
    widgetDir: built.outDir,
  });
}

export interface ApiAnswer {
  status: number;
  body: any;
}

/**
 * The backend's widget API as the widget calls it: a fresh Kommo X-Auth-Token per request, HS256 with the
 * client secret, minted exactly as the emulated page mints them.
 */
export function widgetApi(o: { backend: Backend; sim: KommoSim; clientId: string; clientSecret: string }) {
  const audience = new URL(o.backend.url).origin;
  const token = () =>
    signKommoToken({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      accountId: o.sim.accountId,
      userId: o.sim.state.account.current_user_id,
      subdomain: o.sim.subdomain,
      isAdmin: true,
      audience,
    });
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(o.backend.url + path, {
      method,
      headers: { 'x-auth-token': token(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  /** The call, or an error naming the answer when the status is not `status`. */
  const must = async (method: string, path: string, body?: unknown, status = method === 'POST' ? 201 : 200) => {
    const r = await call(method, path, body);
    if (r.status !== status) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  return { call, must };
}
export type WidgetApi = ReturnType<typeof widgetApi>;
