import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWebhook } from '../fixtures/kommo-webhooks.js';
import { KommoSim } from './index.js';

const CLIENT = { clientId: 'cid-123', clientSecret: 'secret-xyz', redirectUri: 'https://app.example/oauth/callback' };

type Json = Record<string, any>;

async function api(sim: KommoSim, token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(path.startsWith('http') ? path : `${sim.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const isJson = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, text, json: text && isJson ? (JSON.parse(text) as Json) : undefined };
}

function tokenRequest(sim: KommoSim, body: Json) {
  return fetch(`${sim.baseUrl}/oauth2/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }));
}

describe('KommoSim', () => {
  let sim: KommoSim;
  let token: string;

  beforeAll(async () => {
    sim = await KommoSim.start({ ...CLIENT, rateLimitRps: 10_000, seed: { leads: 600, contacts: 40 } });
    token = sim.issueTokens().access_token;
  });
  afterAll(() => sim.stop());

  it('exposes host/baseUrl on a random loopback port', () => {
    expect(sim.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(sim.baseUrl).toBe(`http://${sim.host}`);
    expect(sim.accountId).toBe(30000001);
    expect(sim.subdomain).toBe('simco');
  });

  describe('oauth', () => {
    it('exchanges a one-time code and rotates refresh tokens', async () => {
      const code = sim.issueAuthCode();
      const base = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, redirect_uri: CLIENT.redirectUri };
      const first = await tokenRequest(sim, { ...base, grant_type: 'authorization_code', code });
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
      expect(typeof first.json.access_token).toBe('string');
      expect(sim.counters.tokenExchanges).toBe(1);
      expect(sim.state.tokens.get(first.json.access_token)).toMatchObject({ kind: 'access', dead: false });

      const again = await tokenRequest(sim, { ...base, grant_type: 'authorization_code', code });
      expect(again.status).toBe(400);
      expect(again.json.error).toBe('invalid_grant');

      const acc = await api(sim, first.json.access_token, '/api/v4/account');
      expect(acc.status).toBe(200);

      const refreshed = await tokenRequest(sim, { ...base, grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.json.refresh_token).not.toBe(first.json.refresh_token);
      expect(sim.counters.refreshes).toBe(1);

      const reused = await tokenRequest(sim, { ...base, grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expect(reused.status).toBe(401);
      expect(reused.json).toMatchObject({ hint: 'Token has been revoked', error: 'invalid_grant' });
      expect(sim.counters.failedRefreshes).toBe(1);

      const next = await tokenRequest(sim, { ...base, grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token });
      expect(next.status).toBe(200);
    });

    it('checks client credentials and redirect_uri', async () => {
      const code = sim.issueAuthCode();
      const bad = await tokenRequest(sim, {
        client_id: CLIENT.clientId,
        client_secret: 'nope',
        grant_type: 'authorization_code',
        code,
        redirect_uri: CLIENT.redirectUri,
      });
      expect(bad.status).toBe(401);
      const badRedirect = await tokenRequest(sim, {
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://evil.example/',
      });
      expect(badRedirect.status).toBe(400);
    });

    it('401s without/with bad bearer; expireAccessTokens keeps refresh working; revokeAllTokens kills everything', async () => {
      expect((await api(sim, 'garbage', '/api/v4/account')).status).toBe(401);
      const pair = sim.issueTokens();
      sim.faults.expireAccessTokens();
      const expired = await api(sim, pair.access_token, '/api/v4/account');
      expect(expired.status).toBe(401);
      expect(expired.json).toMatchObject({ status: 401 });
      const base = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, redirect_uri: CLIENT.redirectUri, grant_type: 'refresh_token' };
      const r = await tokenRequest(sim, { ...base, refresh_token: pair.refresh_token });
      expect(r.status).toBe(200);
      expect((await api(sim, r.json.access_token, '/api/v4/account')).status).toBe(200);

      sim.faults.revokeAllTokens();
      expect((await api(sim, r.json.access_token, '/api/v4/account')).status).toBe(401);
      const dead = await tokenRequest(sim, { ...base, refresh_token: r.json.refresh_token });
      expect(dead.json.hint).toBe('Token has been revoked');
      token = sim.issueTokens().access_token; // fresh install for the remaining tests
    });
  });

  describe('account metadata', () => {
    it('serves account with task types, users, pipelines and custom fields', async () => {
      const acc = await api(sim, token, '/api/v4/account?with=amojo_id,task_types,users_groups,datetime_settings');
      expect(acc.json).toMatchObject({ id: 30000001, subdomain: 'simco', currency: 'USD' });
      expect(acc.json!.amojo_id).toBeTypeOf('string');
      expect(acc.json!._embedded.task_types.slice(0, 2)).toMatchObject([
        { id: 1, name: 'Follow-up' },
        { id: 2, name: 'Meeting' },
      ]);
      const users = await api(sim, token, '/api/v4/users');
      expect(users.json!._embedded.users).toHaveLength(5);
      expect(users.json!._embedded.users[0].rights.is_admin).toBe(true);
      const pipes = await api(sim, token, '/api/v4/leads/pipelines');
      const pl = pipes.json!._embedded.pipelines;
      expect(pl).toHaveLength(2);
      for (const p of pl) {
        const ids = p._embedded.statuses.map((s: Json) => s.id);
        expect(ids).toContain(142);
        expect(ids).toContain(143);
        expect(p._embedded.statuses[0]).toMatchObject({ pipeline_id: p.id, type: 1 });
      }
      const one = await api(sim, token, `/api/v4/leads/pipelines/${pl[1].id}`);
      expect(one.json!.id).toBe(pl[1].id);
      const cf = await api(sim, token, '/api/v4/contacts/custom_fields');
      const phone = cf.json!._embedded.custom_fields.find((f: Json) => f.code === 'PHONE');
      expect(phone).toMatchObject({ type: 'multitext' });
      const lf = await api(sim, token, '/api/v4/leads/custom_fields');
      expect(lf.json!._embedded.custom_fields.some((f: Json) => f.type === 'select' && f.enums.length > 1)).toBe(true);
    });
  });

  describe('lists', () => {
    it('answers 204 with no body for an empty result and past the last page', async () => {
      const future = sim.now() + 3600;
      const empty = await api(sim, token, `/api/v4/leads?filter[updated_at][from]=${future}`);
      expect(empty.status).toBe(204);
      expect(empty.text).toBe('');
      const past = await api(sim, token, '/api/v4/leads?page=99&limit=250');
      expect(past.status).toBe(204);
    });

    it('pages with absolute next links that keep filters', async () => {
      const seen = new Set<number>();
      let url: string | undefined = `/api/v4/leads?limit=250&order[updated_at]=asc&filter[updated_at][from]=0&with=contacts`;
      let pages = 0;
      let lastUpdated = 0;
      while (url) {
        const r = await api(sim, token, url);
        expect(r.status).toBe(200);
        pages++;
        for (const l of r.json!._embedded.leads) {
          seen.add(l.id);
          expect(l.updated_at).toBeGreaterThanOrEqual(lastUpdated);
          lastUpdated = l.updated_at;
          expect(Array.isArray(l._embedded.contacts)).toBe(true);
        }
        url = r.json!._links.next?.href;
        if (url) {
          expect(url.startsWith(`${sim.baseUrl}/api/v4/leads?`)).toBe(true);
          const q = new URL(url).searchParams;
          expect(q.get('filter[updated_at][from]')).toBe('0');
          expect(q.get('limit')).toBe('250');
          expect(q.get('page')).toBe(String(pages + 1));
        }
      }
      expect(pages).toBe(3);
      expect(seen.size).toBe(600);
    });

    it('filters by id and searches contacts by phone', async () => {
      const ids = [...sim.state.leads.keys()].slice(0, 3);
      const r = await api(sim, token, `/api/v4/leads?${ids.map((id) => `filter[id][]=${id}`).join('&')}`);
      expect(r.json!._embedded.leads.map((l: Json) => l.id)).toEqual(ids);
      const contact = [...sim.state.contacts.values()][3]!;
      const phone = String(contact.custom_fields_values!.find((f) => f.field_code === 'PHONE')!.values[0]!.value);
      const found = await api(sim, token, `/api/v4/contacts?query=${encodeURIComponent(phone)}`);
      expect(found.json!._embedded.contacts.map((c: Json) => c.id)).toContain(contact.id);
      expect((await api(sim, token, '/api/v4/leads/999')).status).toBe(204);
    });
  });

  describe('leads writes', () => {
    it('PATCH bumps updated_at, closes on 142 and rejects an unknown status', async () => {
      const lead = [...sim.state.leads.values()].find((l) => l.status_id !== 142 && l.status_id !== 143)!;
      const before = lead.updated_at;
      sim.tick(60);
      const ok = await api(sim, token, `/api/v4/leads/${lead.id}`, {
        method: 'PATCH',
        body: { status_id: 142, price: 1234, tags_to_add: [{ name: 'sim-tag' }] },
      });
      expect(ok.status).toBe(200);
      expect(ok.json!.updated_at).toBeGreaterThan(before);
      expect(sim.state.leads.get(lead.id)).toMatchObject({ status_id: 142, price: 1234 });
      expect(sim.state.leads.get(lead.id)!.closed_at).not.toBeNull();
      expect(sim.state.leads.get(lead.id)!._embedded.tags.map((t) => t.name)).toContain('sim-tag');
      expect(sim.state.events.some((e) => e.type === 'lead_status_changed' && e.entity_id === lead.id)).toBe(true);

      const bad = await api(sim, token, `/api/v4/leads/${lead.id}`, { method: 'PATCH', body: { status_id: 999 } });
      expect(bad.status).toBe(400);
      expect(bad.json!['validation-errors'][0].errors[0]).toMatchObject({ code: 'NotSupportedChoice', path: 'status_id' });
      expect(sim.state.leads.get(lead.id)!.status_id).toBe(142);

      const badBatch = await api(sim, token, '/api/v4/leads', {
        method: 'PATCH',
        body: [
          { id: lead.id, price: 1 },
          { id: lead.id, responsible_user_id: 1 },
        ],
      });
      expect(badBatch.status).toBe(400);
      expect(sim.state.leads.get(lead.id)!.price).toBe(1234); // whole batch rejected
    });

    it('moves pipelines, filters by statuses and rejects malformed JSON', async () => {
      const [main, other] = [...sim.state.pipelines.values()];
      const lead = sim.addLead({ pipeline_id: main!.id });
      const r = await api(sim, token, `/api/v4/leads/${lead.id}`, { method: 'PATCH', body: { pipeline_id: other!.id } });
      expect(r.status).toBe(200);
      const moved = sim.state.leads.get(lead.id)!;
      expect(moved.pipeline_id).toBe(other!.id);
      expect(other!._embedded.statuses.some((s) => s.id === moved.status_id && s.type === 0)).toBe(true);
      const list = await api(
        sim,
        token,
        `/api/v4/leads?filter[statuses][0][pipeline_id]=${other!.id}&filter[statuses][0][status_id]=${moved.status_id}&limit=250`,
      );
      expect(list.json!._embedded.leads.every((l: Json) => l.status_id === moved.status_id)).toBe(true);
      const res = await fetch(`${sim.baseUrl}/api/v4/leads`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '[{',
      });
      expect(res.status).toBe(400);
      expect((await api(sim, token, '/api/v4/nope')).status).toBe(404);
    });

    it('merges custom fields by id and validates enums', async () => {
      const lead = sim.addLead({ name: 'CF test' });
      const source = [...sim.state.customFields.leads.values()].find((f) => f.name === 'Source')!;
      const product = [...sim.state.customFields.leads.values()].find((f) => f.name === 'Product')!;
      const r1 = await api(sim, token, '/api/v4/leads', {
        method: 'PATCH',
        body: [
          {
            id: lead.id,
            custom_fields_values: [
              { field_id: source.id, values: [{ enum_id: source.enums![1]!.id }] },
              { field_id: product.id, values: [{ value: 'X' }] },
            ],
          },
        ],
      });
      expect(r1.status).toBe(200);
      await api(sim, token, `/api/v4/leads/${lead.id}`, {
        method: 'PATCH',
        body: { custom_fields_values: [{ field_id: product.id, values: [{ value: 'Y' }] }] },
      });
      const got = await api(sim, token, `/api/v4/leads/${lead.id}`);
      const cf = got.json!.custom_fields_values as Json[];
      expect(cf.find((f) => f.field_id === source.id)!.values[0]).toMatchObject({ enum_id: source.enums![1]!.id });
      expect(cf.find((f) => f.field_id === product.id)!.values[0].value).toBe('Y');
      const bad = await api(sim, token, `/api/v4/leads/${lead.id}`, {
        method: 'PATCH',
        body: { custom_fields_values: [{ field_id: source.id, values: [{ value: 'Nope' }] }] },
      });
      expect(bad.status).toBe(400);
      const unknown = await api(sim, token, `/api/v4/leads/${lead.id}`, {
        method: 'PATCH',
        body: { custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] },
      });
      expect(unknown.status).toBe(400);
    });

    it('creates leads, contacts and tasks', async () => {
      const c = await api(sim, token, '/api/v4/contacts', {
        method: 'POST',
        body: [
          { first_name: 'New', last_name: 'Person', custom_fields_values: [{ field_code: 'EMAIL', values: [{ value: 'new@x.example', enum_code: 'WORK' }] }] },
        ],
      });
      expect(c.status).toBe(200);
      const contactId = c.json!._embedded.contacts[0].id;
      const l = await api(sim, token, '/api/v4/leads', {
        method: 'POST',
        body: [{ name: 'From API', price: 10, _embedded: { contacts: [{ id: contactId }] } }],
      });
      const leadId = l.json!._embedded.leads[0].id;
      expect(sim.state.leads.get(leadId)!._embedded.contacts).toEqual([{ id: contactId, is_main: true }]);
      const t = await api(sim, token, '/api/v4/tasks', {
        method: 'POST',
        body: [{ text: 'Call back', complete_till: sim.now() + 3600, entity_id: leadId, entity_type: 'leads', task_type_id: 1 }],
      });
      expect(t.status).toBe(200);
      const taskId = t.json!._embedded.tasks[0].id;
      const done = await api(sim, token, `/api/v4/tasks/${taskId}`, { method: 'PATCH', body: { is_completed: true, result: { text: 'ok' } } });
      expect(done.status).toBe(200);
      expect(sim.state.tasks.get(taskId)!.is_completed).toBe(true);
      const found = await api(sim, token, '/api/v4/contacts?query=new@x.example&with=leads');
      expect(found.json!._embedded.contacts[0]._embedded.leads.map((x: Json) => x.id)).toEqual([leadId]);
    });
  });

  describe('notes, calls, events, webhooks, salesbot', () => {
    it('accepts common notes and rejects mail_message / amomail_message', async () => {
      const leadId = sim.state.leads.keys().next().value!;
      const ok = await api(sim, token, '/api/v4/leads/notes', { method: 'POST', body: [{ entity_id: leadId, note_type: 'common', params: { text: 'hi' } }] });
      expect(ok.status).toBe(200);
      for (const t of ['mail_message', 'amomail_message']) {
        const bad = await api(sim, token, '/api/v4/leads/notes', { method: 'POST', body: [{ entity_id: leadId, note_type: t, params: { text: 'x' } }] });
        expect(bad.status).toBe(400);
        expect(bad.text).toContain('NotSupportedChoice');
      }
      const list = await api(sim, token, `/api/v4/leads/${leadId}/notes`);
      expect(list.json!._embedded.notes.map((n: Json) => n.params.text)).toContain('hi');
      expect((await api(sim, token, '/api/v4/leads/notes?filter[note_type]=common')).status).toBe(200);
    });

    it('logs calls against the contact with that phone', async () => {
      const contact = [...sim.state.contacts.values()][5]!;
      const phone = String(contact.custom_fields_values!.find((f) => f.field_code === 'PHONE')!.values[0]!.value);
      const r = await api(sim, token, '/api/v4/calls', {
        method: 'POST',
        body: [{ direction: 'inbound', uniq: 'u1', duration: 30, source: 'sim', phone, call_status: 4 }],
      });
      expect(r.status).toBe(200);
      expect(r.json!._embedded.calls[0]).toMatchObject({ entity_id: contact.id });
      expect(sim.state.calls.at(-1)).toMatchObject({ entity_id: contact.id, entity_type: 'contacts' });
    });

    it('lists events with filters', async () => {
      const r = await api(sim, token, '/api/v4/events?filter[type]=lead_status_changed&filter[entity][]=lead');
      expect(r.status).toBe(200);
      expect(r.json!._embedded.events.every((e: Json) => e.type === 'lead_status_changed')).toBe(true);
    });

    it('upserts webhooks idempotently and deletes them', async () => {
      const dest = 'https://app.example/hooks/abc';
      await api(sim, token, '/api/v4/webhooks', { method: 'POST', body: { destination: dest, settings: ['add_lead'] } });
      const second = await api(sim, token, '/api/v4/webhooks', { method: 'POST', body: { destination: dest, settings: ['update_lead', 'add_message'] } });
      expect(second.json).toMatchObject({ destination: dest, settings: ['update_lead', 'add_message'] });
      expect(sim.state.webhooks.size).toBe(1);
      expect((await api(sim, token, '/api/v4/webhooks')).json!._embedded.webhooks).toHaveLength(1);
      expect((await api(sim, token, '/api/v4/webhooks', { method: 'DELETE', body: { destination: dest } })).status).toBe(204);
      expect((await api(sim, token, '/api/v4/webhooks')).status).toBe(204);
    });

    it('records salesbot continues', async () => {
      const r = await api(sim, token, '/api/v4/salesbot/12/continue/abc', {
        method: 'POST',
        body: { data: { reply: 'hi' }, execute_handlers: [{ handler: 'show', params: { type: 'text', value: 'hi' } }] },
      });
      expect(r.status).toBe(200);
      expect(sim.state.salesbotContinues.at(-1)).toMatchObject({ botId: '12', continueId: 'abc', body: { data: { reply: 'hi' } } });
    });

    it('sends form-encoded webhooks', async () => {
      let got: { type?: string; body: string } = { body: '' };
      const srv = createServer((req, res) => {
        let b = '';
        req.on('data', (c) => (b += c));
        req.on('end', () => {
          got = { type: req.headers['content-type'], body: b };
          res.end('ok');
        });
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const port = (srv.address() as AddressInfo).port;
      const lead = sim.state.leads.values().next().value!;
      const res = await sim.sendWebhook(
        `http://127.0.0.1:${port}/hook`,
        leadWebhook('update', { id: lead.id, name: lead.name, status_id: lead.status_id, pipeline_id: lead.pipeline_id }, sim.accountRef),
      );
      expect(res.status).toBe(200);
      srv.close();
      expect(got.type).toBe('application/x-www-form-urlencoded');
      const q = new URLSearchParams(got.body);
      expect(q.get('leads[update][0][id]')).toBe(String(lead.id));
      expect(q.get('account[id]')).toBe('30000001');
    });
  });

  describe('faults', () => {
    it('blocks with an HTML 403, fails with 5xx, then recovers', async () => {
      sim.faults.block403(200);
      const blocked = await api(sim, token, '/api/v4/account');
      expect(blocked.status).toBe(403);
      expect(blocked.headers.get('content-type')).toMatch(/text\/html/);
      await new Promise((r) => setTimeout(r, 220));
      sim.faults.fail5xx(2);
      expect((await api(sim, token, '/api/v4/account')).status).toBe(502);
      expect((await api(sim, token, '/api/v4/account')).status).toBe(502);
      expect((await api(sim, token, '/api/v4/account')).status).toBe(200);
      sim.faults.latencyMs = 50;
      const t0 = Date.now();
      await api(sim, token, '/api/v4/account');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
      sim.faults.reset();
    });

    it('helpers: deletions are visible to a re-sync', async () => {
      const pipe = [...sim.state.pipelines.values()][0]!;
      const stage = pipe._embedded.statuses.find((s) => s.type === 0 && s.id !== 142 && s.id !== 143)!;
      const inStage = [...sim.state.leads.values()].filter((l) => l.status_id === stage.id && l.pipeline_id === pipe.id);
      const before = new Map(inStage.map((l) => [l.id, l.updated_at]));
      sim.tick(5);
      sim.deletePipelineStatus(pipe.id, stage.id);
      const p = await api(sim, token, `/api/v4/leads/pipelines/${pipe.id}`);
      expect(p.json!._embedded.statuses.map((s: Json) => s.id)).not.toContain(stage.id);
      expect(inStage.length).toBeGreaterThan(0);
      for (const l of inStage) {
        const now = sim.state.leads.get(l.id)!;
        expect(now.status_id).not.toBe(stage.id); // moved to the first remaining stage
        expect(now.updated_at).toBe(before.get(l.id)); // silently, by default
      }
      const second = pipe._embedded.statuses.find((s) => s.type === 0 && s.id !== 142 && s.id !== 143)!;
      const moved = [...sim.state.leads.values()].filter((l) => l.status_id === second.id && l.pipeline_id === pipe.id);
      sim.tick(5);
      const t = sim.now();
      sim.deletePipelineStatus(pipe.id, second.id, { bumpUpdatedAt: true });
      // Bumped to the simulator's clock at the deletion (real time moves on: the second may turn in between).
      const after = sim.now();
      for (const l of moved) {
        expect(sim.state.leads.get(l.id)!.updated_at).toBeGreaterThanOrEqual(t);
        expect(sim.state.leads.get(l.id)!.updated_at).toBeLessThanOrEqual(after);
      }
      const field = [...sim.state.customFields.leads.values()][0]!;
      sim.deleteCustomField('leads', field.id);
      const cf = await api(sim, token, '/api/v4/leads/custom_fields');
      expect(cf.json!._embedded.custom_fields.map((f: Json) => f.id)).not.toContain(field.id);
    });
  });
});

describe('KommoSim rate limit', () => {
  let sim: KommoSim;
  beforeAll(async () => {
    sim = await KommoSim.start({ ...CLIENT });
  });
  afterAll(() => sim.stop());

  it('answers 429 above 7 rps and still logs throttled requests', async () => {
    const { access_token } = sim.issueTokens();
    const results = await Promise.all(Array.from({ length: 12 }, () => api(sim, access_token, '/api/v4/users?limit=1')));
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toBe(7);
    expect(limited).toHaveLength(5);
    expect(limited[0]!.json).toMatchObject({ title: 'Too Many Requests', status: 429, retry_after: 1 });
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(5);
    expect(sim.maxRequestsPerWindow()).toBe(12);

    await new Promise((r) => setTimeout(r, 1050));
    expect((await api(sim, access_token, '/api/v4/account')).status).toBe(200);
  });

  it('a client spacing requests stays within the limit', async () => {
    sim.clearRequests();
    const { access_token } = sim.issueTokens();
    for (let i = 0; i < 10; i++) {
      expect((await api(sim, access_token, '/api/v4/account')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(sim.maxRequestsPerWindow()).toBeLessThanOrEqual(7);
  });
});

describe('KommoSim scale', () => {
  // Its speed is the sync bench's business (npm run bench); timings do not belong in tests on a shared machine.
  it('seeds 10k leads + 5k contacts and serves a deep 250-item page with contacts', async () => {
    const sim = await KommoSim.start({ ...CLIENT, rateLimitRps: 10_000, seed: { leads: 10_000, contacts: 5_000, companies: 200 } });
    try {
      expect(sim.state.leads.size).toBe(10_000);
      const { access_token } = sim.issueTokens();
      const r = await api(sim, access_token, '/api/v4/leads?limit=250&page=20&order[updated_at]=desc&with=contacts');
      expect(r.json!._embedded.leads).toHaveLength(250);
    } finally {
      await sim.stop();
    }
  });

  it('is deterministic for the same seed', async () => {
    const a = await KommoSim.start({ ...CLIENT, seed: { leads: 20 } });
    const b = await KommoSim.start({ ...CLIENT, seed: { leads: 20 } });
    try {
      const strip = (s: KommoSim) => [...s.state.leads.values()].map((l) => [l.id, l.name, l.price, l.status_id, l._embedded.contacts]);
      expect(strip(a)).toEqual(strip(b));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
