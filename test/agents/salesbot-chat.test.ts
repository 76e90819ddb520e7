import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../server/lib/jwt.js';
import { FORM_HEADERS, incomingMessageWebhook } from '../fixtures/kommo-webhooks.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

/**
 * In Kommo one client message in a messenger reaches us twice: as the `add_message` webhook, and as the
 * widget_request of the Salesbot that runs on it. It must make one agent turn, answered through Salesbot.
 */
const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

async function world() {
  w = await startAgentWorld();
  const leadId = leadInStage(w, 'Qualified');
  await w.installAndSync();
  await agentOnStage(w, 'Qualified');
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  const text = 'Hello, do you have a free trial?';
  const addMessage = () =>
    w.app.request(`/webhooks/kommo/${secret}`, {
      method: 'POST',
      headers: FORM_HEADERS,
      body: incomingMessageWebhook(
        { id: 'msg-1', text, element_id: leadId, entity_id: leadId, created_at: Math.floor(w.clock.now() / 1000) },
        { id: w.accountId, subdomain: w.sim.subdomain },
      ),
    });
  const salesbot = () => {
    const now = Math.floor(w.clock.now() / 1000);
    const token = signJwt(
      { account_id: w.accountId, client_uuid: TEST_CLIENT_ID, entity_id: leadId, entity_type: 2, iat: now, exp: now + 600 },
      TEST_CLIENT_SECRET,
    );
    return w.app.request(`/salesbot/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, data: { lead_id: String(leadId), message: text }, return_url: `${w.sim.baseUrl}/api/v4/salesbot/1/continue/1` }),
    });
  };
  /** Run everything, then everything due after the burst window. */
  const settle = async () => {
    await w.drain();
    w.clock.advance(w.p.env.WEBHOOK_BURST_WINDOW_MS + 1000);
    await w.drain();
  };
  const outcome = () => ({
    turns: w.count('SELECT count(*) n FROM agent_turns'),
    continues: w.sim.state.salesbotContinues.length,
    drafts: w.count('SELECT count(*) n FROM agent_drafts'),
    inbound: w.count("SELECT count(*) n FROM conversation_messages WHERE direction = 'inbound'"),
  });
  return { addMessage, salesbot, settle, outcome };
}

describe('one client message seen by add_message and by Salesbot', () => {
  it('add_message first: the Salesbot request takes the message out of its burst, one reply through Salesbot', async () => {
    const t = await world();
    expect((await t.addMessage()).status).toBe(200);
    await w.drain();
    expect((await t.salesbot()).status).toBe(200);
    await t.settle();
    expect(t.outcome()).toEqual({ turns: 1, continues: 1, drafts: 0, inbound: 1 });
    expect((w.sim.state.salesbotContinues[0]!.body as any).data.reply).toBe('Thank you for your message!');
  });

  it('Salesbot first: the later add_message is recorded but starts no second turn', async () => {
    const t = await world();
    expect((await t.salesbot()).status).toBe(200);
    await w.drain();
    expect((await t.addMessage()).status).toBe(200);
    await t.settle();
    expect(t.outcome()).toMatchObject({ turns: 1, continues: 1, drafts: 0 });
  });

  it('add_message alone (no Salesbot on the stage) still gets its turn after the burst window, as a draft', async () => {
    const t = await world();
    expect((await t.addMessage()).status).toBe(200);
    await t.settle();
    expect(t.outcome()).toEqual({ turns: 1, continues: 0, drafts: 1, inbound: 1 });
  });
});
