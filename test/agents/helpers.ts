import { startWorld, type TestClock, type World, type WorldOptions } from '../helpers/world.js';

export { fakeOpenAI, LLM_BASE, type FakeReply } from '../helpers/fake-openai.js';
export { offsetClock } from '../helpers/world.js';

/** The agents' world: the fake model, the simulator's Sales pipeline, and a fast Kommo pace. */
export async function startAgentWorld(opts: { seed?: WorldOptions['seed']; env?: Record<string, string | undefined>; clock?: TestClock; http?: boolean } = {}) {
  const w = await startWorld({
    llm: 'fake',
    seed: opts.seed ?? { leads: 20, contacts: 20, users: 4 },
    simRps: 50,
    clock: opts.clock,
    http: opts.http,
    env: { KOMMO_RATE_LIMIT_RPS: '50', ...opts.env },
  });
  const pipeline = [...w.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => pipeline._embedded.statuses.find((s) => s.name === name)!;
  return Object.assign(w, {
    pipeline,
    stage,
    /** A client message, published the way the webhook layer does: row + event in one transaction. */
    clientWrites(leadId: number, text: string, o: { salesbot?: boolean; channel?: string; messageIds?: number[] } = {}) {
      const channel = o.channel ?? (o.salesbot ? 'salesbot' : 'telegram');
      return w.p.tx(() => {
        const ids = o.messageIds ?? [
          w.m.conversations.services.conversations.insertMessage({
            accountId: w.accountId,
            leadId,
            contactId: null,
            direction: 'inbound',
            author: 'client',
            channel,
            externalId: `ext-${Math.random()}`,
            text,
          })!,
        ];
        let salesbot: { returnUrl: string; requestId: number } | undefined;
        if (o.salesbot) {
          const returnUrl = `${w.sim.baseUrl}/api/v4/salesbot/12/continue/req-${ids[0]}`;
          salesbot = { returnUrl, requestId: w.m.conversations.services.salesbot.insertRequest({ accountId: w.accountId, leadId, returnUrl, data: {} }) };
        }
        w.p.bus.emit('message_received', { accountId: w.accountId, leadId, contactId: null, messageIds: ids, channel, ...(salesbot ? { salesbot } : {}) });
        return { messageIds: ids, salesbot };
      });
    },
    activity: (type: string) => w.p.sqlite.prepare('SELECT * FROM activity_logs WHERE account_id = ? AND type = ? ORDER BY id').all(w.accountId, type) as any[],
  });
}

export type AgentWorld = Awaited<ReturnType<typeof startAgentWorld>>;

/** Put a lead into `stageName` of the Sales pipeline in the simulator (before the sync mirrors it). */
export function leadInStage(w: AgentWorld, stageName: string, index = 0): number {
  const st = w.stage(stageName);
  const lead = [...w.sim.state.leads.values()][index]!;
  w.sim.updateLead(lead.id, { pipeline_id: w.pipeline.id, status_id: st.id });
  return lead.id;
}

/** Create an agent through the API and bind it to a Sales stage (`binding`: the binding's settings, e.g. replyByEmail). */
export async function agentOnStage(w: AgentWorld, stageName: string, agent: Record<string, unknown> = {}, binding: Record<string, unknown> = {}) {
  const created = await w.api('POST', '/api/agents', { name: 'Ava', mode: 'autopilot', instructions: 'Qualify the lead and book a demo.', ...agent });
  if (created.status !== 201) throw new Error(`agent create failed: ${JSON.stringify(created.body)}`);
  const bound = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: w.stage(stageName).id, agentId: created.body.id, ...binding });
  if (bound.status !== 200) throw new Error(`bind failed: ${JSON.stringify(bound.body)}`);
  return created.body as { id: number; name: string };
}

export type { World };
