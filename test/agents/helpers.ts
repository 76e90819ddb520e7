import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { KommoSim, type SimOptions } from '../kommo-sim/index.js';
import { buildTestApp } from '../helpers/app.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { REDIRECT_URI } from '../helpers/kommo.js';
import { widgetToken } from '../helpers/tokens.js';

export const LLM_BASE = 'http://llm.test/v1';

export type FakeReply =
  | { content?: string | null; toolCalls?: { name: string; args: unknown }[] }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true };

/** The OpenAI chat API at the HTTP boundary (msw): scripted replies, recorded requests. Loopback (the Kommo simulator) passes through. */
export function fakeOpenAI() {
  const script: FakeReply[] = [];
  const requests: any[] = [];
  let n = 0;
  const server = setupServer(
    http.post(`${LLM_BASE}/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as any;
      requests.push(body);
      const next = script.shift() ?? { content: 'Thank you for your message!' };
      if ('hang' in next) await delay('infinite');
      if ('status' in next) return HttpResponse.json(next.body ?? { error: { message: 'upstream failure', type: 'server_error' } }, { status: next.status, headers: next.headers });
      const r = next as { content?: string | null; toolCalls?: { name: string; args: unknown }[] };
      const toolCalls = (r.toolCalls ?? []).map((t) => ({ id: `call_${++n}`, type: 'function', function: { name: t.name, arguments: typeof t.args === 'string' ? t.args : JSON.stringify(t.args) } }));
      return HttpResponse.json({
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, finish_reason: toolCalls.length ? 'tool_calls' : 'stop', message: { role: 'assistant', content: r.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) } }],
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      });
    }),
  );
  return {
    server,
    requests,
    reply: (...r: FakeReply[]) => void script.push(...r),
    listen: () =>
      server.listen({
        onUnhandledRequest(req, print) {
          if (new URL(req.url).hostname === '127.0.0.1') return;
          print.error();
        },
      }),
    reset() {
      script.length = 0;
      requests.length = 0;
    },
  };
}

/** Real time plus an offset the test moves: the Kommo client's pacing keeps working, and the test can jump to a weekend. */
export function offsetClock(offsetMs = 0) {
  let offset = offsetMs;
  return { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms), setNow: (t: number) => void (offset = t - Date.now()) };
}

/** The real app with the agents configured against the fake model, and the Kommo simulator over HTTP. */
export async function startAgentWorld(opts: { seed?: SimOptions['seed']; env?: Record<string, string | undefined>; clock?: ReturnType<typeof offsetClock> } = {}) {
  const sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI, seed: opts.seed ?? { leads: 20, contacts: 20, users: 4 }, rateLimitRps: 50 });
  const clock = opts.clock ?? offsetClock();
  // Outbound fetch with a switch to fail the next N Kommo requests whose path matches (a targeted outage).
  const failures: { re: RegExp; left: number }[] = [];
  const fetchWithFaults: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const f = failures.find((x) => x.left > 0 && x.re.test(new URL(url).pathname));
    if (f) {
      f.left--;
      return Promise.resolve(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    }
    return fetch(input, init);
  };
  const ctx = buildTestApp({
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: LLM_BASE, OPENAI_TIMEOUT_MS: '1000', OPENAI_MODEL: 'gpt-4o-mini', KOMMO_RATE_LIMIT_RPS: '50', ...opts.env },
    overrides: { clock, fetch: fetchWithFaults },
  });
  const { app, deps } = ctx;
  const accountId = sim.accountId;
  const pipeline = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => pipeline._embedded.statuses.find((s) => s.name === name)!;
  const api = async (method: string, path: string, body?: unknown, account = accountId) => {
    const res = await app.request(path, {
      method,
      headers: { 'x-auth-token': widgetToken({ accountId: account }, { nowSec: Math.floor(clock.now() / 1000) }), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
  };

  return {
    sim,
    app,
    deps,
    clock,
    accountId,
    pipeline,
    stage,
    api,
    drain: () => deps.worker.drain(),
    failKommo: (re: RegExp, times: number) => void failures.push({ re, left: times }),
    /** Install through OAuth and run the first sync (the mirror the agents read). */
    async installAndSync() {
      const code = sim.issueAuthCode();
      const res = await app.request(`/oauth/callback?code=${code}&referer=${sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
      if (res.status !== 200) throw new Error(`install failed: ${res.status} ${await res.text()}`);
      await deps.worker.drain();
    },
    /** Kommo write requests (anything but GET) seen by the simulator. */
    kommoWrites: () => sim.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v4')),
    /** A client message, published the way the webhook layer does: row + event in one transaction. */
    clientWrites(leadId: number, text: string, o: { salesbot?: boolean; channel?: string; messageIds?: number[] } = {}) {
      return deps.tx(() => {
        const now = deps.clock.now();
        let ids = o.messageIds;
        if (!ids) {
          const r = deps.sqlite
            .prepare(`INSERT INTO conversation_messages (account_id, lead_id, direction, author, channel, external_id, text, created_at) VALUES (?, ?, 'inbound', 'client', ?, ?, ?, ?)`)
            .run(accountId, leadId, o.channel ?? (o.salesbot ? 'salesbot' : 'telegram'), `ext-${Math.random()}`, text, now);
          ids = [Number(r.lastInsertRowid)];
        }
        let salesbot: { returnUrl: string; requestId: number } | undefined;
        if (o.salesbot) {
          const returnUrl = `${sim.baseUrl}/api/v4/salesbot/12/continue/req-${ids[0]}`;
          const r = deps.sqlite
            .prepare(`INSERT INTO salesbot_requests (account_id, lead_id, return_url, data, status, created_at) VALUES (?, ?, ?, '{}', 'pending', ?)`)
            .run(accountId, leadId, returnUrl, now);
          salesbot = { returnUrl, requestId: Number(r.lastInsertRowid) };
        }
        deps.bus.emit('message_received', { accountId, leadId, contactId: null, messageIds: ids, channel: o.channel ?? (o.salesbot ? 'salesbot' : 'telegram'), ...(salesbot ? { salesbot } : {}) });
        return { messageIds: ids, salesbot };
      });
    },
    count: (sql: string, ...args: unknown[]) => (deps.sqlite.prepare(sql).get(...args) as { n: number }).n,
    activity: (type: string) => deps.sqlite.prepare('SELECT * FROM activity_logs WHERE account_id = ? AND type = ? ORDER BY id').all(accountId, type) as any[],
    async stop() {
      ctx.close();
      await sim.stop();
    },
  };
}

export type AgentWorld = Awaited<ReturnType<typeof startAgentWorld>>;

/** Put a lead into `stageName` of the Sales pipeline in the simulator (before the sync mirrors it). */
export function leadInStage(w: AgentWorld, stageName: string, index = 0): number {
  const st = w.stage(stageName);
  const lead = [...w.sim.state.leads.values()][index]!;
  w.sim.updateLead(lead.id, { pipeline_id: w.pipeline.id, status_id: st.id });
  return lead.id;
}

/** Create an agent through the API and bind it to a Sales stage. */
export async function agentOnStage(w: AgentWorld, stageName: string, agent: Record<string, unknown> = {}) {
  const created = await w.api('POST', '/api/agents', { name: 'Ava', mode: 'autopilot', instructions: 'Qualify the lead and book a demo.', ...agent });
  if (created.status !== 201) throw new Error(`agent create failed: ${JSON.stringify(created.body)}`);
  const bound = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: w.stage(stageName).id, agentId: created.body.id });
  if (bound.status !== 200) throw new Error(`bind failed: ${JSON.stringify(bound.body)}`);
  return created.body as { id: number; name: string };
}
