/**
 * The built widget against the REAL backend over HTTP and the Kommo simulator: what the real-backend browser
 * tests and the widget bench drive. One process: the simulator, the app (served with @hono/node-server on a
 * free port, its PUBLIC_URL / KOMMO_REDIRECT_URI naming that port so the harness's X-Auth-Token audience
 * verifies), the account installed through /oauth/callback and synced, the widget built for that backend and
 * the emulated Kommo host serving it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signJwt } from '../../server/lib/jwt.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../../test/helpers/env.js';
import { startWorld, type World } from '../../test/helpers/world.js';
import type { KommoSim, SimOptions } from '../../test/kommo-sim/index.js';
import { buildWidget } from './build.js';
import { startWidgetHarness, type WidgetHarness } from './harness.js';

/** The path secret of `<backend>/salesbot/<secret>`: what the widget is built with for a loopback backend. */
export const HOOK_SECRET = 'dev';

export interface RealWidgetWorldOptions {
  seed?: SimOptions['seed'];
  /** Extra backend environment (e.g. OPENAI_BASE_URL of a faked model). */
  env?: Record<string, string>;
  /** Called before the install: put leads into stages in the simulator so the first sync mirrors them. */
  beforeInstall?: (sim: KommoSim) => void;
}

export interface ApiAnswer {
  status: number;
  body: any;
}

export async function startRealWidgetWorld(opts: RealWidgetWorldOptions = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'kai-real-'));
  let world: World | undefined;
  let harness: WidgetHarness | undefined;
  /** Harnesses for other users of the account (a non-admin salesperson), closed with the world. */
  const others: WidgetHarness[] = [];

  const close = async () => {
    for (const o of others.splice(0)) await o.close();
    await harness?.close();
    await world?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    world = await startWorld({
      http: true,
      worker: true,
      seed: opts.seed ?? { leads: 30, contacts: 10 },
      simRps: 50,
      beforeBoot: opts.beforeInstall,
      env: { WIDGET_HOOK_SECRET: HOOK_SECRET, KOMMO_RATE_LIMIT_RPS: '50', ...opts.env },
    });
    const w = world;
    const sim = w.sim;
    const backendUrl = w.baseUrl;
    await w.installAndSync();

    const built = await buildWidget({ publicUrl: backendUrl, outDir: join(tmp, 'widget') });
    harness = await startWidgetHarness({
      backendUrl,
      clientId: TEST_CLIENT_ID,
      clientSecret: TEST_CLIENT_SECRET,
      accountId: sim.accountId,
      userId: sim.state.account.current_user_id,
      subdomain: sim.subdomain,
      widgetDir: built.outDir,
    });

    const h = harness;
    const s = sim;
    /** Call the backend as the widget does: a fresh one-time X-Auth-Token per request. */
    const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
      const res = await fetch(backendUrl + path, {
        method,
        headers: { 'x-auth-token': h.mintToken(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const must = async (method: string, path: string, body?: unknown, status = method === 'POST' ? 201 : 200) => {
      const r = await api(method, path, body);
      if (r.status !== status) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const pipeline = (name = 'Sales') => [...s.state.pipelines.values()].find((p) => p.name === name)!;
    const stage = (stageName: string, pipelineName = 'Sales') => {
      const p = pipeline(pipelineName);
      const st = p._embedded.statuses.find((x) => x.name === stageName);
      if (!st) throw new Error(`no stage ${stageName} in ${pipelineName}`);
      return { pipelineId: p.id, statusId: st.id };
    };

    return {
      tmp,
      sim: s,
      world: w,
      harness: h,
      backendUrl,
      accountId: s.accountId,
      api,
      must,
      stage,
      /** An agent through the API, bound to a stage of the synced mirror. */
      async agentOnStage(stageRef: { pipelineId: number; statusId: number }, agent: Record<string, unknown>) {
        const created = (await must('POST', '/api/agents', agent)) as { id: number; name: string; mode: string };
        await must('PUT', '/api/bindings', { ...stageRef, agentId: created.id });
        return created;
      },
      /**
       * Kommo's Salesbot `widget_request` from the widget's Salesbot step, as Kommo sends it: a JWT signed with
       * the client secret naming the lead, the step's data, and the return_url that continues the bot.
       */
      async salesbotRequest(leadId: number, message: string, continueId = `req-${leadId}-${Date.now()}`) {
        const nowSec = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { account_id: s.accountId, client_uuid: TEST_CLIENT_ID, entity_id: leadId, entity_type: 2, iat: nowSec, exp: nowSec + 600 },
          TEST_CLIENT_SECRET,
        );
        const returnUrl = `${s.baseUrl}/api/v4/salesbot/12/continue/${continueId}`;
        const res = await fetch(`${backendUrl}/salesbot/${HOOK_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, data: { lead_id: String(leadId), message }, return_url: returnUrl }),
        });
        if (res.status >= 300) throw new Error(`salesbot request answered ${res.status}: ${await res.text()}`);
        return { continueId, returnUrl };
      },
      close,
      /** The same built widget on an emulated Kommo page for another user of the account (e.g. a salesperson who is not an admin). */
      async harnessFor(userId: number, o: { isAdmin?: boolean } = {}) {
        const other = await startWidgetHarness({
          backendUrl,
          clientId: TEST_CLIENT_ID,
          clientSecret: TEST_CLIENT_SECRET,
          accountId: s.accountId,
          userId,
          subdomain: s.subdomain,
          widgetDir: built.outDir,
          ...(o.isAdmin === undefined ? {} : { isAdmin: o.isAdmin }),
        });
        others.push(other);
        return other;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export type RealWidgetWorld = Awaited<ReturnType<typeof startRealWidgetWorld>>;
