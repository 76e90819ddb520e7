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

const turns = () => w.p.sqlite.prepare('SELECT * FROM agent_turns WHERE account_id = ? ORDER BY id').all(w.accountId) as any[];

describe('Digital Pipeline turns', () => {
  it('two leads entering the same stage in the same minute both get a turn; a redelivery for one lead does not add one', async () => {
    w = await startAgentWorld();
    const [a, b] = [leadInStage(w, 'Qualified', 0), leadInStage(w, 'Qualified', 1)];
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft' });
    // Mid-minute, so both entries (and the redelivery) fall in one minute.
    w.clock.setNow(Math.ceil(w.clock.now() / 60_000) * 60_000 + 5000);
    const q = w.stage('Qualified');
    const enter = (leadId: number) =>
      w.p.bus.emit('lead_stage_entered', { accountId: w.accountId, leadId, pipelineId: w.pipeline.id, statusId: q.id, source: 'dp' });
    llm.reply({ content: 'Welcome, A!' }, { content: 'Welcome, B!' });
    w.p.tx(() => {
      enter(a);
      enter(b);
    });
    await w.drain();
    w.p.tx(() => enter(a));
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    expect(
      turns()
        .map((t) => t.lead_id)
        .sort(),
    ).toEqual([a, b].sort());
    const drafts = (id: number) => w.api('GET', `/api/leads/${id}/agent`).then((r) => r.body.drafts.length);
    expect([await drafts(a), await drafts(b)]).toEqual([1, 1]);
  });
});
