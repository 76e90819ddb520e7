import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { agentOnStage, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

let w: AgentWorld;
afterEach(async () => w?.stop());

describe("uninstall stops the account's agents", () => {
  it('cancels queued turns with the reason, and new messages start none', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { replyDelaySec: 600 }); // the turn waits 10 minutes
    w.clientWrites(leadId, 'Hello, is anyone there?');
    expect(w.count("SELECT count(*) n FROM jobs WHERE queue = 'agents.turn' AND status = 'queued'")).toBe(1);

    w.sim.faults.revokeAllTokens(); // uninstalling in Kommo revokes our tokens; the hook is only believed then
    const sig = createHmac('sha256', TEST_CLIENT_SECRET).update(`${TEST_CLIENT_ID}|${w.accountId}`).digest('hex');
    const res = await w.app.request(`/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${w.accountId}&signature=${sig}`);
    expect(res.status).toBe(200);
    const turn = w.p.sqlite.prepare("SELECT status, last_error FROM jobs WHERE queue = 'agents.turn'").get() as any;
    expect(turn).toEqual({ status: 'dead', last_error: 'stopped: the Kommo integration was uninstalled' });

    w.clientWrites(leadId, 'Hello again?');
    expect(w.count("SELECT count(*) n FROM jobs WHERE queue = 'agents.turn' AND status = 'queued'")).toBe(0);
  });
});
