import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { updateAgent } from '../../server/modules/agents/agents.repo.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

describe('model allowlist', () => {
  it("refuses a model that is not on the operator's list, naming the field; /api/models offers the list", async () => {
    w = await startAgentWorld({ env: { OPENAI_MODELS: 'gpt-4o-mini, gpt-4.1' } });
    expect((await w.api('GET', '/api/models', undefined, { isAdmin: false })).body).toEqual({ items: ['gpt-4o-mini', 'gpt-4.1'], default: 'gpt-4o-mini' });
    const refused = await w.api('POST', '/api/agents', { name: 'Ava', model: 'gpt-5' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'model', message: expect.stringContaining('gpt-4o-mini, gpt-4.1') }]);
    const ok = await w.api('POST', '/api/agents', { name: 'Ava', model: 'gpt-4.1' });
    expect(ok.status).toBe(201);
    expect(ok.body.model).toBe('gpt-4.1');
    const patched = await w.api('PATCH', `/api/agents/${ok.body.id}`, { model: 'o1-pro' });
    expect(patched.status).toBe(422);
    expect(patched.body.errors[0].field).toBe('model');
    expect((await w.api('GET', `/api/agents/${ok.body.id}`)).body.model).toBe('gpt-4.1');
  });

  it('an agent whose model left the list runs on the default, and the turn and the lead panel say so', async () => {
    w = await startAgentWorld({ env: { OPENAI_MODELS: 'gpt-4o-mini' } });
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified');
    // Saved while the operator still allowed it.
    updateAgent(w.p.db, w.accountId, agent.id, { model: 'gpt-4-retired' }, w.clock.now());
    // The editor resends the stored model with every save: that is not a new choice, so it is accepted.
    expect((await w.api('PATCH', `/api/agents/${agent.id}`, { name: 'Ava 2', model: 'gpt-4-retired' })).status).toBe(200);

    llm.reply({ content: 'Hello! How can I help?' });
    w.clientWrites(leadId, 'Hi', { salesbot: true });
    await w.drain();
    expect(llm.requests.map((r) => r.model)).toEqual(['gpt-4o-mini']);
    const fallback = { configured: 'gpt-4-retired', used: 'gpt-4o-mini' };
    expect(JSON.parse(w.activity('agent.reply')[0].metadata).modelFallback).toEqual(fallback);
    const panel = await w.api('GET', `/api/leads/${leadId}/agent`, undefined, { isAdmin: false, userId: w.sim.state.leads.get(leadId)!.responsible_user_id });
    expect(panel.status).toBe(200);
    expect(panel.body.agent).toMatchObject({ name: 'Ava 2', model: 'gpt-4o-mini', modelFallback: fallback });
  });
});
