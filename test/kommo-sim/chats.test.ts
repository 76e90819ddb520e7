import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKommoWebhook } from '../../server/kommo/webhook/events.js';
import { verifyJwt } from '../../server/lib/jwt.js';
import { KommoSim } from './index.js';

const CLIENT = { clientId: 'cid-chat', clientSecret: 'secret-chat', redirectUri: 'https://app.example/oauth/callback' };

describe('KommoSim chats and Salesbot', () => {
  let sim: KommoSim;
  let receiver: Server;
  let base: string;
  const got: { path: string; type: string; body: string }[] = [];

  beforeAll(async () => {
    sim = await KommoSim.start({ ...CLIENT, rateLimitRps: 10_000, seed: { leads: 5, contacts: 5 } });
    receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        got.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: b });
        res.writeHead(req.url === '/broken' ? 500 : 200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    receiver.close();
    await sim.stop();
  });

  it("a client message goes out as add_message to subscribers and as a signed widget_request from the stage's Salesbot", async () => {
    const token = sim.issueTokens().access_token;
    const hook = await fetch(`${sim.baseUrl}/api/v4/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: `${base}/hook`, settings: ['add_message', 'update_lead'] }),
    });
    expect(hook.status).toBe(200);
    const lead = [...sim.state.leads.values()][0]!;
    const pipeline = sim.state.pipelines.get(lead.pipeline_id)!;
    const elsewhere = pipeline._embedded.statuses.find((st) => st.id !== lead.status_id && st.type === 0)!;
    const other = sim.updateLead([...sim.state.leads.values()][2]!.id, { status_id: elsewhere.id });
    sim.addSalesbot({
      name: 'AI reply',
      stage: { pipelineId: lead.pipeline_id, statusId: lead.status_id },
      widgetRequest: { url: `${base}/salesbot/dev`, data: { lead_id: '{{lead.id}}', message: '{{message_text}}', agent_id: null } },
    });

    const wrote = await sim.clientWrites(lead.id, 'Hello, is there a free trial?');
    expect(wrote.webhooks).toEqual([{ url: `${base}/hook`, status: 200 }]);
    expect(wrote.salesbots).toEqual([{ url: `${base}/salesbot/dev`, status: 200, botId: 1, continueId: '1' }]);

    const form = got.find((g) => g.path === '/hook')!;
    expect(form.type).toBe('application/x-www-form-urlencoded');
    const parsed = parseKommoWebhook(form.body);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.account.id).toBe(sim.accountId);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]).toMatchObject({
      kind: 'message',
      direction: 'incoming',
      message: { text: 'Hello, is there a free trial?', elementId: lead.id, origin: 'telegram', sender: 'contact' },
    });

    const sb = JSON.parse(got.find((g) => g.path === '/salesbot/dev')!.body);
    expect(sb.data).toEqual({ lead_id: String(lead.id), message: 'Hello, is there a free trial?', agent_id: null });
    expect(sb.return_url).toBe(`${sim.baseUrl}/api/v4/salesbot/1/continue/1`);
    expect(verifyJwt(sb.token, CLIENT.clientSecret, { algorithms: ['HS256'], nowSec: Math.floor(Date.now() / 1000) })).toMatchObject({
      account_id: sim.accountId,
      client_uuid: CLIENT.clientId,
      entity_id: lead.id,
      entity_type: 2,
    });

    // A lead on another stage: the message is delivered, no bot runs.
    const elsewhereWrote = await sim.clientWrites(other.id, 'Hi');
    expect(elsewhereWrote.salesbots).toEqual([]);
    expect(elsewhereWrote.webhooks).toHaveLength(1);
  });

  it("the bot writes the continue's show texts to the client once, in the same chat", async () => {
    const lead = [...sim.state.leads.values()][0]!;
    const token = sim.issueTokens().access_token;
    const cont = (body: unknown) =>
      fetch(`${sim.baseUrl}/api/v4/salesbot/1/continue/1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const body = {
      data: { reply: 'Yes: 14 days. Want a demo?' },
      execute_handlers: [
        { handler: 'show', params: { type: 'text', value: 'Yes: 14 days.' } },
        { handler: 'show', params: { type: 'text', value: 'Want a demo?' } },
      ],
    };
    expect((await cont(body)).status).toBe(200);
    expect((await cont(body)).status).toBe(200); // the run already continued: nothing more is written
    const chat = sim.chatOf(lead.id);
    expect(chat.map((m) => [m.author, m.text])).toEqual([
      ['client', 'Hello, is there a free trial?'],
      ['bot', 'Yes: 14 days.'],
      ['bot', 'Want a demo?'],
    ]);
    expect(new Set(chat.map((m) => m.chatId)).size).toBe(1);
    expect(sim.state.chats.runs.get('1')!.status).toBe('continued');
  });

  it('reports a destination that fails instead of hiding it', async () => {
    const token = sim.issueTokens().access_token;
    await fetch(`${sim.baseUrl}/api/v4/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: `${base}/broken`, settings: ['add_message'] }),
    });
    const lead = [...sim.state.leads.values()][1]!;
    const wrote = await sim.clientWrites(lead.id, 'Anyone there?');
    expect(wrote.webhooks).toContainEqual({ url: `${base}/broken`, status: 500 });
  });
});
