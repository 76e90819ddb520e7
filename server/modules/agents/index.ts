import type { AccessCheck } from '../../http/guards.js';
import type { ClientMailer, Notifier } from '../../lib/ports.js';
import type { LlmClient } from '../../llm/llm.types.js';
import { modelPolicy } from '../../llm/models.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit } from '../activity/audit.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { KommoServices } from '../kommo/index.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { agentForStage, getAgent } from './agents.repo.js';
import { agentsRoutes } from './agents.routes.js';
import { createBudgetService } from './budget.service.js';
import { createAgentsService } from './agents.service.js';
import { type AgentTriggers, subscribeAgentTriggers } from './agents.triggers.js';
import { createDeliveryService } from './delivery.service.js';
import { createHandoffService } from './handoff.service.js';
import { leadAgentRoutes } from './lead-agent.routes.js';
import { createLeadAgentService } from './lead-agent.service.js';
import { createLeadStateRepo } from './lead-state.repo.js';
import { createPlaygroundService } from './playground.service.js';
import { createRateLimiter } from './rate-limit.js';
import { createStageCountsRepo } from './stage-counts.repo.js';
import { createSuggestionService } from './suggestion.service.js';
import { turnLimits } from './turn.caps.js';
import { turnJob } from './turn.job.js';
import { createTurnService } from './turn.service.js';
import { createUsageRepo } from './usage.repo.js';
import { usageRoutes } from './usage.routes.js';

export type AgentsDeps = Pick<Platform, 'env' | 'db' | 'sqlite' | 'clock' | 'logger' | 'tx' | 'queue' | 'bus'> & {
  activity: ActivityService;
  audit: Audit;
  accounts: AccountsRepo;
  kommo: Pick<KommoServices, 'api'>;
  mirror: MirrorRepo;
  crm: MirrorReadRepo;
  conversations: ConversationsRepo;
  salesbot: SalesbotRequestsRepo;
  knowledge: KnowledgeService;
  actions: ActionsService;
  notifier: Notifier;
  clientMail: ClientMailer;
  llm: LlmClient;
  access: AccessCheck;
};

/** Every service of the agents module, built from passed dependencies (no side effects). */
export function createAgentsServices(d: Omit<AgentsDeps, 'queue' | 'bus' | 'access' | 'audit'> & { bus?: AgentsDeps['bus'] }) {
  const leadState = createLeadStateRepo(d.sqlite);
  const models = modelPolicy(d.env);
  const limits = turnLimits(d.env);
  const budget = createBudgetService({ ...d, usage: createUsageRepo(d.sqlite) });
  const delivery = createDeliveryService(d);
  const handoff = createHandoffService({ ...d, leadState });
  const turns = createTurnService({ ...d, leadState, delivery, handoff, budget, models, limits });
  const playgroundLimit = createRateLimiter(d.clock, d.env.LLM_PLAYGROUND_PER_MINUTE, 60_000);
  return {
    llm: d.llm,
    leadState,
    /** Whether an agent works the lead's stage, and whether it is paused (or handed off) on this lead. */
    stateOn(accountId: number, leadId: number, pipelineId: number | null, statusId: number | null) {
      const bound = pipelineId !== null && statusId !== null && agentForStage(d.db, accountId, pipelineId, statusId) !== undefined;
      const st = leadState.get(accountId, leadId);
      return { bound, paused: Boolean(st && (st.handoffActive || (st.pausedUntil !== null && st.pausedUntil > d.clock.now()))) };
    },
    /** Does this agent exist in the account (for references from rules and sequences). */
    exists: (accountId: number, id: number) => getAgent(d.db, accountId, id) !== undefined,
    delivery,
    handoff,
    turns,
    /** The agents' work per stage since an instant (the pipeline board's "today"). */
    stageCounts: createStageCountsRepo(d.sqlite),
    models,
    budget,
    agents: createAgentsService({ ...d, models }),
    playground: createPlaygroundService({ ...d, budget, models, limits, rateLimit: playgroundLimit }),
    leads: createLeadAgentService({ ...d, leadState, budget, models, handoff }),
    suggestions: createSuggestionService({ ...d, delivery }),
  };
}

export type AgentsServices = ReturnType<typeof createAgentsServices>;

/** AI agents per stage: their turns (model → validated actions → delivery), handoff, the lead panel and the playground. */
export function agentsModule(d: AgentsDeps): Module<AgentsServices & { proactive: AgentTriggers['proactive'] }> {
  const s = createAgentsServices(d);
  const triggers = subscribeAgentTriggers(d.bus, { db: d.db, clock: d.clock, queue: d.queue, accounts: d.accounts, crm: d.crm, leadState: s.leadState });
  return {
    name: 'agents',
    services: { ...s, proactive: triggers.proactive },
    routes: [
      agentsRoutes(s.agents, s.playground, d.access, d.audit),
      leadAgentRoutes(s.leads, s.delivery, s.suggestions, d.access),
      usageRoutes(s.budget, s.models, d.access, d.audit),
    ],
    jobs: [turnJob(s.turns)],
  };
}
