import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { widgetToken } from '../helpers/tokens.js';
import { agentOnStage, fakeOpenAI, leadInStage, offsetClock, startAgentWorld, type AgentWorld } from './helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

/** One fake model call: 1000 prompt + 100 completion tokens of gpt-4o-mini. */
const CALL_USD = (1000 * 0.15 + 100 * 0.6) / 1e6;

const turns = () => w.p.sqlite.prepare('SELECT * FROM agent_turns WHERE account_id = ? ORDER BY id').all(w.accountId) as any[];
const notifications = (kind: string) =>
  w.p.sqlite.prepare('SELECT * FROM mail_notifications WHERE account_id = ? AND kind = ? ORDER BY id').all(w.accountId, kind) as any[];

describe('monthly budget per account', () => {
  it('a turn after the budget is spent makes no model call, records why, and notifies the admins once; the next month it answers again', async () => {
    // Near the end of a month, so the test can step into the next one without the Kommo tokens expiring.
    const clock = offsetClock();
    clock.setNow(Date.UTC(2031, 0, 31, 23, 40));
    w = await startAgentWorld({ clock, env: { LLM_MONTHLY_BUDGET_USD: '0.0002' } });
    const [a, b] = [leadInStage(w, 'Qualified', 0), leadInStage(w, 'Qualified', 1)];
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');

    w.clientWrites(a, 'Hello', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(1); // under the budget: answered, and now $0.00021 of $0.0002 is spent
    w.clientWrites(b, 'Hello from B', { salesbot: true });
    await w.drain();
    w.clientWrites(a, 'Are you there?', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(turns().map((t) => [t.status, t.reason])).toEqual([
      ['replied', null],
      ['skipped', 'budget_exhausted'],
      ['skipped', 'budget_exhausted'],
    ]);
    const skipped = w.activity('agent.skipped');
    expect(skipped.map((r) => JSON.parse(r.metadata).reason)).toEqual(['budget_exhausted', 'budget_exhausted']);
    expect(skipped[0].title).toBe("Ava did not reply: this month's AI budget is used up");
    expect(skipped[0].description).toBe(
      'The account used $0.00021 of its $0.0002 monthly AI budget. Agents reply again on 2031-02-01 or when an admin raises the limit.',
    );
    const sent = notifications('llm_budget_exhausted');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ user_id: null, dedupe_key: `llm-budget:${w.accountId}:2031-01` });
    expect(w.sim.state.salesbotContinues).toHaveLength(1);

    // The lead panel carries the state for everyone; the admin app reads usage and limit.
    const panel = await w.api('GET', `/api/leads/${b}/agent`);
    expect(panel.body.budget).toEqual({ exhausted: true, resetsAt: '2031-02-01T00:00:00.000Z' });
    const usage = await w.api('GET', '/api/usage');
    expect(usage.body).toMatchObject({
      month: '2031-01',
      used: { promptTokens: 1000, completionTokens: 100, tokens: 1100, costUsd: CALL_USD, turns: 1, playgroundRuns: 0 },
      limit: { usd: 0.0002, tokens: null },
      defaults: { usd: 0.0002, tokens: null },
      override: { usd: null, tokens: null },
      exhausted: true,
      exhaustedBy: 'usd',
      resetsAt: '2031-02-01T00:00:00.000Z',
    });
    expect((await w.api('GET', '/api/usage', undefined, { isAdmin: false })).status).toBe(403);

    // A new month starts from zero.
    clock.setNow(Date.UTC(2031, 1, 1, 0, 5));
    expect((await w.api('GET', `/api/leads/${b}/agent`)).body.budget).toEqual({ exhausted: false, resetsAt: '2031-03-01T00:00:00.000Z' });
    llm.reply({ content: 'Yes, I am here!' });
    w.clientWrites(b, 'Anyone?', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    expect(w.sim.state.salesbotContinues).toHaveLength(2);
  });

  it('an admin may lower the limit for the account (not raise it above the default); tokens count too; playground runs are usage', async () => {
    w = await startAgentWorld({ env: { LLM_MONTHLY_BUDGET_USD: '10', LLM_MONTHLY_BUDGET_TOKENS: '1000000' } });
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified');

    const over = await w.api('PUT', '/api/usage/budget', { monthlyUsd: 11 });
    expect(over.status).toBe(422);
    expect(over.body.errors).toEqual([{ field: 'monthlyUsd', message: 'must be at most $10.00, the limit set for every account' }]);
    const bad = await w.api('PUT', '/api/usage/budget', { monthlyTokens: -5, extra: true });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['(body)', 'monthlyTokens']);
    expect((await w.api('PUT', '/api/usage/budget', { monthlyUsd: 5 }, { isAdmin: false })).status).toBe(403);

    const set = await w.api('PUT', '/api/usage/budget', { monthlyTokens: 1500 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ limit: { usd: 10, tokens: 1500 }, override: { usd: null, tokens: 1500 }, exhausted: false });
    expect(w.m.accounts.services.accounts.settings(w.accountId).llmBudget).toEqual({ monthlyTokens: 1500 });

    // A playground run spends 1100 tokens; the turn after it still runs (1100 < 1500) and spends the rest.
    const run = await w.api('POST', `/api/agents/${agent.id}/playground`, { message: 'How much?' });
    expect(run.status).toBe(200);
    expect((await w.api('GET', '/api/usage')).body.used).toMatchObject({ tokens: 1100, playgroundRuns: 1, turns: 0 });
    w.clientWrites(leadId, 'Hello', { salesbot: true });
    await w.drain();
    w.clientWrites(leadId, 'Hello again', { salesbot: true });
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    const spent = (await w.api('GET', '/api/usage')).body;
    expect(spent).toMatchObject({ used: { tokens: 2200, playgroundRuns: 1, turns: 1 }, exhausted: true, exhaustedBy: 'tokens' });
    expect(spent.used.costUsd).toBeCloseTo(2 * CALL_USD, 9);
    const refused = await w.api('POST', `/api/agents/${agent.id}/playground`, { message: 'And now?' });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', reason: 'budget_exhausted', detail: expect.stringContaining('2,200 tokens of 1,500 tokens') });
    expect(llm.requests).toHaveLength(2);

    // Back to the default (null): the 1,000,000 tokens of the operator apply again.
    const cleared = await w.api('PUT', '/api/usage/budget', { monthlyTokens: null });
    expect(cleared.body).toMatchObject({ limit: { usd: 10, tokens: 1_000_000 }, override: { tokens: null }, exhausted: false });
    expect(w.m.accounts.services.accounts.settings(w.accountId).llmBudget).toEqual({});
  });
});

describe('playground rate limit', () => {
  it('allows N runs a minute per account and user, then answers 429 problem+json with Retry-After', async () => {
    w = await startAgentWorld({ env: { LLM_PLAYGROUND_PER_MINUTE: '2' } });
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified');
    const run = (userId: number) =>
      w.app.request(`/api/agents/${agent.id}/playground`, {
        method: 'POST',
        headers: {
          'x-auth-token': widgetToken({ accountId: w.accountId, userId, isAdmin: true }, { nowSec: Math.floor(w.clock.now() / 1000) }),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ message: 'Hi there' }),
      });
    expect((await run(7)).status).toBe(200);
    expect((await run(7)).status).toBe(200);
    const limited = await run(7);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await limited.json()) as any;
    expect(body).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSec: retryAfter, detail: expect.stringContaining('At most 2 playground runs') });
    expect(llm.requests).toHaveLength(2); // the refused run never reached the model

    expect((await run(8)).status).toBe(200); // another user has their own allowance
    w.clock.advance(61_000);
    expect((await run(7)).status).toBe(200);
    expect(llm.requests).toHaveLength(4);
  });
});
