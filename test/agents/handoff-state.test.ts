/**
 * Handoff as a visible state: the lead panel says exactly one of not configured, active, paused or handed off
 * (to whom, by whom, why, since when); "Hand off" from the card does what the agent's own handoff does (task,
 * brief, notification); "Return to agent" makes it active again; the agent's "Hand off to a person" tick is honoured.
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

/** An ISO instant within [from, to] (the world's clock runs with real time). */
const within = (iso: string, from: number, to: number) => Date.parse(iso) >= from && Date.parse(iso) <= to;
const panel = async (leadId: number, as?: { userId: number; isAdmin?: boolean }) => (await w.api('GET', `/api/leads/${leadId}/agent`, undefined, as)).body;
const leadTasks = (leadId: number) => [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId);
const notifications = (leadId: number) =>
  w.p.sqlite.prepare("SELECT user_id AS userId, title, body FROM mail_notifications WHERE lead_id = ? AND kind = 'agent_handoff'").all(leadId) as any[];

/** A lead on Qualified with a responsible user, an autopilot agent there, and a salesperson who may edit the lead. */
async function world() {
  w = await startAgentWorld();
  const users = [...w.sim.state.users.values()];
  const [manager, owner, viewer] = [users[0]!, users[1]!, users[2]!];
  viewer.rights.leads = { view: 'A', edit: 'D', add: 'D', delete: 'D', export: 'D' };
  const leadId = leadInStage(w, 'Qualified');
  w.sim.updateLead(leadId, { responsible_user_id: owner.id });
  const idle = leadInStage(w, 'Negotiation', 1);
  await w.installAndSync();
  const agent = await agentOnStage(w, 'Qualified');
  return { leadId, idle, agent, manager, owner, viewer };
}

describe('the agent state on a lead', () => {
  it('is not configured on a stage without an agent, and a handoff there is refused', async () => {
    const { idle } = await world();
    expect((await panel(idle)).state).toEqual({ kind: 'not_configured' });
    const r = await w.api('POST', `/api/leads/${idle}/agent/handoff`, {});
    expect(r).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect(leadTasks(idle)).toEqual([]);
  });

  it('is active, then paused until when and why, then active again', async () => {
    const { leadId } = await world();
    expect((await panel(leadId)).state).toEqual({ kind: 'active' });
    const t0 = w.clock.now();
    const paused = await w.api('POST', `/api/leads/${leadId}/agent/pause`, { minutes: 30 });
    expect(paused.body.state).toEqual({ kind: 'paused', until: expect.any(String), reason: 'manual' });
    expect(within(paused.body.state.until, t0 + 30 * 60_000, w.clock.now() + 30 * 60_000)).toBe(true);
    expect((await w.api('POST', `/api/leads/${leadId}/agent/pause`, {})).body.state).toEqual({ kind: 'paused', until: null, reason: 'manual' });
    expect((await w.api('POST', `/api/leads/${leadId}/agent/return`)).body.state).toEqual({ kind: 'active' });
  });

  it('"Hand off" from the card: the task with the brief, the notification, the handed-off state; "Return to agent" makes it active', async () => {
    const { leadId, manager, owner } = await world();
    w.clientWrites(leadId, 'Can I get a call tomorrow?');
    llm.reply({ content: 'Sure, let me check.' });
    await w.drain();

    const t0 = w.clock.now();
    const handed = await w.api('POST', `/api/leads/${leadId}/agent/handoff`, { reason: 'a big deal, I take it from here' }, { userId: manager.id });
    expect(handed.status).toBe(200);
    expect(handed.body.state).toEqual({
      kind: 'handed_off',
      to: { userId: owner.id, name: owner.name },
      by: { userId: manager.id, name: manager.name },
      reason: 'a big deal, I take it from here',
      since: expect.any(String),
    });
    expect(within(handed.body.state.since, t0, w.clock.now())).toBe(true);
    // The old fields say the same, so the badge can never read "Active" beside the handoff notice.
    expect(handed.body).toMatchObject({ paused: false, handoff: { active: true, reason: 'a big deal, I take it from here' } });
    const tasks = leadTasks(leadId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ responsible_user_id: owner.id, task_type_id: 1 });
    expect(tasks[0]!.text).toBe(
      'AI agent "Ava" handed this lead to you: a big deal, I take it from here. Last client message: "Can I get a call tomorrow?". Please take over the conversation.',
    );
    expect(notifications(leadId)).toEqual([{ userId: owner.id, title: expect.stringContaining('needs you'), body: tasks[0]!.text }]);
    expect(w.activity('agent.handoff').map((a) => JSON.parse(a.metadata))).toEqual([expect.objectContaining({ by: manager.id, turnId: null })]);

    // Handed off: the agent stays quiet, and a second handoff is refused.
    const before = llm.requests.length;
    w.clientWrites(leadId, 'Hello?');
    await w.drain();
    expect(llm.requests).toHaveLength(before);
    expect((await w.api('POST', `/api/leads/${leadId}/agent/handoff`, {})).status).toBe(409);
    expect(leadTasks(leadId)).toHaveLength(1);

    const back = await w.api('POST', `/api/leads/${leadId}/agent/return`, undefined, { userId: manager.id });
    expect(back.body.state).toEqual({ kind: 'active' });
    expect(back.body.handoff).toEqual({ active: false, reason: null });
    expect(w.activity('agent.returned')).toEqual([expect.objectContaining({ user_id: manager.id, title: 'The lead was returned to the AI agent' })]);
    llm.reply({ content: 'I am back: how can I help?' });
    w.clientWrites(leadId, 'Anyone there?');
    await w.drain();
    expect(llm.requests).toHaveLength(before + 1);
  });

  it('without a reason the brief names who handed off, in the account language', async () => {
    const { leadId, manager } = await world();
    w.m.accounts.services.accounts.mergeSettings(w.accountId, { language: 'es' }, w.clock.now());
    const handed = await w.api('POST', `/api/leads/${leadId}/agent/handoff`, undefined, { userId: manager.id });
    expect(handed.body.state).toMatchObject({ kind: 'handed_off', reason: `${manager.name} lo pasó desde la ficha del lead` });
    expect(leadTasks(leadId)[0]!.text).toBe(
      `El agente de IA "Ava" le pasó este lead: ${manager.name} lo pasó desde la ficha del lead. Por favor, continúe la conversación.`,
    );
    expect(w.activity('agent.handoff')[0].title).toBe('Ava pasó el lead a una persona');
  });

  it('"Hand off" and "Return to agent" need the right to edit the lead in Kommo', async () => {
    const { leadId, viewer } = await world();
    const as = { userId: viewer.id, isAdmin: false };
    expect((await panel(leadId, as)).state).toEqual({ kind: 'active' });
    const handoff = await w.api('POST', `/api/leads/${leadId}/agent/handoff`, {}, as);
    expect(handoff.status).toBe(403);
    expect((await w.api('POST', `/api/leads/${leadId}/agent/return`, undefined, as)).status).toBe(403);
    expect(leadTasks(leadId)).toEqual([]);
    expect((await panel(leadId)).state).toEqual({ kind: 'active' });
  });
});

describe('the "Hand off to a person" setting', () => {
  it('when allowed, the model hands off: the state says to whom, by the agent, why and since when', async () => {
    const { leadId, owner } = await world();
    llm.reply({ content: 'A colleague will call you.', toolCalls: [{ name: 'handoff_to_human', args: { reason: 'the client wants a call' } }] });
    w.clientWrites(leadId, 'I want to talk to a person');
    await w.drain();
    expect(llm.requests[0].tools.map((t: any) => t.function.name)).toContain('handoff_to_human');
    expect((await panel(leadId)).state).toEqual({
      kind: 'handed_off',
      to: { userId: owner.id, name: owner.name },
      by: null,
      reason: 'the client wants a call',
      since: expect.any(String),
    });
    expect(leadTasks(leadId)).toHaveLength(1);
  });

  it('when not allowed, the tool is not offered, a call to it is refused, and the lead stays with the agent', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { allowedActions: ['add_note', 'create_task'] });
    llm.reply(
      { toolCalls: [{ name: 'handoff_to_human', args: { reason: 'the client wants a person' } }] },
      { content: 'A colleague will get back to you soon.' },
    );
    w.clientWrites(leadId, 'I want to talk to a person', { salesbot: true });
    await w.drain();
    const [first, second] = llm.requests;
    expect(first.tools.map((t: any) => t.function.name).sort()).toEqual(['add_note', 'create_task']);
    expect(first.messages[0].content).toContain('you cannot hand the conversation over yourself');
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining('"handoff_to_human" is not available to you') });
    expect((await panel(leadId)).state).toEqual({ kind: 'active' });
    expect(w.activity('agent.handoff')).toEqual([]);
    expect(leadTasks(leadId)).toEqual([]);
    expect((w.sim.state.salesbotContinues[0]!.body as any).data.reply).toBe('A colleague will get back to you soon.');
  });
});
