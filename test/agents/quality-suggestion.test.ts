/**
 * A stage's settings show its acceptance rate and suggest autopilot exactly at the thresholds (here 10 decided
 * drafts with at least 90% sent unchanged; both configurable), not one draft before nor one point below, and go
 * away once an admin confirmed it. Drafts come from the real pipeline (simulator + fake model) and are decided
 * through the API, as a manager would.
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

describe("the autopilot suggestion in a stage's settings", () => {
  it('appears at 10 decided drafts with 90% unchanged, not at 9, not below 90%, and not once the agent is on autopilot', async () => {
    w = await startAgentWorld({ env: { QUALITY_AUTOPILOT_MIN_DRAFTS: '10', QUALITY_AUTOPILOT_MIN_UNCHANGED_PCT: '90' } });
    const leads = Array.from({ length: 12 }, (_, i) => leadInStage(w, 'Qualified', i));
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified', { mode: 'draft' });
    const drafts: number[] = [];
    for (const leadId of leads) {
      llm.reply({ content: `Hello, lead ${leadId}: the starter plan includes two pipelines.` });
      w.clientWrites(leadId, 'What does the starter plan include?', { salesbot: true });
      await w.drain();
      drafts.push((await w.api('GET', `/api/leads/${leadId}/agent`)).body.drafts[0].id);
    }
    const stage = async () => {
      const r = await w.api('GET', `/api/stages/${w.pipeline.id}/${w.stage('Qualified').id}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.quality;
    };
    const approve = async (id: number, text?: string) => expect((await w.api('POST', `/api/drafts/${id}/approve`, text ? { text } : {})).status).toBe(200);
    const discard = async (id: number) => expect((await w.api('POST', `/api/drafts/${id}/discard`, { reason: 'wrong_facts' })).status).toBe(200);

    for (const id of drafts.slice(0, 9)) await approve(id);
    // Nine decided, all unchanged: one short of the minimum.
    expect(await stage()).toMatchObject({
      decided: 9,
      acceptance: { unchanged: 1 },
      suggestion: null,
      thresholds: { autopilotMinDrafts: 10, autopilotMinUnchanged: 0.9 },
    });
    // The tenth, edited: 9 of 10 unchanged is exactly 90%.
    await approve(drafts[9]!, 'Hello! The starter plan includes two pipelines and email support.');
    expect(await stage()).toMatchObject({ decided: 10, acceptance: { unchanged: 0.9 }, suggestion: { mode: 'autopilot', reason: 'drafts_accepted' } });
    const admin = (await w.api('GET', '/api/quality')).body.stages.find((s: { agentId: number }) => s.agentId === agent.id);
    expect(admin.suggestion).toEqual({ mode: 'autopilot', reason: 'drafts_accepted' });
    // Two more decided, one discarded: 10 of 12 (83%) is below 90%.
    await approve(drafts[10]!);
    await discard(drafts[11]!);
    expect(await stage()).toMatchObject({ decided: 12, acceptance: { unchanged: 0.833 }, suggestion: null });
    // An admin confirming a suggestion switches the agent's mode; on autopilot, autopilot is not suggested again.
    expect((await w.api('PATCH', `/api/agents/${agent.id}`, { mode: 'autopilot' })).status).toBe(200);
    expect((await stage()).suggestion).toBeNull();
  });
});
