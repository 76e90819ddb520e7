import { afterEach, describe, expect, it } from 'vitest';
import { TURN_QUEUE } from '../server/modules/agents/turn.job.js';
import { leadWebhook } from './fixtures/kommo-webhooks.js';
import { webhookWorld, type WebhookWorld } from './helpers/webhooks.js';

let w: WebhookWorld;
afterEach(async () => w?.stop());

/** Another installed account with a long backlog of agent turns, queued before anything else. */
const OTHER = 40_000_001;
function backlog(n: number) {
  w.p.tx(() => {
    for (let i = 0; i < n; i++) {
      const key = `backlog:${i}`;
      w.p.queue.enqueue({
        queue: TURN_QUEUE,
        accountId: OTHER,
        payload: { accountId: OTHER, leadId: i + 1, turnKey: key, trigger: { kind: 'proactive', reason: 'followup', key } },
        idempotencyKey: `turn:${OTHER}:${key}`,
        serialKey: `lead:${OTHER}:${i + 1}`,
      });
    }
  });
}
const eventStatus = () => (w.p.sqlite.prepare('SELECT status FROM webhook_events').all() as { status: string }[]).map((r) => r.status);
const queuedTurns = () => w.count("SELECT count(*) n FROM jobs WHERE queue = ? AND status = 'queued'", TURN_QUEUE);

describe('fair work in the real app', () => {
  it("a webhook arriving behind another account's 10,000 queued turns is processed in the worker's first round", async () => {
    w = await webhookWorld();
    backlog(10_000);
    const res = await w.post(leadWebhook('add', { id: 77 }));
    expect(res.status).toBe(200);
    expect(eventStatus()).toEqual(['received']);
    await w.p.worker.drain(1); // one claim of WORKER_CONCURRENCY (16) slots, run to the end
    expect(eventStatus()).toEqual(['processed']);
    // The turns took their share of that round (half the slots), not every slot.
    expect(queuedTurns()).toBe(10_000 - 8);
  });
});
