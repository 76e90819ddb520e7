/**
 * "Insert as draft" on a lead card's suggestion: POST /api/leads/:id/agent/drafts makes a pending draft of the
 * stage's agent, which a person approves like one the agent wrote, and which goes out where the client last
 * wrote. The real app, migrations and the simulator over HTTP; only the model is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

describe('a suggestion inserted as a draft', () => {
  it('becomes a pending draft of the stage agent that goes out through the client’s Salesbot request when approved', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified', 0);
    const idle = leadInStage(w, 'Negotiation', 1);
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified', { mode: 'draft' });
    llm.reply({ content: 'Let me check the plans for you.' });
    w.clientWrites(leadId, 'How much is the Basic plan?', { salesbot: true });
    await w.drain();
    expect((await w.api('GET', `/api/leads/${leadId}/agent`)).body.drafts).toHaveLength(1);

    const made = await w.api('POST', `/api/leads/${leadId}/agent/drafts`, { text: '  The Basic plan is 49 USD per month.  ' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const view = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
    const inserted = view.drafts.find((d: { id: number }) => d.id === made.body.draftId);
    expect(inserted).toMatchObject({ text: 'The Basic plan is 49 USD per month.', reach: { via: 'salesbot', why: null }, actions: [] });
    const turn = w.p.sqlite
      .prepare('SELECT t.agent_id AS agentId, t.status, t.trigger FROM agent_turns t JOIN agent_drafts d ON d.turn_id = t.id WHERE d.id = ?')
      .get(made.body.draftId) as any;
    expect(turn).toMatchObject({ agentId: agent.id, status: 'drafted' });
    expect(JSON.parse(turn.trigger)).toMatchObject({ kind: 'suggestion' });
    // Like any draft: the suggestion never reached the client before someone approved it.
    expect(w.sim.state.salesbotContinues).toEqual([]);

    const approved = await w.api('POST', `/api/drafts/${made.body.draftId}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toEqual({ status: 'sent', via: 'salesbot' });
    expect(w.sim.state.salesbotContinues).toEqual([
      expect.objectContaining({ body: expect.objectContaining({ data: expect.objectContaining({ reply: 'The Basic plan is 49 USD per month.' }) }) }),
    ]);

    // An empty or unknown body is refused naming the field; a stage without an agent has nobody to draft for.
    const empty = await w.api('POST', `/api/leads/${leadId}/agent/drafts`, { text: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'text' })]);
    expect((await w.api('POST', `/api/leads/${leadId}/agent/drafts`, { text: 'x', agentId: 1 })).status).toBe(422);
    const none = await w.api('POST', `/api/leads/${idle}/agent/drafts`, { text: 'Hello' });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('CONFLICT');
    // Another account cannot draft on this lead.
    expect((await w.api('POST', `/api/leads/${leadId}/agent/drafts`, { text: 'Hi' }, { accountId: w.accountId + 1000 })).status).not.toBe(201);
  });

  it("does not count toward the agent's daily cap of answers on the lead", async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified', 0);
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft', maxRepliesPerLeadPerDay: 1 });
    expect((await w.api('POST', `/api/leads/${leadId}/agent/drafts`, { text: 'Our team will call you today.' })).status).toBe(201);
    llm.reply({ content: 'Happy to help with the setup.' });
    w.clientWrites(leadId, 'Can you help me set it up?', { salesbot: true });
    await w.drain();
    const texts = (await w.api('GET', `/api/leads/${leadId}/agent`)).body.drafts.map((d: { text: string }) => d.text);
    expect(texts).toEqual(['Happy to help with the setup.', 'Our team will call you today.']);
  });
});
