/**
 * A stand-in for the backend's widget API, for the fast browser smoke test (error paths, request counts,
 * pagination) next to the real-backend suites. It follows the real routes' shapes (server/modules/*: strict
 * agent bodies with `handoff.onToolFailure: 'handoff' | 'notify'`, approve answering `via`, 409 for an undo
 * that cannot be done), verifies every X-Auth-Token the way the real server does (HS256, audience,
 * client_uuid, expiry, one use per jti), answers `/api/me` from the token's is_admin claim, and records each request.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fieldErrors } from '../../server/lib/errors.js';
import { createAgentSchema, patchAgentSchema } from '../../server/modules/agents/agents.schemas.js';
import { budgetSchema } from '../../server/modules/agents/usage.routes.js';
import { fakeAutomation } from './fake-automation.js';
import type { ActivityItem, Agent, Binding, IntegrationStatus, KnowledgeEntry, LeadAgentState, Pipeline, Script, Usage } from '../../widget/src/api.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  claims: Record<string, unknown> | null;
}

export interface FakeBackendOptions {
  clientId: string;
  clientSecret: string;
  /** Lead ids whose panel answers 503 until `healLead` is called. */
  failingLeads?: number[];
}

const now = Date.parse('2025-03-01T10:00:00Z');
const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

function seedAgents(): Agent[] {
  const base = {
    model: 'gpt-4o-mini',
    temperature: 0.3,
    language: 'auto',
    tone: 'friendly',
    workingHours: null,
    replyDelaySec: 30,
    maxRepliesPerLeadPerDay: 20,
    allowedActions: ['add_note', 'create_task', 'move_to_stage', 'handoff_to_human'] as Agent['allowedActions'],
    approvalRequired: ['move_to_won', 'move_to_lost'] as Agent['approvalRequired'],
    handoff: { keywords: ['manager'], afterTurns: null, onToolFailure: 'handoff' as const },
    humanReplyPauseMinutes: 60,
    maxReplyChars: 1000,
    createdAt: iso(5000),
    updatedAt: iso(60),
  };
  return [
    { ...base, id: 1, name: 'Sofia — qualification', instructions: 'Qualify inbound leads: budget, timeline, decision maker.', mode: 'autopilot' },
    { ...base, id: 2, name: 'Leo — follow-ups', instructions: 'Follow up politely on open proposals.', mode: 'draft' },
  ];
}

const pipelines: Pipeline[] = [
  {
    id: 1,
    name: 'Sales',
    sort: 1,
    statuses: [
      { id: 11, name: 'Incoming', color: '#99ccff', sort: 10, type: 1 },
      { id: 12, name: 'Qualified', color: '#ffcc66', sort: 20, type: 0 },
      { id: 13, name: 'Proposal', color: null, sort: 30, type: 0 },
      { id: 142, name: 'Won', color: '#ccff66', sort: 10000, type: 0 },
    ],
  },
  { id: 2, name: 'Partners', sort: 2, statuses: [{ id: 21, name: 'New partner', color: '#d6eaff', sort: 10, type: 0 }] },
];

/** Lead 77: this month's budget is spent, and its agent's model has left the operator's list. */
export const BUDGET_SPENT_LEAD = 77;

function leadState(leadId: number): LeadAgentState {
  const state = seedLeadState(leadId);
  if (leadId !== BUDGET_SPENT_LEAD) return state;
  return {
    ...state,
    agent: { ...state.agent!, model: 'gpt-4o-mini', modelFallback: { configured: 'gpt-4-retired', used: 'gpt-4o-mini' } },
    budget: { exhausted: true, resetsAt: '2025-04-01T00:00:00.000Z' },
  };
}

function seedLeadState(leadId: number): LeadAgentState {
  return {
    leadId,
    agent: { id: 1, name: 'Sofia — qualification', mode: 'autopilot' },
    stage: { pipelineId: 1, statusId: 12, name: 'Qualified' },
    paused: false,
    pausedUntil: null,
    handoff: { active: false, reason: null },
    drafts: [{ id: 501, text: 'Hi Anna! Would Tuesday 3 pm work for a 20-minute demo?', createdAt: iso(3) }],
    actions: [
      { id: 701, type: 'move_to_stage', summary: 'Moved to Qualified', status: 'done', undoable: true, createdAt: iso(10) },
      { id: 702, type: 'create_task', summary: 'Task: call Anna tomorrow 10:00', status: 'done', undoable: false, createdAt: iso(12) },
      { id: 703, type: 'update_field', summary: 'Budget → 12 000', status: 'pending_approval', undoable: false, createdAt: iso(14) },
    ],
    replies: [
      { id: 601, text: 'Thanks Anna! What budget do you have in mind for the rollout?', createdAt: iso(20) },
      { id: 602, text: 'Hello! I am Sofia from ACME. How many seats do you need?', createdAt: iso(40) },
    ],
  };
}

function seedActivity(): ActivityItem[] {
  const types = ['agent.reply', 'agent.action', 'agent.draft', 'sync.completed'];
  return Array.from({ length: 45 }, (_, i) => ({
    id: 1000 - i,
    type: types[i % types.length] ?? 'agent.reply',
    title: `Event ${i + 1}`,
    description: i % 3 === 0 ? `Details of event ${i + 1}` : null,
    userId: null,
    leadId: i % 2 === 0 ? 42 : 43,
    agentId: 1,
    metadata: {},
    createdAt: iso(i * 7),
  }));
}

function problem(res: ServerResponse, status: number, code: string, title: string, detail: string, errors?: { field: string; message: string }[]) {
  send(
    res,
    status,
    { type: `https://errors.example/${code.toLowerCase()}`, title, status, detail, code, requestId: `req-${status}-${code}`, ...(errors ? { errors } : {}) },
    'application/problem+json',
  );
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  if (status === 204) {
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(JSON.stringify(body));
}

/** The real agent schemas (the contract the widget must keep): the same checks and the same field errors as the server. */
function agentBodyErrors(b: Record<string, unknown>, create: boolean): { field: string; message: string }[] {
  const r = (create ? createAgentSchema : patchAgentSchema).safeParse(b);
  return r.success ? [] : fieldErrors(r.error);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? JSON.parse(raw) : undefined;
}

export async function startFakeBackend(opts: FakeBackendOptions) {
  const requests: RecordedRequest[] = [];
  const seenJti = new Set<string>();
  const failing = new Set(opts.failingLeads ?? []);
  const agents = seedAgents();
  let bindings: Binding[] = [{ pipelineId: 1, statusId: 12, agentId: 1 }];
  const scripts: Script[] = [
    { id: 1, agentId: 1, name: 'Discovery call', body: 'Hi {{lead.name}}, your budget is {{lead.cf.BUDGET}}.', stages: [{ pipelineId: 1, statusId: 12 }] },
  ];
  const knowledge: KnowledgeEntry[] = [
    {
      id: 1,
      kind: 'faq',
      title: 'Pricing',
      content: 'Q: How much?\nA: From $20 per seat.',
      question: 'How much?',
      answer: 'From $20 per seat.',
      createdAt: iso(100),
    },
  ];
  const activity = seedActivity();
  const leads = new Map<number, LeadAgentState>();
  let syncPolls = -1;
  let nextId = 2000;
  let origin = '';

  const status = (): IntegrationStatus => {
    const running = syncPolls >= 0;
    const done = running ? Math.min(3, syncPolls) * 40 : 120;
    return {
      connection: { state: 'connected', host: 'acme.kommo.com', name: 'ACME Inc.', reason: null },
      sync: {
        id: 7,
        state: running ? 'running' : 'completed',
        phase: running ? 'contacts' : 'done',
        progress: { done, total: 120, percent: Math.round((done / 120) * 100) },
        startedAt: iso(30),
        finishedAt: running ? null : iso(29),
        error: null,
        counts: {},
      },
      counts: { pipelines: 2, statuses: 5, fields: 14, users: 3 },
    };
  };

  const verify = (token: string | undefined): Record<string, unknown> | string => {
    if (!token) return 'missing X-Auth-Token';
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return 'malformed';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    if (header.alg !== 'HS256') return 'alg';
    const expected = createHmac('sha256', opts.clientSecret).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    if (claims.aud !== origin) return `wrong audience ${String(claims.aud)}`;
    if (claims.client_uuid !== opts.clientId) return 'wrong client_uuid';
    if (typeof claims.exp !== 'number' || claims.exp < Date.now() / 1000) return 'expired';
    if (typeof claims.jti !== 'string' || seenJti.has(claims.jti)) return 'replayed jti';
    seenJti.add(claims.jti);
    return claims;
  };

  const usage: Usage = {
    month: '2025-03',
    used: { promptTokens: 1_840_000, completionTokens: 160_000, tokens: 2_000_000, costUsd: 37.5, turns: 912, playgroundRuns: 14 },
    limit: { usd: 50, tokens: null },
    defaults: { usd: 50, tokens: null },
    override: { usd: null, tokens: null },
    exhausted: false,
    exhaustedBy: null,
    resetsAt: '2025-04-01T00:00:00.000Z',
  };

  const automation = fakeAutomation(now);

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL, body: unknown, claims: Record<string, unknown>) => {
    const m = req.method ?? 'GET';
    const path = url.pathname;
    const b = (body ?? {}) as Record<string, unknown>;
    let match: RegExpExecArray | null;
    // Like the server, the token's is_admin claim decides.
    if (m === 'GET' && path === '/api/me') return send(res, 200, { accountId: claims.account_id, userId: claims.user_id, isAdmin: claims.is_admin === true });
    const auto = automation(m, path, b);
    if (auto) {
      const p = auto.body as { code?: string; title?: string; detail?: string };
      return auto.status >= 400 ? problem(res, auto.status, p.code ?? 'UNKNOWN', p.title ?? '', p.detail ?? '') : send(res, auto.status, auto.body);
    }

    if (m === 'GET' && path === '/api/integrations/status') {
      const s = status();
      if (syncPolls >= 0) syncPolls = syncPolls >= 3 ? -1 : syncPolls + 1;
      return send(res, 200, s);
    }
    if (m === 'POST' && path === '/api/integrations/sync') {
      syncPolls = 0;
      return send(res, 202, { syncRunId: 7, state: 'queued' });
    }
    if (m === 'GET' && path === '/api/pipelines') return send(res, 200, { items: pipelines });
    if (m === 'GET' && path === '/api/fields') return send(res, 200, { items: [{ entity: 'leads', id: 1, name: 'Budget', code: 'BUDGET', type: 'numeric' }] });
    if (m === 'GET' && path === '/api/agents') return send(res, 200, { items: agents });
    if (m === 'GET' && path === '/api/models') return send(res, 200, { items: ['gpt-4o-mini', 'gpt-4.1'], default: 'gpt-4o-mini' });
    if (m === 'GET' && path === '/api/usage') return send(res, 200, usage);
    if (m === 'GET' && path === '/api/account/language') return send(res, 200, { language: 'en', override: null, kommo: 'en' });
    if (m === 'PUT' && path === '/api/usage/budget') {
      const r = budgetSchema.safeParse(b);
      if (!r.success) {
        const errors = fieldErrors(r.error);
        return problem(
          res,
          422,
          'VALIDATION_FAILED',
          'Validation failed',
          `Invalid request body: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
          errors,
        );
      }
      if (r.data.monthlyUsd !== undefined) usage.override.usd = r.data.monthlyUsd;
      if (r.data.monthlyTokens !== undefined) usage.override.tokens = r.data.monthlyTokens;
      usage.limit = { usd: usage.override.usd ?? usage.defaults.usd, tokens: usage.override.tokens ?? usage.defaults.tokens };
      return send(res, 200, usage);
    }
    if (m === 'POST' && path === '/api/agents') {
      const errors = agentBodyErrors(b, true);
      if (errors.length)
        return problem(
          res,
          422,
          'VALIDATION_FAILED',
          'Validation failed',
          `Invalid request body: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
          errors,
        );
      const agent: Agent = {
        ...({ humanReplyPauseMinutes: 60, maxReplyChars: 1000 } as Partial<Agent>),
        ...(b as unknown as Agent),
        id: nextId++,
        createdAt: iso(0),
        updatedAt: iso(0),
      };
      agents.push(agent);
      return send(res, 201, agent);
    }
    if ((match = /^\/api\/agents\/(\d+)$/.exec(path))) {
      const agent = agents.find((a) => a.id === Number(match?.[1]));
      if (!agent) return problem(res, 404, 'NOT_FOUND', 'Not found', 'Agent was not found');
      if (m === 'GET') return send(res, 200, agent);
      if (m === 'PATCH') {
        const errors = agentBodyErrors(b, false);
        if (errors.length) return problem(res, 422, 'VALIDATION_FAILED', 'Validation failed', 'Invalid request body', errors);
        Object.assign(agent, b, { updatedAt: iso(0) });
        return send(res, 200, agent);
      }
      if (m === 'DELETE') {
        agents.splice(agents.indexOf(agent), 1);
        return send(res, 204, null);
      }
    }
    if (m === 'GET' && path === '/api/bindings') return send(res, 200, { items: bindings });
    if (m === 'GET' && path === '/api/setup/checklist')
      return send(res, 200, {
        done: 3,
        total: 4,
        checks: [
          { key: 'connection', ok: true, problem: null, detail: {} },
          { key: 'agent', ok: true, problem: null, detail: {} },
          { key: 'channels', ok: false, problem: 'no_salesbot', detail: {} },
          { key: 'mail_llm', ok: true, problem: null, detail: {} },
        ],
      });
    if (m === 'GET' && path === '/api/integrations/dp-token') return send(res, 200, { token: 'dp-token-of-account-1', setting: 'kai_dp_token' });
    if (m === 'PUT' && path === '/api/bindings') {
      const next = b as unknown as Binding;
      bindings = bindings.filter((x) => !(x.pipelineId === next.pipelineId && x.statusId === next.statusId));
      if (next.agentId !== null) bindings.push(next);
      return send(res, 200, { items: bindings });
    }
    if (m === 'GET' && path === '/api/scripts/variables') {
      return send(res, 200, {
        variables: [
          { key: 'lead.name', label: 'Lead name' },
          { key: 'lead.price', label: 'Budget' },
          { key: 'lead.cf.BUDGET', label: 'Budget (field)' },
          { key: 'contact.name', label: 'Contact name' },
        ],
      });
    }
    if (m === 'POST' && path === '/api/scripts/preview') {
      const rendered = String(b.body ?? '').replace(
        /\{\{\s*([\w.]+)\s*\}\}/g,
        (_x, key: string) => ({ 'lead.name': 'ACME deal', 'lead.price': '12000', 'lead.cf.BUDGET': '12 000', 'contact.name': 'Anna' })[key] ?? '',
      );
      return send(res, 200, { rendered });
    }
    if (m === 'GET' && path === '/api/scripts') {
      const agentId = url.searchParams.get('agentId');
      return send(res, 200, { items: agentId ? scripts.filter((s) => s.agentId === Number(agentId)) : scripts });
    }
    if (m === 'POST' && path === '/api/scripts') {
      const script = { ...(b as unknown as Script), id: nextId++ };
      scripts.push(script);
      return send(res, 201, script);
    }
    if ((match = /^\/api\/scripts\/(\d+)$/.exec(path))) {
      const script = scripts.find((s) => s.id === Number(match?.[1]));
      if (!script) return problem(res, 404, 'NOT_FOUND', 'Not found', 'Script was not found');
      if (m === 'PATCH') return send(res, 200, Object.assign(script, b));
      if (m === 'DELETE') {
        scripts.splice(scripts.indexOf(script), 1);
        return send(res, 204, null);
      }
    }
    if ((match = /^\/api\/agents\/(\d+)\/knowledge$/.exec(path))) {
      if (m === 'GET') return send(res, 200, { items: knowledge });
      if (m === 'POST') {
        const faq = b.kind === 'faq';
        const content = faq ? `Q: ${String(b.question)}\nA: ${String(b.answer)}` : String(b.content ?? '');
        const entry: KnowledgeEntry = {
          id: nextId++,
          kind: b.kind as KnowledgeEntry['kind'],
          title: String(b.title),
          content,
          ...(faq ? { question: String(b.question), answer: String(b.answer) } : {}),
          createdAt: iso(0),
        };
        knowledge.push(entry);
        return send(res, 201, entry);
      }
    }
    if ((match = /^\/api\/knowledge\/(\d+)$/.exec(path)) && m === 'DELETE') {
      const i = knowledge.findIndex((k) => k.id === Number(match?.[1]));
      if (i >= 0) knowledge.splice(i, 1);
      return send(res, 204, null);
    }
    if ((match = /^\/api\/agents\/(\d+)\/playground$/.exec(path)) && m === 'POST') {
      return send(res, 200, {
        reply: `Sure! (${String(b.message)}) Our plan starts at $20 per seat.`,
        actions: [
          { type: 'add_note', args: { text: 'Asked about pricing' }, valid: true },
          { type: 'move_to_stage', args: { statusId: 999 }, valid: false, error: 'No stage 999 in this pipeline' },
        ],
        citations: [{ entryId: 1, title: 'Pricing' }],
      });
    }
    if ((match = /^\/api\/leads\/(\d+)\/agent(\/pause|\/resume)?$/.exec(path))) {
      const leadId = Number(match[1]);
      if (failing.has(leadId)) return problem(res, 503, 'UNAVAILABLE', 'Service unavailable', 'The agent service is restarting');
      const state = leads.get(leadId) ?? leadState(leadId);
      leads.set(leadId, state);
      if (match[2] === '/pause' && m === 'POST') {
        state.paused = true;
        state.pausedUntil = typeof b.minutes === 'number' ? new Date(now + b.minutes * 60_000).toISOString() : null;
      } else if (match[2] === '/resume' && m === 'POST') {
        state.paused = false;
        state.pausedUntil = null;
      }
      return send(res, 200, state);
    }
    if ((match = /^\/api\/drafts\/(\d+)\/(approve|discard)$/.exec(path)) && m === 'POST') {
      const id = Number(match[1]);
      let found = false;
      for (const state of leads.values()) {
        const draft = state.drafts.find((d) => d.id === id);
        if (!draft) continue;
        found = true;
        state.drafts = state.drafts.filter((d) => d.id !== id);
        if (match[2] === 'approve') state.replies.unshift({ id: nextId++, text: typeof b.text === 'string' ? b.text : draft.text, createdAt: iso(0) });
      }
      if (!found)
        return problem(
          res,
          409,
          'CONFLICT',
          'Conflict',
          `Draft ${id} is sent; only a pending draft can be ${match[2] === 'approve' ? 'approved' : 'discarded'}`,
        );
      return send(res, 200, match[2] === 'approve' ? { status: 'sent', via: 'salesbot' } : { status: 'discarded' });
    }
    if ((match = /^\/api\/actions\/(\d+)\/approve$/.exec(path)) && m === 'POST') {
      const id = Number(match[1]);
      // Every seeded lead carries the same action ids: approve the id wherever it waits.
      const waiting = [...leads.values()].flatMap((st) => st.actions.filter((a) => a.id === id && a.status === 'pending_approval'));
      if (!waiting.length) return problem(res, 409, 'CONFLICT', 'Conflict', `Action ${id} is not pending; only a pending action can be approved`);
      for (const action of waiting) action.status = 'done';
      return send(res, 200, { id, status: 'done' });
    }
    if ((match = /^\/api\/actions\/(\d+)\/undo$/.exec(path)) && m === 'POST') {
      const id = Number(match[1]);
      for (const state of leads.values()) {
        const action = state.actions.find((a) => a.id === id);
        if (!action) continue;
        if (!action.undoable || action.status !== 'done')
          return problem(res, 409, 'CONFLICT', 'Conflict', `A ${action.type.replace(/_/g, ' ')} action cannot be undone through Kommo's API`);
        action.status = 'undone';
        action.undoable = false;
      }
      return send(res, 200, { id, status: 'undone' });
    }
    if (m === 'GET' && path === '/api/dashboard/updates') {
      const limit = Number(url.searchParams.get('limit') ?? '20');
      const offset = Number(url.searchParams.get('cursor') ?? '0');
      const type = url.searchParams.get('type');
      const leadId = url.searchParams.get('leadId');
      const items = activity.filter((a) => (!type || a.type === type) && (!leadId || a.leadId === Number(leadId)));
      const page = items.slice(offset, offset + limit);
      return send(res, 200, { items: page, nextCursor: offset + limit < items.length ? String(offset + limit) : null });
    }
    // The lead card's email block: no emails yet, one contact address to write to.
    if ((match = /^\/api\/leads\/(\d+)\/emails$/.exec(path)) && m === 'GET') {
      return send(res, 200, { items: [], recipients: [`client${match[1]}@example.com`] });
    }
    return problem(res, 404, 'NOT_FOUND', 'Not found', `No such endpoint: ${m} ${path}`);
  };

  const server = createServer((req, res) => {
    const reqOrigin = req.headers.origin;
    if (reqOrigin) {
      res.setHeader('access-control-allow-origin', reqOrigin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-headers': 'X-Auth-Token, Content-Type',
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    readBody(req)
      .then(async (body) => {
        const claims = verify(req.headers['x-auth-token'] as string | undefined);
        requests.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          body,
          claims: typeof claims === 'string' ? null : claims,
        });
        if (typeof claims === 'string') return problem(res, 401, 'UNAUTHORIZED', 'Unauthorized', `Invalid X-Auth-Token: ${claims}`);
        await route(req, res, url, body, claims);
      })
      .catch((err: unknown) => problem(res, 500, 'INTERNAL', 'Internal server error', String(err)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    requests,
    healLead: (leadId: number) => failing.delete(leadId),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export type FakeBackend = Awaited<ReturnType<typeof startFakeBackend>>;
