/**
 * Cost and quality in sight: drafts sent unchanged, edited (with how much) and discarded (with why), undone
 * actions, tokens and cost and the time to a reply, per agent and per lead; and the autopilot suggestion,
 * which appears at the thresholds and not before. The real pipeline with the simulator; only the model is faked.
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

async function world() {
  w = await startAgentWorld({ env: { QUALITY_AUTOPILOT_MIN_DRAFTS: '3', QUALITY_AUTOPILOT_MIN_UNCHANGED_PCT: '90' } });
  const leads = [0, 1, 2, 3, 4].map((i) => leadInStage(w, 'Qualified', i));
  await w.installAndSync();
  const agent = await agentOnStage(w, 'Qualified', { mode: 'draft', allowedActions: ['add_tags', 'add_note'], runWithoutApproval: [] });
  /** One client message → one draft, whose reply (and tool calls) the model gives. */
  const draftFor = async (leadId: number, reply: string, toolCalls: { name: string; args: Record<string, unknown> }[] = []) => {
    llm.reply({ content: reply, toolCalls });
    w.clientWrites(leadId, 'Hello, what does the starter plan include?', { salesbot: true });
    await w.drain();
    const view = (await w.api('GET', `/api/leads/${leadId}/agent`)).body;
    return view.drafts[0] as { id: number; actions: { id: number }[] };
  };
  const summary = async (q = '') => {
    const r = await w.api('GET', `/api/quality${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  return { leads, agent, draftFor, summary };
}

describe('cost and quality', () => {
  it('counts drafts sent unchanged, edited and discarded with a reason, undone actions, tokens and reply times', async () => {
    const t = await world();
    const a = await t.draftFor(t.leads[0]!, 'The starter plan includes the CRM and two pipelines.');
    const b = await t.draftFor(t.leads[1]!, 'The starter plan includes the CRM and two pipelines.', [{ name: 'add_tags', args: { tags: ['pricing'] } }]);
    const c = await t.draftFor(t.leads[2]!, 'Buy now!!!');
    expect((await w.api('POST', `/api/drafts/${a.id}/approve`, {})).status).toBe(200);
    expect((await w.api('POST', `/api/drafts/${b.id}/approve`, { text: 'The starter plan includes the CRM, two pipelines and email support.' })).status).toBe(
      200,
    );
    expect((await w.api('POST', `/api/drafts/${c.id}/discard`, { reason: 'wrong_tone' })).status).toBe(200);
    expect((await w.api('POST', `/api/drafts/${c.id}/discard`, { reason: 'rude' })).status).toBe(422);
    // The tag the edited draft proposed ran on approval; a manager undoes it.
    const tagged = w.p.sqlite.prepare("SELECT id FROM agent_actions WHERE type = 'add_tags' AND status = 'done'").get() as { id: number };
    expect((await w.api('POST', `/api/actions/${tagged.id}/undo`, {})).status).toBe(200);

    const s = await t.summary();
    const row = s.agents.find((x: { agentId: number }) => x.agentId === t.agent.id);
    expect(row).toMatchObject({
      name: 'Ava',
      mode: 'draft',
      turns: 3,
      drafts: { made: 3, decided: 3, unchanged: 1, edited: 1, discarded: 1, discardReasons: { wrong_tone: 1 } },
      acceptance: { unchanged: 0.333, discarded: 0.333 },
      actions: { done: 1, undone: 1, undoneShare: 1 },
      suggestion: null,
    });
    expect(row.drafts.editRatioMean).toBeGreaterThan(0);
    expect(row.drafts.editRatioMean).toBeLessThan(0.5);
    expect(row.tokens).toBeGreaterThan(0);
    expect(row.replyMs.p95).toBeGreaterThanOrEqual(row.replyMs.p50);
    expect(s.totals).toMatchObject({ turns: 3, drafts: { unchanged: 1, edited: 1, discarded: 1 } });

    // One lead's figures, for whoever may see it.
    const one = await t.summary(`?leadId=${t.leads[1]}`);
    expect(one.totals.drafts).toMatchObject({ decided: 1, edited: 1, unchanged: 0 });
  });

  it('suggests autopilot at the thresholds (3 decided drafts, 90% unchanged here) and not before', async () => {
    const t = await world();
    const drafts = [];
    for (const i of [0, 1, 2]) drafts.push(await t.draftFor(t.leads[i]!, `Reply number ${i}: the starter plan includes two pipelines.`));
    const suggestion = async () => (await t.summary()).agents.find((x: { agentId: number }) => x.agentId === t.agent.id).suggestion;
    for (const d of drafts.slice(0, 2)) expect((await w.api('POST', `/api/drafts/${d.id}/approve`, {})).status).toBe(200);
    expect(await suggestion()).toBeNull(); // two decided: not yet
    expect((await w.api('POST', `/api/drafts/${drafts[2]!.id}/approve`, {})).status).toBe(200);
    expect(await suggestion()).toEqual({ mode: 'autopilot', reason: 'drafts_accepted' });
    // One discarded draft brings the unchanged share to 75%: the suggestion goes away.
    const d = await t.draftFor(t.leads[3]!, 'Another reply.');
    expect((await w.api('POST', `/api/drafts/${d.id}/discard`, { reason: 'wrong_facts' })).status).toBe(200);
    expect(await suggestion()).toBeNull();
  });

  it('the account figures need an admin, and a bad window is refused naming it', async () => {
    const t = await world();
    const rep = [...w.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    expect((await w.api('GET', '/api/quality', undefined, { userId: rep.id, isAdmin: false })).status).toBe(403);
    expect((await w.api('GET', '/api/quality?days=0')).status).toBe(400);
    expect((await t.summary('?days=7')).agents).toEqual([]);
  });
});
