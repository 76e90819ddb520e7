/**
 * A manual stage change wakes the agent: a manager drags a lead into a stage whose agent "greets first",
 * and the agent writes first through Kommo's Salesbot run API, in the simulator over real HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FORM_HEADERS, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from '../agents/helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

async function world(onStageEnter: 'off' | 'greet' | 'wait') {
  // Served over HTTP: the simulator's Salesbot posts its widget_request to the backend.
  w = await startAgentWorld({ http: true });
  const leadId = leadInStage(w, 'Proposal sent', 0);
  const other = leadInStage(w, 'Negotiation', 1);
  await w.installAndSync();
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  const agent = await w.api('POST', '/api/agents', { name: 'Ava', mode: 'autopilot', instructions: 'Greet new leads and book a demo.' });
  const qualified = w.stage('Qualified').id;
  const bound = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: qualified, agentId: agent.body.id, onStageEnter });
  expect(bound.status).toBe(200);
  // The account's Salesbot with our widget step. Its first request (a client of another lead writing, in a
  // stage with no agent) is how the backend learns which bot to run when the agent writes first.
  const bot = w.sim.addSalesbot({
    name: 'AI agent',
    widgetRequest: { url: `${w.baseUrl}/salesbot/${secret}`, data: { lead_id: '{{lead.id}}', message: '{{message_text}}' } },
  });
  const wrote = await w.sim.clientWrites(other, 'Hi');
  expect(wrote.salesbots).toEqual([expect.objectContaining({ status: 200 })]);
  await w.drain();
  expect(w.m.accounts.services.accounts.settings(w.accountId).salesbotBotId).toBe(bot.id);
  const drag = async () => {
    w.sim.tick(1);
    const from = w.sim.state.leads.get(leadId)!.status_id;
    const lead = w.sim.updateLead(leadId, { status_id: qualified });
    const body = leadStatusWebhook(
      { id: leadId, status_id: qualified, old_status_id: from, pipeline_id: w.pipeline.id, last_modified: lead.updated_at },
      { id: w.accountId, subdomain: w.sim.subdomain },
    );
    // Kommo delivers it, then delivers it again (a retry).
    for (let i = 0; i < 2; i++) {
      const res = await w.app.request(`/webhooks/kommo/${secret}`, { method: 'POST', headers: FORM_HEADERS, body });
      expect(res.status, await res.text()).toBe(200);
    }
  };
  const botMessages = () => w.sim.state.chats.messages.filter((m) => m.leadId === leadId && m.author === 'bot');
  return { leadId, bot, drag, botMessages };
}

describe('a manual stage change into an agent stage', () => {
  it('with "greet first" makes exactly one proactive message, through the Salesbot run API', async () => {
    const t = await world('greet');
    await t.drag();
    // The run is answered asynchronously: the simulator posts the bot's widget_request after its 202.
    await vi.waitFor(
      async () => {
        await w.drain();
        expect(t.botMessages()).toHaveLength(1);
      },
      { timeout: 10_000, interval: 50 },
    );
    await w.drain();
    expect(w.sim.state.chats.launches).toEqual([expect.objectContaining({ botId: t.bot.id, leadId: t.leadId })]);
    expect(t.botMessages()[0]!.text).toBe('Thank you for your message!');
    expect(llm.requests.length).toBeGreaterThanOrEqual(1);
    const reply = w.activity('agent.reply').filter((a) => a.lead_id === t.leadId);
    expect(reply).toHaveLength(1);
    // Time passes; nothing else is sent, and the agent now waits for the client.
    await w.later(60 * 60_000);
    expect(t.botMessages()).toHaveLength(1);
    expect(w.sim.state.chats.launches).toHaveLength(1);
  });

  it('with "wait for the client" or "off" writes nothing', async () => {
    for (const mode of ['wait', 'off'] as const) {
      const t = await world(mode);
      await t.drag();
      await w.drain();
      await w.later(60_000);
      expect(w.sim.state.chats.launches).toHaveLength(0);
      expect(t.botMessages()).toHaveLength(0);
      expect(w.count("SELECT count(*) AS n FROM jobs WHERE queue = 'agents.turn'")).toBe(0);
      await w.stop();
      llm.reset();
    }
  });
});
