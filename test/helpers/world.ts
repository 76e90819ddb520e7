/**
 * The one test world: the real app booted as production boots it (createPlatform → createModules →
 * startRuntime) on a fresh database with the real migrations, plus whichever outside parts a test
 * asks for — the Kommo simulator over HTTP, a real SMTP server on loopback, a fake model at the HTTP
 * boundary (msw, see fake-openai.ts) — and a clock the test can move.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../server/lib/clock.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules, moduleList, type AppModules } from '../../server/modules.js';
import { closePlatform, createPlatform, type Platform } from '../../server/platform.js';
import { startRuntime, type Runtime } from '../../server/runtime.js';
import { KommoSim, type SimOptions } from '../kommo-sim/index.js';
import { LLM_BASE } from './fake-openai.js';
import { startSmtpServer } from './mail-servers.js';
import { testEnv, TEST_CLIENT_ID, TEST_CLIENT_SECRET } from './env.js';
import { widgetToken } from './tokens.js';

export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
export const SYSTEM_FROM = 'agent@company.test';

/** A clock the test moves: `manual` stands still until advanced; `offset` runs in real time plus an offset. */
export interface TestClock extends Clock {
  advance(ms: number): void;
  setNow(t: number): void;
}

export function manualTestClock(start = Date.now()): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), setNow: (v) => void (t = v) };
}

/** Real time plus an offset: the Kommo client's pacing keeps working, and the test can jump to a weekend. */
export function offsetClock(offsetMs = 0): TestClock {
  let offset = offsetMs;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms), setNow: (t) => void (offset = t - Date.now()) };
}

export interface WorldOptions {
  /** Start the Kommo simulator (default true). */
  sim?: boolean;
  seed?: SimOptions['seed'];
  /** The simulator's rate limit (requests/s); default Kommo's 7. */
  simRps?: number;
  /** Start a real SMTP server and make it the system transport (SMTP_URL, MAIL_FROM). */
  smtp?: boolean;
  /** `fake`: OpenAI settings pointing at the msw fake (the test starts it with fakeOpenAI().listen()). */
  llm?: 'fake' | LlmClient;
  /** Default: `offset` (real time, movable). `manual` for tests that must not see time pass. */
  clock?: 'manual' | 'offset' | TestClock;
  env?: Record<string, string | undefined>;
  /** Claim and run jobs in the background (default: the test drains them itself). */
  worker?: boolean;
  /**
   * Serve the app over HTTP on a free loopback port (browser tests, child processes): PUBLIC_URL and
   * KOMMO_REDIRECT_URI name that port, so the harness's X-Auth-Token audience verifies.
   */
  http?: boolean;
  /** A logger to read what the app logs (default: silent). */
  logger?: Logger;
  /** Called before the app boots: put leads into stages in the simulator so the first sync mirrors them. */
  beforeBoot?: (sim: KommoSim) => void;
}

export interface World {
  p: Platform;
  m: AppModules;
  app: Runtime['app'];
  clock: TestClock;
  /** The simulator; throws when the world was started with `sim: false`. */
  sim: KommoSim;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  /** The simulator's account id. */
  accountId: number;
  /** Where the app is served (`http: true`), else the test PUBLIC_URL. */
  baseUrl: string;
  /** Every outbound request URL the backend made. */
  outbound: string[];
  /** A widget API call with a Kommo-signed X-Auth-Token (admin unless told otherwise). */
  api(method: string, path: string, body?: unknown, as?: { accountId?: number; userId?: number; isAdmin?: boolean }): Promise<{ status: number; body: any }>;
  /** Kommo's install redirect, as a widget install sends it; returns the account id. */
  install(): Promise<number>;
  /** Install, then run the queued work (the first sync, webhook registration). */
  installAndSync(): Promise<number>;
  drain(): Promise<number>;
  /** Jump past any backoff or batch window, then run what became due. */
  later(ms: number): Promise<number>;
  /** Fail the next `times` Kommo requests whose path matches with a 502 HTML page (a targeted outage). */
  failKommo(re: RegExp, times: number): void;
  /** Kommo write requests (anything but GET) seen by the simulator. */
  kommoWrites(): KommoSim['requests'];
  activity(type?: string): any[];
  count(sql: string, ...args: unknown[]): number;
  stop(): Promise<void>;
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  // Listen first when serving: the backend's PUBLIC_URL must name its own port.
  // The node server's bindings (the socket: the caller's address) go through to the app, as in production.
  let serveApp: (req: Request, bindings?: unknown) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server: ServerType | null = o.http ? serve({ fetch: (req, bindings) => serveApp(req, bindings), port: 0, hostname: '127.0.0.1' }) : null;
  if (server) await new Promise<void>((ok) => (server.listening ? ok() : server.once('listening', () => ok())));
  const baseUrl = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : 'http://127.0.0.1:3999';
  const redirectUri = `${baseUrl}/oauth/callback`;
  const sim =
    o.sim === false
      ? null
      : await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri, seed: o.seed, rateLimitRps: o.simRps });
  if (sim) o.beforeBoot?.(sim);
  const smtp = o.smtp ? await startSmtpServer() : null;
  const clock = o.clock === 'manual' ? manualTestClock() : o.clock === 'offset' || o.clock === undefined ? offsetClock() : o.clock;

  const outbound: string[] = [];
  const failures: { re: RegExp; left: number }[] = [];
  const fetchWithFaults: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    outbound.push(url);
    const f = failures.find((x) => x.left > 0 && x.re.test(new URL(url).pathname));
    if (f) {
      f.left--;
      return Promise.resolve(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    }
    return fetch(input, init);
  };

  const env = testEnv({
    ...(server ? { PUBLIC_URL: baseUrl, KOMMO_REDIRECT_URI: redirectUri } : {}),
    ...(smtp ? { SMTP_URL: smtp.url, MAIL_FROM: `AI Agent <${SYSTEM_FROM}>` } : {}),
    ...(o.llm === 'fake' ? { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: LLM_BASE, OPENAI_TIMEOUT_MS: '1000', OPENAI_MODEL: 'gpt-4o-mini' } : {}),
    ...o.env,
  });
  const p = createPlatform(env, { clock, fetch: fetchWithFaults, workerPollMs: 20, ...(o.logger ? { logger: o.logger } : {}) });
  const m = createModules(p, { llm: typeof o.llm === 'object' ? o.llm : undefined });
  const runtime = startRuntime(p, moduleList(m), { worker: o.worker });
  const app = runtime.app;
  serveApp = (req, bindings) => app.fetch(req, bindings as never);

  const needSim = (): KommoSim => {
    if (!sim) throw new Error('this world was started without the Kommo simulator');
    return sim;
  };
  const install = async () => {
    const s = needSim();
    const res = await app.request(`/oauth/callback?code=${s.issueAuthCode()}&referer=${s.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
    if (res.status !== 200) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    return s.accountId;
  };

  const world: World = {
    p,
    m,
    app,
    clock,
    get sim() {
      return needSim();
    },
    get smtp() {
      if (!smtp) throw new Error('this world was started without an SMTP server (smtp: true)');
      return smtp;
    },
    get accountId() {
      return needSim().accountId;
    },
    baseUrl,
    outbound,
    async api(method, path, body, as = {}) {
      const res = await app.request(path, {
        method,
        headers: {
          'x-auth-token': widgetToken(
            { accountId: as.accountId ?? needSim().accountId, userId: as.userId, isAdmin: as.isAdmin },
            { nowSec: Math.floor(clock.now() / 1000), aud: baseUrl },
          ),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed as any };
    },
    install,
    async installAndSync() {
      const id = await install();
      await p.worker.drain();
      return id;
    },
    drain: () => p.worker.drain(),
    async later(ms) {
      clock.advance(ms);
      return p.worker.drain();
    },
    failKommo: (re, times) => void failures.push({ re, left: times }),
    kommoWrites: () => needSim().requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v4')),
    activity: (type) => {
      // As the feed reads it: entries written after the fact (the rules' verdicts) first.
      for (const a of p.sqlite.prepare('SELECT id FROM accounts').pluck().all() as number[]) m.activity.services.activity.sync(a);
      return (
        type
          ? p.sqlite.prepare('SELECT * FROM activity_logs WHERE type = ? ORDER BY id').all(type)
          : p.sqlite.prepare('SELECT * FROM activity_logs ORDER BY id').all()
      ) as any[];
    },
    count: (sql, ...args) => (p.sqlite.prepare(sql).get(...args) as { n: number }).n,
    async stop() {
      if (server) {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((ok) => server.close(() => ok()));
      }
      await runtime.stop(1000).catch(() => closePlatform(p));
      await sim?.stop();
      await smtp?.close();
    },
  };
  return world;
}
