import type { AccessCheck } from '../../http/guards.js';
import type { LlmClient } from '../../llm/llm.types.js';
import { createNetGuard } from '../../lib/net-guard.js';
import { defaultWorkingHours } from '../../lib/working-hours.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit } from '../activity/audit.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { RecordsRepo } from '../mirror/records.repo.js';
import { createRunner, type RulePorts } from './rules.actions.js';
import { createEngine, type RulesEngine } from './rules.engine.js';
import { rulesJobs } from './rules.jobs.js';
import { createProjection } from './rules.projection.js';
import { createRulesRepo } from './rules.repo.js';
import { rulesRoutes } from './rules.routes.js';
import { createRulesService, type RulesService } from './rules.service.js';
import { createTimers } from './rules.timers.js';
import { subscribeRuleTriggers } from './rules.triggers.js';
import { createWebhookSender } from './rules.webhook.js';

export type RulesDeps = Pick<Platform, 'env' | 'db' | 'clock' | 'queue' | 'tx' | 'bus' | 'logger'> & {
  activity: ActivityService;
  audit: Audit;
  accounts: AccountsRepo;
  access: AccessCheck;
  kommo: Pick<KommoServices, 'api'>;
  crm: MirrorReadRepo;
  records: RecordsRepo;
  conversations: ConversationsRepo;
  actions: ActionsService;
  llm: LlmClient;
  /** Is an agent bound to the lead's stage, and is it paused on this lead. */
  agentState(accountId: number, leadId: number, pipelineId: number | null, statusId: number | null): { bound: boolean; paused: boolean };
  ports: RulePorts;
  exists: { template(accountId: number, id: number): boolean; sequence(accountId: number, id: number): boolean };
};

export interface RulesServices {
  rules: RulesService;
  engine: RulesEngine;
}

/** Rules per account or stage: trigger → conditions → actions, with a trace of every verdict, a dry run and loop protection. */
export function rulesModule(d: RulesDeps): Module<RulesServices> {
  const repo = createRulesRepo(d.db);
  const timezone = (accountId: number) => d.accounts.settings(accountId).timezone ?? 'UTC';
  const engine = createEngine({
    clock: d.clock,
    queue: d.queue,
    repo,
    crm: d.crm,
    agentState: d.agentState,
    workingHours: (accountId) => defaultWorkingHours(timezone(accountId)),
    maxDepth: d.env.RULES_MAX_DEPTH,
  });
  const projection = createProjection({ tx: d.tx, repo, activity: d.activity });
  /** Before a read: a catch-up that fails is logged and the read serves what is there (the job retries it). */
  const catchUpForRead = (accountId: number) => {
    try {
      projection.catchUp(accountId);
    } catch (err) {
      d.logger.error({ err, accountId }, 'rules: writing pending feed entries and history failed');
    }
  };
  // The feed writes the rules' pending entries before it is read.
  d.activity.addSource(catchUpForRead);
  const rules = createRulesService({
    clock: d.clock,
    tx: d.tx,
    catchUp: catchUpForRead,
    queue: d.queue,
    repo,
    engine,
    crm: d.crm,
    activity: d.activity,
    audit: d.audit,
    timezone,
    exists: d.exists,
    webhooksAllowPrivate: d.env.RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS,
  });
  const webhook = createWebhookSender({
    clock: d.clock,
    guard: createNetGuard({ allowPrivate: d.env.RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS }),
    allowPrivate: d.env.RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS,
    timeoutMs: d.env.RULES_WEBHOOK_TIMEOUT_MS,
    key: d.env.ENCRYPTION_KEY,
  });
  const runner = createRunner({ clock: d.clock, tx: d.tx, bus: d.bus, repo, crm: d.crm, actions: d.actions, kommo: d.kommo, ports: d.ports, webhook });
  const timers = createTimers({
    clock: d.clock,
    queue: d.queue,
    tx: d.tx,
    engine,
    repo,
    service: rules,
    crm: d.crm,
    records: d.records,
    lastClientMessageAt: (accountId, leadId) => d.conversations.lastInboundAt(accountId, leadId),
    llm: d.llm,
    model: d.env.OPENAI_MODEL,
    scheduleLeadLimit: d.env.RULES_SCHEDULE_LEAD_LIMIT,
  });
  subscribeRuleTriggers(d.bus, { engine, repo, queue: d.queue, clock: d.clock, texts: (accountId, ids) => d.conversations.texts(accountId, ids) });
  return { name: 'rules', services: { rules, engine }, routes: [rulesRoutes(rules, d.access, webhook)], jobs: rulesJobs(runner, timers, projection) };
}
