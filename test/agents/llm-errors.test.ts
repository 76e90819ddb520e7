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
const turnJobs = () => w.p.sqlite.prepare("SELECT * FROM jobs WHERE queue = 'agents.turn' ORDER BY id").all() as any[];
const notifications = (kind: string) =>
  w.p.sqlite.prepare('SELECT * FROM mail_notifications WHERE account_id = ? AND kind = ? ORDER BY id').all(w.accountId, kind) as any[];
const tasksOf = (leadId: number) => [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadId);

describe('permanent model errors', () => {
  async function drainThroughRetries() {
    for (let i = 0; i < 6; i++) {
      await w.drain();
      w.clock.advance(5 * 60_000);
    }
  }

  it('insufficient_quota and an invalid key fail the turn at once, hand the lead over, and notify the admins once per cause per day', async () => {
    w = await startAgentWorld();
    const [a, b] = [leadInStage(w, 'Qualified', 0), leadInStage(w, 'Qualified', 1)];
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    const quota = {
      status: 429,
      body: {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
    };
    llm.reply(quota, quota);
    w.clientWrites(a, 'Hello?', { salesbot: true });
    w.clientWrites(b, 'Hi!', { salesbot: true });
    await drainThroughRetries();
    expect(llm.requests).toHaveLength(2); // one call per turn: no retry loop
    expect(turns().map((t) => [t.status, t.reason])).toEqual([
      ['failed', 'llm_insufficient_quota'],
      ['failed', 'llm_insufficient_quota'],
    ]);
    expect(turnJobs().map((j) => [j.status, j.attempts])).toEqual([
      ['dead', 1],
      ['dead', 1],
    ]);
    expect(turnJobs()[0].last_error).toContain('no credit left');
    // Each lead goes to its responsible user; the agent is not stopped on it.
    expect(tasksOf(a)).toHaveLength(1);
    expect(tasksOf(b)).toHaveLength(1);
    expect(w.count('SELECT count(*) n FROM lead_agent_state WHERE handoff_active = 1')).toBe(0);
    expect(w.activity('agent.error').map((r) => JSON.parse(r.metadata).llmError)).toEqual(['insufficient_quota', 'insufficient_quota']);
    const quotaNotes = notifications('llm_unavailable');
    expect(quotaNotes).toHaveLength(1);
    expect(quotaNotes[0].user_id).toBeNull();
    expect(quotaNotes[0].body).toContain('no credit left');

    // A revoked key: its own notification; the key never reaches a text we write.
    llm.reply({
      status: 401,
      body: {
        error: { message: 'Incorrect API key provided: sk-test. You can find your API key at ...', type: 'invalid_request_error', code: 'invalid_api_key' },
      },
    });
    w.clientWrites(a, 'Still there?', { salesbot: true });
    await drainThroughRetries();
    expect(llm.requests).toHaveLength(3);
    expect(turns().at(-1)).toMatchObject({ status: 'failed', reason: 'llm_invalid_api_key' });
    expect(notifications('llm_unavailable')).toHaveLength(2);
    expect(JSON.stringify([turnJobs(), w.activity('agent.error'), notifications('llm_unavailable')])).not.toContain('sk-test');

    // The same cause again the same day: no second notification.
    llm.reply(quota);
    w.clientWrites(b, 'Hello again', { salesbot: true });
    await drainThroughRetries();
    expect(llm.requests).toHaveLength(4);
    expect(notifications('llm_unavailable')).toHaveLength(2);
  });
});
