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

const turns = () => w.p.sqlite.prepare('SELECT * FROM agent_turns ORDER BY id').all() as any[];

describe('reply pipeline: a client message on a bound stage', () => {
  it('produces exactly one reply through Salesbot and the actions the model asked for, checked in Kommo', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { allowedActions: ['move_to_stage', 'update_field', 'create_task', 'add_tags'] });
    const product = [...w.sim.state.customFields.leads.values()].find((f) => f.name === 'Product')!;
    const proposal = w.stage('Proposal sent');
    llm.reply({
      content: 'Great, I will prepare a proposal for the CRM setup and send it today.',
      toolCalls: [
        { name: 'move_to_stage', args: { statusId: proposal.id } },
        { name: 'update_field', args: { fieldId: product.id, value: 'CRM setup' } },
        { name: 'create_task', args: { text: 'Send the proposal', dueInHours: 4 } },
      ],
    });
    w.clientWrites(leadId, 'Hi, we need a CRM setup for 10 people. Can you send a proposal?', { salesbot: true });
    await w.drain();

    expect(llm.requests).toHaveLength(1);
    const lead = w.sim.state.leads.get(leadId)!;
    expect(lead.status_id).toBe(proposal.id);
    expect(lead.custom_fields_values?.find((f) => f.field_id === product.id)?.values[0]?.value).toBe('CRM setup');
    const tasks = [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId);
    expect(tasks.map((t) => t.text)).toEqual(['Send the proposal']);
    expect(w.sim.state.salesbotContinues).toHaveLength(1);
    expect(w.sim.state.salesbotContinues[0]!.body).toMatchObject({ data: { reply: 'Great, I will prepare a proposal for the CRM setup and send it today.' } });
    const handlers = (w.sim.state.salesbotContinues[0]!.body as any).execute_handlers as any[];
    expect(handlers.length).toBeLessThanOrEqual(10);
    for (const h of handlers) expect(h.params.value.length).toBeLessThanOrEqual(80);
    expect(turns()).toEqual([expect.objectContaining({ status: 'replied', prompt_tokens: 1000, completion_tokens: 100 })]);
    const reply = w.activity('agent.reply');
    expect(reply).toHaveLength(1);
    expect(JSON.parse(reply[0].metadata)).toMatchObject({ tokens: { prompt: 1000, completion: 100 }, costUsd: expect.any(Number), via: 'salesbot' });
    expect(w.activity('agent.action')).toHaveLength(3);
    // The model saw the client text delimited as data, and the real stages to choose from.
    const sent = llm.requests[0];
    expect(sent.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('<client_message>') });
    expect(sent.messages[0].content).toContain(`${w.pipeline.id}/${proposal.id} Proposal sent`);
    expect(sent.tools.map((t: any) => t.function.name).sort()).toEqual(['add_tags', 'create_task', 'move_to_stage', 'update_field']);
    // The salesbot request is answered, and the mirror follows the move.
    expect(w.count("SELECT count(*) n FROM salesbot_requests WHERE status = 'continued'")).toBe(1);
    expect(w.count('SELECT count(*) n FROM leads WHERE id = ? AND status_id = ?', leadId, proposal.id)).toBe(1);
  });

  it('does nothing for a lead whose stage has no agent', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Negotiation');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const writesBefore = w.kommoWrites().length;
    w.clientWrites(leadId, 'Hello?');
    await w.drain();
    expect(llm.requests).toHaveLength(0);
    expect(w.count("SELECT count(*) n FROM jobs WHERE queue = 'agents.turn'")).toBe(0);
    expect(turns()).toHaveLength(0);
    expect(w.kommoWrites().length).toBe(writesBefore);
    // Through Salesbot there is still no reply, but the waiting bot is released so it can move on.
    w.clientWrites(leadId, 'Hello again?', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(0);
    expect(turns()).toHaveLength(0);
    expect(w.sim.state.salesbotContinues.map((c) => (c.body as any).data)).toEqual([{ status: 'no_agent', reply: '' }]);
    expect(w.kommoWrites().length).toBe(writesBefore + 1);
  });

  it('answers a duplicate trigger (same message ids) once', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    llm.reply({ content: 'Hello! How can I help?' }, { content: 'A second answer that must never be sent.' });
    const first = w.clientWrites(leadId, 'Hi there');
    await w.drain();
    w.clientWrites(leadId, 'Hi there', { messageIds: first.messageIds });
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(turns()).toHaveLength(1);
    // telegram is not reachable without Salesbot: the one reply is a draft note
    const notes = [...w.sim.state.notes.values()].filter((n) => n.entity_id === leadId && String(n.params.text).startsWith('AI draft reply:'));
    expect(notes).toHaveLength(1);
  });
});
