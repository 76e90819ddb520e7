/**
 * GET /api/stages and /api/stages/:pipelineId/:statusId: what works a pipeline stage, read in one call, against
 * the real app, real migrations and a synced simulator account. The setup is made through the ordinary APIs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from '../agents/helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld | undefined;
afterEach(async () => {
  llm.reset();
  await w?.stop();
  w = undefined;
});

async function world() {
  const world = await startAgentWorld();
  const leadA = leadInStage(world, 'Qualified', 0);
  const leadB = leadInStage(world, 'Qualified', 1);
  await world.installAndSync();
  w = world;
  return { w: world, leadA, leadB };
}

const must = async (res: Promise<{ status: number; body: any }>, status: number) => {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
};

describe('stage setup read', () => {
  it("returns the stage's agent, binding, script, knowledge, rules and sequences, and the open leads to preview on", async () => {
    const { w, leadA, leadB } = await world();
    const qualified = { pipelineId: w.pipeline.id, statusId: w.stage('Qualified').id };
    const negotiation = { pipelineId: w.pipeline.id, statusId: w.stage('Negotiation').id };

    const empty = await must(w.api('GET', `/api/stages/${qualified.pipelineId}/${qualified.statusId}`), 200);
    expect(empty).toMatchObject({
      name: 'Qualified',
      pipelineName: 'Sales',
      agent: null,
      script: null,
      knowledge: { count: 0, items: [] },
      rules: [],
      sequences: [],
    });
    expect(empty.leads.map((l: { id: number }) => l.id)).toEqual(expect.arrayContaining([leadA, leadB]));
    expect(empty.leads[0].name).toEqual(expect.any(String));

    const ava = await agentOnStage(w, 'Qualified', { name: 'Ava', mode: 'draft' });
    await must(w.api('PUT', '/api/bindings', { ...qualified, agentId: ava.id, onStageEnter: 'greet' }), 200);
    // One script for the stage (any agent), another agent's script on the same stage is not the effective one.
    const other = await must(w.api('POST', '/api/agents', { name: 'Other' }), 201);
    await must(w.api('POST', '/api/scripts', { agentId: other.id, name: 'Not Ava', body: 'nope', stages: [qualified] }), 201);
    const script = await must(
      w.api('POST', '/api/scripts', { agentId: null, name: 'Qualified script', body: 'Ask about {{lead.name}}', stages: [qualified] }),
      201,
    );
    const entry = await must(w.api('POST', `/api/agents/${ava.id}/knowledge`, { kind: 'text', title: 'Prices', content: 'Basic plan: 10 USD' }), 201);
    await must(w.api('POST', '/api/knowledge', { kind: 'text', title: 'Unshared', content: 'Not for Ava' }), 201);
    const stageRule = await must(
      w.api('POST', '/api/rules', {
        name: 'On Qualified',
        ...qualified,
        definition: { trigger: { type: 'stage_entered' }, actions: [{ type: 'add_note', text: 'x' }] },
      }),
      201,
    );
    const accountRule = await must(
      w.api('POST', '/api/rules', { name: 'Everywhere', definition: { trigger: { type: 'stage_entered' }, actions: [{ type: 'add_note', text: 'y' }] } }),
      201,
    );
    await must(
      w.api('POST', '/api/rules', {
        name: 'Elsewhere',
        ...negotiation,
        definition: { trigger: { type: 'stage_entered' }, actions: [{ type: 'add_note', text: 'z' }] },
      }),
      201,
    );
    const seq = await must(
      w.api('POST', '/api/sequences', { name: 'Nurture', ...qualified, definition: { steps: [{ type: 'wait', amount: 1, unit: 'days' }] } }),
      201,
    );

    const one = await must(w.api('GET', `/api/stages/${qualified.pipelineId}/${qualified.statusId}`), 200);
    expect(one).toMatchObject({
      ...qualified,
      agent: { id: ava.id, name: 'Ava', mode: 'draft' },
      onStageEnter: 'greet',
      replyByEmail: false,
      // The stage's acceptance rate and suggestion (the single stage only; the board stays light).
      quality: { days: 30, decided: 0, acceptance: { unchanged: null }, suggestion: null, thresholds: { autopilotMinDrafts: 50, autopilotMinUnchanged: 0.9 } },
      script: { id: script.id, body: 'Ask about {{lead.name}}', agentId: null, stages: [qualified] },
      knowledge: { count: 1, items: [{ id: entry.id, title: 'Prices', kind: 'text' }] },
      rules: [
        { id: stageRule.id, name: 'On Qualified', enabled: true, scope: 'stage' },
        { id: accountRule.id, name: 'Everywhere', enabled: true, scope: 'account' },
      ],
      sequences: [{ id: seq.id, name: 'Nurture', scope: 'stage' }],
    });

    // The board: every stage of every pipeline, the same setup on Qualified, nothing bound on Negotiation.
    const board = (await must(w.api('GET', '/api/stages'), 200)).items as any[];
    const sales = board.find((p) => p.id === w.pipeline.id);
    const col = (id: number) => sales.stages.find((s: { statusId: number }) => s.statusId === id);
    const { leads: _leads, name: _n, pipelineName: _p, quality: _q, ...same } = one;
    expect(col(qualified.statusId)).toMatchObject(same);
    expect(col(negotiation.statusId)).toMatchObject({
      agent: null,
      script: null,
      rules: [expect.objectContaining({ name: 'Everywhere', scope: 'account' }), expect.objectContaining({ name: 'Elsewhere', scope: 'stage' })],
    });
    expect(sales.stages.map((s: { name: string }) => s.name)).toContain('Negotiation');
  });

  it('answers 404 for a stage that is not in the synced pipelines, and reads for a non-admin too; another account sees none of it', async () => {
    const { w } = await world();
    const nf = await w.api('GET', `/api/stages/${w.pipeline.id}/999999`);
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await w.api('GET', '/api/stages/x/1')).status).toBe(400);
    await agentOnStage(w, 'Qualified', { name: 'Ava' });
    const rep = await w.api('GET', `/api/stages/${w.pipeline.id}/${w.stage('Qualified').id}`, undefined, { isAdmin: false });
    expect(rep.status).toBe(200);
    expect(rep.body.agent).toMatchObject({ name: 'Ava' });
    const stranger = await w.api('GET', '/api/stages', undefined, { accountId: w.accountId + 1000 });
    expect(stranger.status === 200 ? stranger.body.items : []).toEqual([]);
  });

  it("shows each column's working hours, how replies reach the client, and today's replies, waiting drafts and handoffs", async () => {
    const world = await startAgentWorld();
    w = world;
    const leadA = leadInStage(world, 'Qualified', 0);
    const leadB = leadInStage(world, 'Qualified', 1);
    const leadN = leadInStage(world, 'Negotiation', 2);
    await world.installAndSync();
    // Open all day every day, so the draft is written now (the column shows the schedule as saved).
    const day = [['00:00', '23:59']];
    const hours = { timezone: 'Europe/Madrid', schedule: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } };
    await agentOnStage(world, 'Qualified', { name: 'Ava', mode: 'autopilot', workingHours: null });
    await agentOnStage(world, 'Negotiation', { name: 'Nora', mode: 'draft', workingHours: hours });
    const column = async (name: string) => {
      const sales = ((await must(world.api('GET', '/api/stages'), 200)).items as any[]).find((p) => p.id === world.pipeline.id);
      return sales.stages.find((s: { name: string }) => s.name === name);
    };

    // A fresh account: no Salesbot has reached us, no mailbox, nothing done today.
    const fresh = await column('Qualified');
    expect(fresh.workingHours).toBeNull();
    expect(fresh.channels).toEqual({ salesbot: false, mailbox: false, reach: 'note' });
    expect(fresh.today).toMatchObject({ replies: 0, draftsWaiting: 0, handoffs: 0, since: expect.any(String) });
    expect((await column('Negotiation')).workingHours).toEqual(hours);

    // Ava answers two clients through their Salesbot requests; Nora drafts a reply; a manager hands lead A off.
    llm.reply({ content: 'Hello! Let us book a demo.' });
    llm.reply({ content: 'Hi again.' });
    llm.reply({ content: 'Here is the contract draft.' });
    world.clientWrites(leadA, 'Hi', { salesbot: true });
    world.clientWrites(leadB, 'Hello', { salesbot: true });
    world.clientWrites(leadN, 'Send the contract', { salesbot: true });
    await world.drain();
    world.m.accounts.services.accounts.mergeSettings(world.accountId, { salesbotBotId: 12 }, Date.now());
    await must(world.api('POST', `/api/leads/${leadA}/agent/handoff`, { reason: 'Wants a call' }), 200);

    const qualified = await column('Qualified');
    expect(qualified.channels).toEqual({ salesbot: true, mailbox: false, reach: 'salesbot' });
    expect(qualified.today).toMatchObject({ replies: 2, draftsWaiting: 0, handoffs: 1 });
    expect((await column('Negotiation')).today).toMatchObject({ replies: 0, draftsWaiting: 1, handoffs: 0 });
    expect((await column('Proposal sent')).today).toMatchObject({ replies: 0, draftsWaiting: 0, handoffs: 0 });
  });
});
