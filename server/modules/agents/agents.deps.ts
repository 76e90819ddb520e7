import type { BaseDeps } from '../../deps.js';
import type { Hono } from 'hono';
import type { AppEnv } from '../../app.js';
import type { JobDefinition } from '../../jobs/worker.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { ClientMailer, Notifier } from '../../lib/ports.js';
import { createOpenAiLlm } from '../../llm/openai.js';
import type { LlmClient } from '../../llm/llm.types.js';
import { actionsRoutes } from '../actions/actions.routes.js';
import { createActionsService } from '../actions/actions.service.js';
import { createCrmRepo } from '../actions/crm.repo.js';
import { knowledgeRoutes } from '../knowledge/knowledge.routes.js';
import { createKnowledgeService } from '../knowledge/knowledge.service.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { scriptsRoutes } from '../scripts/scripts.routes.js';
import { createScriptsService } from '../scripts/scripts.service.js';
import { agentsRoutes } from './agents.routes.js';
import { createAgentsService } from './agents.service.js';
import { subscribeAgentTriggers } from './agents.triggers.js';
import { createDeliveryService } from './delivery.service.js';
import { createHandoffService } from './handoff.service.js';
import { leadAgentRoutes } from './lead-agent.routes.js';
import { createLeadAgentService } from './lead-agent.service.js';
import { createLeadStateRepo } from './lead-state.repo.js';
import { createPlaygroundService } from './playground.service.js';
import { turnJob } from './turn.job.js';
import { createTurnService } from './turn.service.js';

export type AgentsFeatureDeps = Pick<BaseDeps, 'db' | 'sqlite' | 'clock' | 'logger' | 'activity' | 'tx' | 'env'> & {
  kommo: { api(accountId: number): KommoApi };
  mirror: MirrorRepo;
  notifier: Notifier;
  clientMail: ClientMailer;
  llm: LlmClient;
};

/** Every service of the agents feature, built from passed dependencies (no side effects: see createAgentsDeps). */
export function createAgentsFeature(d: AgentsFeatureDeps) {
  const crm = createCrmRepo(d.sqlite);
  const leadState = createLeadStateRepo(d.sqlite);
  const knowledge = createKnowledgeService(d);
  const actions = createActionsService(d);
  const delivery = createDeliveryService(d);
  const handoff = createHandoffService({ ...d, crm, leadState });
  const turns = createTurnService({ ...d, crm, knowledge, leadState, actions, delivery, handoff });
  return {
    llm: d.llm,
    crm,
    leadState,
    knowledge,
    actions,
    delivery,
    handoff,
    turns,
    agents: createAgentsService({ ...d, crm, defaultModel: d.env.OPENAI_MODEL }),
    scripts: createScriptsService({ ...d, crm }),
    playground: createPlaygroundService({ ...d, crm, knowledge }),
    leads: createLeadAgentService({ ...d, crm, leadState }),
  };
}

export type AgentsFeature = ReturnType<typeof createAgentsFeature>;

/** The feature as the app runs it: the model from env (OPENAI_*) unless one is given, and the bus triggers subscribed. */
export function createAgentsDeps(
  base: BaseDeps & Omit<AgentsFeatureDeps, 'llm'>,
  llm: LlmClient = createOpenAiLlm({ apiKey: base.env.OPENAI_API_KEY, baseURL: base.env.OPENAI_BASE_URL, timeoutMs: base.env.OPENAI_TIMEOUT_MS, fetch: base.fetch }),
): AgentsFeature {
  const feature = createAgentsFeature({ ...base, llm });
  subscribeAgentTriggers(base.bus, { db: base.db, clock: base.clock, queue: base.queue, crm: feature.crm, leadState: feature.leadState });
  return feature;
}

export function agentsRouters(f: AgentsFeature): Hono<AppEnv>[] {
  return [agentsRoutes(f.agents, f.playground), scriptsRoutes(f.scripts), knowledgeRoutes(f.knowledge), leadAgentRoutes(f.leads, f.delivery), actionsRoutes(f.actions)];
}

export function agentsJobs(f: AgentsFeature): JobDefinition[] {
  return [turnJob(f.turns)];
}
