/**
 * What the demo sets up and plays, as a Kommo admin and a client would: a demo lead and contact in the
 * simulated account, an agent with a sales script and knowledge made through the widget API and bound to the
 * lead's stage, a Salesbot whose step is the widget's widget_request, and a client who writes twice.
 * Every check reads the outside world: the simulator's state (what Kommo holds) or the backend's widget API
 * (what the lead card shows).
 */
import type { KommoSim } from '../../test/kommo-sim/index.js';
import type { ChatMessage } from '../../test/kommo-sim/index.js';
import type { WidgetApi } from './stack.js';

export const DEMO_STAGE = { pipeline: 'Sales', status: 'Qualified' };
export const CLIENT_MESSAGES = [
  'Hi! How much does the Team plan cost, and is there a free trial?',
  'We are 12 people. It is a high priority for us: can we book a demo call tomorrow morning?',
] as const;

const SCRIPT = `Qualification script for leads in "Qualified".
1. Answer the client's question from the knowledge base, then ask about the team.
   Say: "How many people on your team will use the CRM?"
2. When the client asks for a call or a demo: create a task for the responsible manager, record the lead's
   priority if the client names it, and confirm.
   Say: "I have asked our manager to call you: you will get a confirmation shortly."
3. Otherwise, offer the free trial.
   Say: "Would you like me to start your free 14-day trial?"`;

const KNOWLEDGE = [
  {
    kind: 'faq',
    title: 'Pricing',
    question: 'How much does the Team plan cost?',
    answer: 'The Team plan costs $25 per user per month, billed monthly. Setup and onboarding are included.',
  },
  { kind: 'text', title: 'Free trial', content: 'Every plan starts with a 14-day free trial with all features. No card is needed to start.' },
  { kind: 'markdown', title: 'Onboarding', content: 'Onboarding takes about two weeks. A dedicated manager runs a kickoff call and trains your team.' },
] as const;

export interface DemoLead {
  leadId: number;
  contactName: string;
  pipelineId: number;
  statusId: number;
}

const stageOf = (sim: KommoSim) => {
  const pipeline = [...sim.state.pipelines.values()].find((p) => p.name === DEMO_STAGE.pipeline);
  const status = pipeline?._embedded.statuses.find((s) => s.name === DEMO_STAGE.status);
  if (!pipeline || !status) throw new Error(`the simulated account has no stage ${DEMO_STAGE.pipeline} › ${DEMO_STAGE.status}`);
  return { pipelineId: pipeline.id, statusId: status.id };
};

/** The demo's client and lead, put into the simulated account before the install so the first sync mirrors them. */
export function addDemoLead(sim: KommoSim): DemoLead {
  const { pipelineId, statusId } = stageOf(sim);
  const contact = sim.addContact({ name: 'Maria Lopez', first_name: 'Maria', last_name: 'Lopez' });
  const lead = sim.addLead({
    name: 'Maria Lopez: CRM for her sales team',
    pipeline_id: pipelineId,
    status_id: statusId,
    _embedded: { tags: [], contacts: [{ id: contact.id, is_main: true }], companies: [] },
  });
  return { leadId: lead.id, contactName: contact.name, pipelineId, statusId };
}

export interface SeedOptions {
  /** DEMO_FAULT=no-binding: leave the agent unbound, to prove the checks notice. */
  skipBinding?: boolean;
}

/** The agent, its script and knowledge, and its stage binding, through the widget API as an admin makes them. */
export async function seedAgent(api: WidgetApi, lead: DemoLead, opts: SeedOptions = {}) {
  const agent = (await api.must('POST', '/api/agents', {
    name: 'Ava',
    mode: 'autopilot',
    language: 'en',
    instructions:
      'You qualify new leads for our CRM product: answer from the knowledge base, find out the team size, and book a call with the responsible manager when the client wants one.',
    allowedActions: ['create_task', 'update_field', 'add_note', 'add_tags', 'handoff_to_human'],
    workingHours: { timezone: 'UTC', schedule: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])) },
    replyDelaySec: 0,
  })) as { id: number; name: string; model: string };
  const stage = { pipelineId: lead.pipelineId, statusId: lead.statusId };
  await api.must('POST', '/api/scripts', { agentId: agent.id, name: 'Qualification', body: SCRIPT, stages: [stage] });
  for (const entry of KNOWLEDGE) await api.must('POST', `/api/agents/${agent.id}/knowledge`, entry);
  if (!opts.skipBinding) await api.must('PUT', '/api/bindings', { ...stage, agentId: agent.id });

  // Read back what the widget's admin pages would show.
  const bindings = (await api.must('GET', '/api/bindings')).items as { pipelineId: number; statusId: number; agentId: number | null }[];
  const knowledge = (await api.must('GET', `/api/agents/${agent.id}/knowledge`)).items as unknown[];
  const scripts = (await api.must('GET', `/api/scripts?agentId=${agent.id}`)).items as unknown[];
  const bound = bindings.some((b) => b.pipelineId === stage.pipelineId && b.statusId === stage.statusId && b.agentId === agent.id);
  return { agent, bound, knowledge: knowledge.length, scripts: scripts.length };
}

/** The Kommo side of the setup: a Salesbot on the stage whose step is the widget's widget_request. */
export function addDemoSalesbot(sim: KommoSim, lead: DemoLead, handlerUrl: string) {
  return sim.addSalesbot({
    name: 'AI agent reply',
    stage: { pipelineId: lead.pipelineId, statusId: lead.statusId },
    // What the widget's salesbot_designer Save returns (widget/src/areas/salesbot.ts).
    widgetRequest: { url: handlerUrl, data: { lead_id: '{{lead.id}}', contact_id: '{{contact.id}}', message: '{{message_text}}', agent_id: null } },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The client writes in Telegram and the simulator delivers it (add_message + the Salesbot's widget_request);
 * resolves when the backend has continued that Salesbot run, with what the client saw.
 */
export async function clientWritesAndWaits(sim: KommoSim, leadId: number, text: string, timeoutMs: number) {
  const wrote = await sim.clientWrites(leadId, text, { origin: 'telegram' });
  const failed = [...wrote.webhooks, ...wrote.salesbots].filter((d) => d.status === null || d.status >= 300);
  if (failed.length) throw new Error(`Kommo's delivery failed: ${failed.map((d) => `${d.url} → ${d.status ?? d.error}`).join(', ')}`);
  if (wrote.webhooks.length === 0) throw new Error('no add_message destination was registered at install');
  const run = wrote.salesbots[0];
  if (!run) throw new Error('no Salesbot ran on the lead: it is not in the demo stage');
  const until = Date.now() + timeoutMs;
  while (sim.state.chats.runs.get(run.continueId)?.status !== 'continued') {
    if (Date.now() > until) throw new Error(`the Salesbot was not continued within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
  const cont = sim.state.salesbotContinues.find((c) => c.continueId === run.continueId);
  const data = ((cont?.body as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as { reply?: string; status?: string };
  const said: ChatMessage[] = sim.chatOf(leadId).filter((m) => m.author === 'bot' && m.salesbot?.continueId === run.continueId);
  return { continueId: run.continueId, data, said };
}

/** The lead as Kommo holds it now: its tasks and the text of a custom field. */
export function leadInKommo(sim: KommoSim, leadId: number, fieldName: string) {
  const lead = sim.state.leads.get(leadId);
  const field = [...sim.state.customFields.leads.values()].find((f) => f.name === fieldName);
  const value =
    lead?.custom_fields_values
      ?.find((v) => v.field_id === field?.id)
      ?.values.map((v) => String(v.value))
      .join(', ') ?? null;
  const tasks = [...sim.state.tasks.values()].filter((t) => t.entity_id === leadId && t.entity_type === 'leads');
  return { tasks, value };
}
