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

const actions = () => w.p.sqlite.prepare('SELECT * FROM agent_actions ORDER BY id').all() as any[];
const field = (name: string) => [...w.sim.state.customFields.leads.values()].find((f) => f.name === name)!;

describe('tool calls are checked against the mirror', () => {
  it('sends a hallucinated stage back to the model once, then executes the corrected call', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const proposal = w.stage('Proposal sent');
    llm.reply(
      { toolCalls: [{ name: 'move_to_stage', args: { statusId: 99999 } }] },
      { content: 'Moving on to the proposal!', toolCalls: [{ name: 'move_to_stage', args: { statusId: proposal.id } }] },
    );
    w.clientWrites(leadId, 'Send me the proposal please', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    const toolMsg = llm.requests[1].messages.find((m: any) => m.role === 'tool');
    expect(toolMsg.content).toContain('Stage 99999 does not exist');
    expect(toolMsg.content).toContain(`${proposal.id} (Proposal sent)`);
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(proposal.id);
    expect(w.sim.state.salesbotContinues).toHaveLength(1);
  });

  it('hands off when the model sends an invalid field (or malformed arguments) a second time', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const before = structuredClone(w.sim.state.leads.get(leadId)!.custom_fields_values);
    llm.reply(
      { toolCalls: [{ name: 'update_field', args: { fieldId: 424242, value: 'x' } }] },
      { content: 'Done!', toolCalls: [{ name: 'update_field', args: '{"fieldId": 4242' }] },
    );
    w.clientWrites(leadId, 'My budget is big', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1].messages.find((m: any) => m.role === 'tool').content).toContain('Lead field 424242 does not exist');
    expect(w.sim.state.leads.get(leadId)!.custom_fields_values).toEqual(before);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
    const task = [...w.sim.state.tasks.values()].find((t) => t.entity_id === leadId)!;
    expect(task.text).toContain('handed this lead to you');
    expect(task.task_type_id).toBe(1);
    expect(task.responsible_user_id).toBe(w.sim.state.leads.get(leadId)!.responsible_user_id);
    expect(w.activity('agent.handoff')).toHaveLength(1);
    expect(w.count('SELECT count(*) n FROM lead_agent_state WHERE lead_id = ? AND handoff_active = 1', leadId)).toBe(1);
    // handed off: the next message gets no answer
    w.clientWrites(leadId, 'Hello?');
    await w.drain();
    expect(llm.requests).toHaveLength(2);
  });

  it('rolls back the first action in Kommo when the second fails, and creates a handoff task', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const qualified = w.stage('Qualified');
    const proposal = w.stage('Proposal sent');
    const product = field('Product');
    // The field exists in our mirror but was deleted in Kommo since the sync: Kommo refuses the second write.
    w.sim.deleteCustomField('leads', product.id);
    llm.reply({
      content: 'Sending the proposal now.',
      toolCalls: [
        { name: 'move_to_stage', args: { statusId: proposal.id } },
        { name: 'update_field', args: { fieldId: product.id, value: 'Website' } },
      ],
    });
    w.clientWrites(leadId, 'Please send a proposal for the website', { salesbot: true });
    await w.drain();

    const lead = w.sim.state.leads.get(leadId)!;
    expect(lead.status_id).toBe(qualified.id);
    // it did move, then moved back
    const moves = w.sim.state.events.filter((e) => e.type === 'lead_status_changed' && e.entity_id === leadId);
    expect(moves.length).toBeGreaterThanOrEqual(2);
    expect(actions().map((a) => [a.type, a.status])).toEqual([
      ['move_to_stage', 'undone'],
      ['update_field', 'failed'],
    ]);
    const tasks = [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.text).toContain('failed in Kommo');
    expect(tasks[0]!.responsible_user_id).toBe(lead.responsible_user_id);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
    expect(w.activity('agent.handoff')).toHaveLength(1);
  });
});

describe('Kommo unavailable during a turn', () => {
  it('retries the turn later from its saved plan instead of rolling back: one model call, one move, one reply', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const proposal = w.stage('Proposal sent');
    llm.reply({
      content: 'On it!',
      toolCalls: [
        { name: 'move_to_stage', args: { statusId: proposal.id } },
        { name: 'create_task', args: { text: 'Call back' } },
      ],
    });
    w.clientWrites(leadId, 'Proposal please', { salesbot: true });
    w.sim.faults.fail5xx(4); // the first action's calls and every client retry of them
    await w.drain();
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(w.stage('Qualified').id);
    expect(w.activity('agent.handoff')).toHaveLength(0);
    w.clock.advance(60_000);
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(proposal.id);
    expect([...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId).map((t) => t.text)).toEqual(['Call back']);
    expect(w.sim.state.salesbotContinues).toHaveLength(1);
    expect(actions().map((a) => a.status)).toEqual(['done', 'done']);
  }, 20_000);
});

describe('a delivery that fails after the actions ran', () => {
  it('is retried with the same agent even though its own move left the bound stage', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified'); // 'Proposal sent' has no agent
    const proposal = w.stage('Proposal sent');
    llm.reply({ content: 'Proposal on its way!', toolCalls: [{ name: 'move_to_stage', args: { statusId: proposal.id } }] });
    w.clientWrites(leadId, 'Proposal please', { salesbot: true });
    w.failKommo(/\/salesbot\//, 4); // one continue call and each of the client's retries of it
    await w.drain();
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(proposal.id);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
    w.clock.advance(60_000);
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(w.sim.state.salesbotContinues).toHaveLength(1);
    expect(actions().map((a) => [a.type, a.status])).toEqual([['move_to_stage', 'done']]);
    expect(w.p.sqlite.prepare('SELECT status FROM agent_turns').get()).toEqual({ status: 'replied' });
  }, 20_000);
});

describe('action log', () => {
  it('undo restores the previous stage and field value in Kommo', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const qualified = w.stage('Qualified');
    const proposal = w.stage('Proposal sent');
    const source = field('Source');
    const lead0 = w.sim.state.leads.get(leadId)!;
    const sourceBefore = lead0.custom_fields_values?.find((f) => f.field_id === source.id)?.values ?? null;
    llm.reply({
      content: 'Thanks, noted!',
      toolCalls: [
        { name: 'move_to_stage', args: { statusId: proposal.id } },
        { name: 'update_field', args: { fieldId: source.id, value: sourceBefore?.[0]?.value === 'Referral' ? 'Ads' : 'Referral' } },
        { name: 'add_tags', args: { tags: ['ai-qualified'] } },
      ],
    });
    w.clientWrites(leadId, 'A friend recommended you');
    await w.drain();
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(proposal.id);
    const [move, set, tag] = actions();
    expect(set.status).toBe('done');

    const view = await w.api('GET', `/api/leads/${leadId}/agent`);
    expect(view.status).toBe(200);
    expect(view.body.actions.map((a: any) => [a.type, a.status, a.undoable])).toEqual([
      ['add_tags', 'done', true],
      ['update_field', 'done', true],
      ['move_to_stage', 'done', true],
    ]);

    for (const a of [tag, set, move]) {
      const r = await w.api('POST', `/api/actions/${a.id}/undo`);
      expect(r).toEqual({ status: 200, body: { id: a.id, status: 'undone' } });
    }
    const lead = w.sim.state.leads.get(leadId)!;
    expect(lead.status_id).toBe(qualified.id);
    expect(lead.custom_fields_values?.find((f) => f.field_id === source.id)?.values ?? null).toEqual(sourceBefore);
    expect(lead._embedded.tags.map((t) => t.name)).not.toContain('ai-qualified');
    const again = await w.api('POST', `/api/actions/${move.id}/undo`);
    expect(again.status).toBe(409);
    // another account cannot see or undo it
    expect((await w.api('POST', `/api/actions/${move.id}/undo`, undefined, { accountId: 777 })).status).toBe(404);
  });

  it('stores a risky move (to Won) as pending approval; approving executes it', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { approvalRequired: ['move_to_won', 'move_to_lost'] });
    llm.reply({ content: 'Welcome aboard!', toolCalls: [{ name: 'move_to_stage', args: { statusId: 142 } }] });
    w.clientWrites(leadId, 'We sign today.');
    await w.drain();
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(w.stage('Qualified').id);
    const [a] = actions();
    expect(a.status).toBe('pending_approval');
    const r = await w.api('POST', `/api/actions/${a.id}/approve`);
    expect(r.body).toEqual({ id: a.id, status: 'done' });
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(142);
  });
});
