/**
 * The outcome figure: leads that advanced a stage while the agent handled them without a human reply, per
 * lead, agent, stage, day and month; and the figures split by stage. Moves arrive as Kommo delivers them (a
 * status webhook) or are the agent's own move_to_stage; the simulator over HTTP, only the model is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FORM_HEADERS, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

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
  const leads = [0, 1, 2, 3, 4, 5].map((i) => leadInStage(w, 'Qualified', i));
  const other = leadInStage(w, 'Negotiation', 6);
  await w.installAndSync();
  const agent = await agentOnStage(w, 'Qualified', { allowedActions: ['move_to_stage', 'add_note'] });
  expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: w.stage('Negotiation').id, agentId: agent.id })).status).toBe(200);
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  /** The client writes and the agent answers (autopilot, through the Salesbot). */
  const answered = async (leadId: number, toolCalls: { name: string; args: Record<string, unknown> }[] = []) => {
    llm.reply({ content: 'The starter plan includes two pipelines. Shall we book a demo?', toolCalls });
    w.clientWrites(leadId, 'What does the starter plan include?', { salesbot: true });
    await w.drain();
  };
  /** A manager drags the lead in Kommo; Kommo tells us by webhook (twice: a retry). */
  const moved = async (leadId: number, statusId: number) => {
    w.sim.tick(1);
    const from = w.sim.state.leads.get(leadId)!.status_id;
    const lead = w.sim.updateLead(leadId, { status_id: statusId });
    const body = leadStatusWebhook(
      { id: leadId, status_id: statusId, old_status_id: from, pipeline_id: w.pipeline.id, last_modified: lead.updated_at },
      { id: w.accountId, subdomain: w.sim.subdomain },
    );
    for (let i = 0; i < 2; i++) expect((await w.app.request(`/webhooks/kommo/${secret}`, { method: 'POST', headers: FORM_HEADERS, body })).status).toBe(200);
    await w.drain();
  };
  const summary = async (q = '') => {
    const r = await w.api('GET', `/api/quality${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  return { leads, other, agent, answered, moved, summary };
}

describe('leads that advanced a stage while the agent handled them without a human reply', () => {
  it('counts forward moves and won after the agent took the lead; not after a human reply, backwards, lost, untouched leads or an undone move', async () => {
    const t = await world();
    const [a, b, c, d, e, f] = t.leads as [number, number, number, number, number, number];
    const proposal = w.stage('Proposal sent').id;

    await t.answered(a);
    await t.moved(a, proposal); // counted
    await t.answered(b);
    w.p.tx(() => w.p.bus.emit('human_replied', { accountId: w.accountId, leadId: b, userId: null }));
    await t.moved(b, proposal); // a person wrote to the client: not the agent's outcome
    await t.answered(c);
    await t.moved(c, w.stage('Incoming leads').id); // backwards
    await t.moved(d, proposal); // the agent never took it
    await t.answered(e, [{ name: 'move_to_stage', args: { statusId: proposal } }]); // the agent's own move: counted
    await t.answered(f);
    await t.moved(f, 142); // won: counted
    await t.answered(t.other);
    await t.moved(t.other, 143); // lost

    const s = await t.summary();
    expect(s.totals.advanced).toBe(3);
    const row = s.agents.find((x: { agentId: number }) => x.agentId === t.agent.id);
    expect(row.advanced).toBe(3);
    // Per stage: the advances belong to the stage the lead left, where the agent handled it.
    const qualified = s.stages.find((x: { statusId: number }) => x.statusId === w.stage('Qualified').id);
    expect(qualified).toMatchObject({ agentId: t.agent.id, stageName: 'Qualified', pipelineName: 'Sales', advanced: 3, turns: 5, replies: 5 });
    expect(s.stages.find((x: { statusId: number }) => x.statusId === w.stage('Negotiation').id)).toMatchObject({ advanced: 0, replies: 1 });
    // Per lead.
    expect((await t.summary(`?leadId=${a}`)).totals.advanced).toBe(1);
    expect((await t.summary(`?leadId=${b}`)).totals.advanced).toBe(0);
    expect((await t.summary(`?leadId=${d}`)).totals.advanced).toBe(0);
    // Per day, for the chart: today holds them all.
    expect(s.daily.length).toBeGreaterThanOrEqual(30);
    expect(s.daily.at(-1)).toMatchObject({ advanced: 3, replies: 6 });
    expect(s.daily.slice(0, -1).every((x: { advanced: number; replies: number }) => x.advanced === 0 && x.replies === 0)).toBe(true);

    // A manager undoes the agent's move: no longer an advance.
    const move = w.p.sqlite.prepare("SELECT id FROM agent_actions WHERE type = 'move_to_stage' AND status = 'done'").get() as { id: number };
    expect((await w.api('POST', `/api/actions/${move.id}/undo`, {})).status).toBe(200);
    expect((await t.summary()).totals.advanced).toBe(2);
    // Kommo's retry of the same status webhook was recorded once.
    expect(w.p.sqlite.prepare('SELECT count(*) AS n FROM lead_stage_moves WHERE lead_id = ?').get(a)).toEqual({ n: 1 });
  });

  it("splits the figures by stage for an agent bound to two stages (a turnless handoff in the lead's stage), and by calendar month", async () => {
    const t = await world();
    await t.answered(t.leads[0]!);
    await t.answered(t.other);
    const s = await t.summary();
    const mine = s.stages.filter((x: { agentId: number }) => x.agentId === t.agent.id);
    expect(mine.map((x: { stageName: string; turns: number; replies: number }) => [x.stageName, x.turns, x.replies])).toEqual([
      ['Qualified', 1, 1],
      ['Negotiation', 1, 1],
    ]);
    expect(mine.every((x: { tokens: number; costUsd: number }) => x.tokens > 0)).toBe(true);
    // A handoff from the card has no turn: it counts in the stage the lead is in.
    expect((await w.api('POST', `/api/leads/${t.leads[1]}/agent/handoff`, { reason: 'VIP client' })).status).toBe(200);
    const after = (await t.summary()).stages.filter((x: { agentId: number }) => x.agentId === t.agent.id);
    expect(after.map((x: { stageName: string; handoffs: number }) => [x.stageName, x.handoffs])).toEqual([
      ['Qualified', 1],
      ['Negotiation', 0],
    ]);
    const month = new Date(w.p.clock.now()).toISOString().slice(0, 7);
    const m = await t.summary(`?month=${month}`);
    expect(m).toMatchObject({ month, totals: { turns: 2, replies: 2 } });
    expect(m.daily[0].day).toBe(`${month}-01`);
    expect((await t.summary('?month=2020-01')).totals.turns).toBe(0);
    const bad = await w.api('GET', '/api/quality?month=2026-13');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('month');
  });
});
