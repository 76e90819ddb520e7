import { performance } from 'node:perf_hooks';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { startWorld } from '../../test/helpers/world.js';
import type { Scenario } from './types.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/**
 * Time to the first AI reply through the real pipeline: a client writes in a messenger, Kommo (the
 * simulator over HTTP) delivers the `add_message` webhook and the Salesbot `widget_request` to the real
 * backend, the worker runs the turn (an instant in-process model), and the reply goes back through the
 * Salesbot continue until the simulator shows the bot's message in the chat. The stage's agent has no reply
 * delay and the burst window is 0, so configured waits are excluded (they add exactly what they say).
 * Baseline, same run: the client's message round trip alone (Kommo delivering the webhook and the
 * widget_request and our 200s), which every reply pays before any of our work starts.
 */
export async function firstReplyScenario(leads = 40): Promise<Scenario[]> {
  const llm: LlmClient = {
    configured: true,
    chat: async () => ({
      content: 'Hello! Thanks for writing. Shall I book a short demo for you this week?',
      toolCalls: [],
      usage: { promptTokens: 800, completionTokens: 40 },
      model: 'gpt-4o-mini',
    }),
  };
  const w = await startWorld({
    llm,
    http: true,
    worker: true,
    seed: { leads: leads + 5, contacts: leads + 5, users: 2 },
    simRps: 50,
    env: { KOMMO_RATE_LIMIT_RPS: '50', WEBHOOK_BURST_WINDOW_MS: '0', LOG_LEVEL: 'silent' },
    beforeBoot(sim) {
      const sales = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
      const qualified = sales._embedded.statuses.find((s) => s.name === 'Qualified')!.id;
      for (const l of [...sim.state.leads.values()].slice(0, leads)) sim.updateLead(l.id, { pipeline_id: sales.id, status_id: qualified });
    },
  });
  try {
    await w.installAndSync();
    const sales = [...w.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
    const qualified = sales._embedded.statuses.find((s) => s.name === 'Qualified')!.id;
    const agent = await w.api('POST', '/api/agents', { name: 'Ava', mode: 'autopilot', instructions: 'Qualify and book a demo.', replyDelaySec: 0 });
    await w.api('PUT', '/api/bindings', { pipelineId: sales.id, statusId: qualified, agentId: agent.body.id });
    const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
    w.sim.addSalesbot({
      name: 'AI agent',
      widgetRequest: { url: `${w.baseUrl}/salesbot/${secret}`, data: { lead_id: '{{lead.id}}', message: '{{message_text}}' } },
    });
    const ids = [...w.sim.state.leads.values()]
      .filter((l) => l.status_id === qualified)
      .map((l) => l.id)
      .slice(0, leads);
    const replied = (leadId: number) => w.sim.state.chats.messages.some((m) => m.leadId === leadId && m.author === 'bot');

    const total: number[] = [];
    const transport: number[] = [];
    for (const leadId of ids) {
      const t0 = performance.now();
      await w.sim.clientWrites(leadId, 'Hi, I saw your ad. How much is the starter plan?');
      transport.push(performance.now() - t0);
      const deadline = t0 + 15_000;
      while (!replied(leadId)) {
        if (performance.now() > deadline) throw new Error(`no reply for lead ${leadId} within 15 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      total.push(performance.now() - t0);
    }
    const p95 = pct(total, 95);
    const base = pct(transport, 95);
    return [
      {
        name: 'time to first AI reply (message → Salesbot reply in the chat, instant model)',
        value: Math.round(p95),
        unit: 'ms p95',
        baseline: Math.round(base),
        baselineName: 'ms p95 message delivery alone (webhook + widget_request round trip)',
        target: 'p95 < 1000 ms, excluding configured delays and burst windows',
        pass: p95 < 1000,
        extra: { p50: Math.round(pct(total, 50)), replies: total.length, replyDelaySec: 0, burstWindowMs: 0 },
      },
    ];
  } finally {
    await w.stop();
  }
}
