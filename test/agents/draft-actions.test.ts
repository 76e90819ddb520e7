/**
 * "Draft means draft": in draft mode the model's CRM actions are proposed with the draft and reach Kommo
 * only when a person approves it (as they kept and edited the list); discarding runs nothing. Kinds an admin
 * marks "run without approval" run at once. Kommo is the simulator over HTTP; only the model is faked.
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

const simLead = (id: number) => w.sim.state.leads.get(id)!;
const fieldValue = (leadId: number, fieldId: number) => simLead(leadId).custom_fields_values?.find((f) => f.field_id === fieldId)?.values[0]?.value;
const tagNames = (leadId: number) => (simLead(leadId)._embedded?.tags ?? []).map((t) => t.name);
const leadTasks = (leadId: number) => [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId);
const actionRows = () =>
  w.p.sqlite.prepare('SELECT id, type, status, draft_id AS draftId, approved_by AS approvedBy FROM agent_actions ORDER BY id').all() as any[];

/** A draft-mode agent on Qualified; the model answers the client with a reply and these tool calls. */
async function draftTurn(toolCalls: { name: string; args: Record<string, unknown> }[], agent: Record<string, unknown> = {}) {
  w = await startAgentWorld();
  const leadId = leadInStage(w, 'Qualified');
  await w.installAndSync();
  await agentOnStage(w, 'Qualified', {
    mode: 'draft',
    allowedActions: ['move_to_stage', 'update_field', 'create_task', 'add_tags', 'add_note'],
    approvalRequired: ['move_to_won', 'move_to_lost'],
    ...agent,
  });
  const product = [...w.sim.state.customFields.leads.values()].find((f) => f.name === 'Product')!;
  const proposal = w.stage('Proposal sent');
  const calls = toolCalls.map((c) => ({
    name: c.name,
    args: JSON.parse(JSON.stringify(c.args).replace('"$proposal"', String(proposal.id)).replace('"$product"', String(product.id))),
  }));
  llm.reply({ content: 'I will prepare the proposal today.', toolCalls: calls });
  w.clientWrites(leadId, 'Please send a proposal for the CRM setup.', { salesbot: true });
  await w.drain();
  const view = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
  return { leadId, product, proposal, view, qualified: w.stage('Qualified') };
}

const moveAndField = [
  { name: 'move_to_stage', args: { statusId: '$proposal' } },
  { name: 'update_field', args: { fieldId: '$product', value: 'CRM setup' } },
];

describe('draft mode: actions wait for the draft', () => {
  it("a model's move_to_stage and update_field reach Kommo only when the draft is approved", async () => {
    const { leadId, product, proposal, view, qualified } = await draftTurn(moveAndField);

    // Nothing changed in Kommo: the stage and the field are as before, only the draft note was written.
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(fieldValue(leadId, product.id)).toBeUndefined();
    expect(w.kommoWrites().filter((r) => r.path.startsWith('/api/v4/leads') && r.method === 'PATCH')).toEqual([]);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
    const [draft] = view.drafts;
    expect(draft.actions).toEqual([
      { id: expect.any(Number), type: 'move_to_stage', summary: 'Move to Proposal sent (Sales)', input: { statusId: proposal.id, pipelineId: w.pipeline.id } },
      { id: expect.any(Number), type: 'update_field', summary: 'Set Product = CRM setup', input: { fieldId: product.id, value: 'CRM setup' } },
    ]);
    expect(actionRows().map((a) => [a.type, a.status, a.draftId])).toEqual([
      ['move_to_stage', 'proposed', draft.id],
      ['update_field', 'proposed', draft.id],
    ]);
    // Not in the lead's action log yet: they have not happened.
    expect(view.actions).toEqual([]);

    const approved = await w.api('POST', `/api/drafts/${draft.id}/approve`, {});
    expect(approved).toMatchObject({ status: 200, body: { status: 'sent', via: 'salesbot' } });
    expect(simLead(leadId).status_id).toBe(proposal.id);
    expect(fieldValue(leadId, product.id)).toBe('CRM setup');
    expect((w.sim.state.salesbotContinues[0]!.body as any).data.reply).toBe('I will prepare the proposal today.');
    expect(actionRows().map((a) => a.status)).toEqual(['done', 'done']);
    expect(actionRows().every((a) => a.approvedBy !== null)).toBe(true);
    const after = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
    expect(after.drafts).toEqual([]);
    expect(after.actions.map((a: any) => [a.type, a.status, a.undoable])).toEqual([
      ['update_field', 'done', true],
      ['move_to_stage', 'done', true],
    ]);
    // The mirror follows the approved move.
    expect(w.count('SELECT count(*) n FROM leads WHERE id = ? AND status_id = ?', leadId, proposal.id)).toBe(1);
  });

  it('discarding the draft runs nothing: its actions are marked discarded', async () => {
    const { leadId, product, view, qualified } = await draftTurn(moveAndField);
    const writesBefore = w.kommoWrites().length;
    const discarded = await w.api('POST', `/api/drafts/${view.drafts[0].id}/discard`);
    expect(discarded).toMatchObject({ status: 200, body: { status: 'discarded' } });
    expect(w.kommoWrites()).toHaveLength(writesBefore);
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(fieldValue(leadId, product.id)).toBeUndefined();
    expect(actionRows().map((a) => a.status)).toEqual(['discarded', 'discarded']);
    expect(w.activity('agent.action_discarded')).toHaveLength(2);
    expect((await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {})).status).toBe(409);
    expect(w.kommoWrites()).toHaveLength(writesBefore);
  });

  it('an action kind marked "run without approval" runs at once; the others still wait', async () => {
    const { leadId, proposal, view, qualified } = await draftTurn(
      [
        { name: 'add_tags', args: { tags: ['hot'] } },
        { name: 'move_to_stage', args: { statusId: '$proposal' } },
      ],
      { runWithoutApproval: ['add_tags'] },
    );
    expect(tagNames(leadId)).toContain('hot');
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(view.drafts[0].actions.map((a: any) => a.type)).toEqual(['move_to_stage']);
    expect(view.actions.map((a: any) => [a.type, a.status])).toEqual([['add_tags', 'done']]);
    await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {});
    expect(simLead(leadId).status_id).toBe(proposal.id);
  });

  it('the setting is part of the agent, validated like the rest', async () => {
    w = await startAgentWorld();
    await w.installAndSync();
    const created = await w.api('POST', '/api/agents', { name: 'Ava', runWithoutApproval: ['add_note', 'add_tags'] });
    expect(created.body.runWithoutApproval).toEqual(['add_note', 'add_tags']);
    const bad = await w.api('PATCH', `/api/agents/${created.body.id}`, { runWithoutApproval: ['handoff_to_human', 'delete_lead'] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['runWithoutApproval.0', 'runWithoutApproval.1']);
    expect((await w.api('GET', `/api/agents/${created.body.id}`)).body.runWithoutApproval).toEqual(['add_note', 'add_tags']);
  });

  it('an edited action list runs only what was kept, with the edited arguments', async () => {
    const { leadId, product, view, qualified } = await draftTurn([
      ...moveAndField,
      { name: 'create_task', args: { text: 'Send the proposal', dueInHours: 4 } },
    ]);
    const [move, field, task] = view.drafts[0].actions;
    const writesBefore = w.kommoWrites().length;

    // An edit is checked by the tool's own schema and the account's fields before anything runs.
    const invalid = await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {
      actions: [{ id: field.id, args: { fieldId: product.id, value: { nested: true } } }, { id: 999_999 }],
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: any) => e.field)).toEqual(['actions.0.args', 'actions.1.id']);
    expect(w.kommoWrites()).toHaveLength(writesBefore);
    expect(actionRows().map((a) => a.status)).toEqual(['proposed', 'proposed', 'proposed']);

    const approved = await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {
      actions: [{ id: field.id, args: { fieldId: product.id, value: 'Website' } }, { id: task.id }],
    });
    expect(approved.status).toBe(200);
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(fieldValue(leadId, product.id)).toBe('Website');
    expect(leadTasks(leadId).map((t) => t.text)).toEqual(['Send the proposal']);
    const rows = actionRows();
    expect(rows.map((a) => [a.id, a.status])).toEqual([
      [move.id, 'discarded'],
      [field.id, 'done'],
      [task.id, 'done'],
    ]);
    expect(w.p.sqlite.prepare('SELECT summary FROM agent_actions WHERE id = ?').pluck().get(field.id)).toBe('Set Product = Website');
  });

  it('a kept action the approval list reserves for an admin waits for one after the draft is approved', async () => {
    const { leadId, view, qualified } = await draftTurn([{ name: 'move_to_stage', args: { statusId: 142 } }]);
    await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {});
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(actionRows().map((a) => a.status)).toEqual(['pending_approval']);
    const [row] = actionRows();
    expect((await w.api('POST', `/api/actions/${row.id}/approve`)).status).toBe(200);
    expect(simLead(leadId).status_id).toBe(142);
  });

  it('when Kommo refuses an approved action, the ones that ran are rolled back and the draft stays pending', async () => {
    const { leadId, product, proposal, view, qualified } = await draftTurn(moveAndField);
    // The field was deleted in Kommo after the draft was written: Kommo refuses the second write.
    w.sim.deleteCustomField('leads', product.id);
    const refused = await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {});
    expect(refused).toMatchObject({ status: 502, body: { code: 'UPSTREAM_FAILED', detail: expect.stringContaining('the draft is still pending') } });
    expect(simLead(leadId).status_id).toBe(qualified.id);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
    expect(actionRows().map((a) => a.status)).toEqual(['proposed', 'proposed']);
    const still = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
    expect(still.drafts.map((d: any) => d.actions.length)).toEqual([2]);
    // Without the field, the person approves the rest.
    const [move] = still.drafts[0].actions;
    expect((await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, { actions: [{ id: move.id }] })).status).toBe(200);
    expect(simLead(leadId).status_id).toBe(proposal.id);
    expect(actionRows().map((a) => a.status)).toEqual(['done', 'discarded']);
  });

  it('a turn with actions and no reply text still waits, as a draft of actions only', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft', allowedActions: ['move_to_stage'] });
    const proposal = w.stage('Proposal sent');
    llm.reply({ toolCalls: [{ name: 'move_to_stage', args: { statusId: proposal.id } }] }, { content: '' });
    w.clientWrites(leadId, 'ok', { salesbot: true });
    await w.drain();
    expect(simLead(leadId).status_id).toBe(w.stage('Qualified').id);
    // The model was told the truth: the move waits for a person.
    expect(llm.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining('after a human approves it') });
    const view = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
    expect(view.drafts).toEqual([expect.objectContaining({ text: '', actions: [expect.objectContaining({ type: 'move_to_stage' })] })]);
    const notes = [...w.sim.state.notes.values()].filter((n) => n.entity_id === leadId && n.note_type === 'common');
    expect(notes.map((n) => n.params.text)).toEqual(['AI draft: CRM actions proposed for approval, with no reply to send']);
    expect((await w.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {})).body).toEqual({ status: 'sent', via: 'none' });
    expect(simLead(leadId).status_id).toBe(proposal.id);
    expect(w.sim.state.salesbotContinues).toHaveLength(0);
  });

  it('autopilot keeps running the actions with the turn', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'autopilot', allowedActions: ['move_to_stage'], runWithoutApproval: [] });
    const proposal = w.stage('Proposal sent');
    llm.reply({ content: 'Moving on to the proposal.', toolCalls: [{ name: 'move_to_stage', args: { statusId: proposal.id } }] });
    w.clientWrites(leadId, 'Send me a proposal', { salesbot: true });
    await w.drain();
    expect(simLead(leadId).status_id).toBe(proposal.id);
    expect(actionRows().map((a) => [a.status, a.draftId])).toEqual([['done', null]]);
  });
});
