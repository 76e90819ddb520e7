import type { LlmClient } from './llm/llm.types.js';
import { createOpenAiLlm } from './llm/openai.js';
import type { Module } from './module.js';
import { accessModule } from './modules/access/index.js';
import { accountsModule } from './modules/accounts/index.js';
import { actionsModule } from './modules/actions/index.js';
import { activityModule } from './modules/activity/index.js';
import { agentsModule } from './modules/agents/index.js';
import { PAUSED_INDEFINITELY } from './modules/agents/lead-state.repo.js';
import { conversationsModule } from './modules/conversations/index.js';
import { healthModule } from './modules/health/index.js';
import { languageModule } from './modules/language/index.js';
import { kommoModule, type KommoServices } from './modules/kommo/index.js';
import { knowledgeModule } from './modules/knowledge/index.js';
import { mailModule } from './modules/mail/index.js';
import { mirrorModule } from './modules/mirror/index.js';
import { notificationsModule } from './modules/notifications/index.js';
import { oauthModule } from './modules/oauth/index.js';
import { retentionModule } from './modules/retention/index.js';
import { rulesModule } from './modules/rules/index.js';
import { scriptsModule } from './modules/scripts/index.js';
import { sequencesModule } from './modules/sequences/index.js';
import { setupModule } from './modules/setup/index.js';
import { stagesModule } from './modules/stages/index.js';
import { qualityModule } from './modules/quality/index.js';
import { syncModule } from './modules/sync/index.js';
import { webhooksModule } from './modules/webhooks/index.js';
import { defaultWorkingHours, isTimeZone, startOfDay } from './lib/working-hours.js';
import { accountLanguage } from './lib/i18n.js';
import type { Platform } from './platform.js';

export interface ModuleOptions {
  /** The model the agents call; OpenAI (OPENAI_*) by default. */
  llm?: LlmClient;
}

/**
 * The one composition root: every module, built in dependency order from the platform and the
 * services of the modules before it. Only index.ts, the scripts and the test helpers import this.
 */
export function createModules(p: Platform, o: ModuleOptions = {}) {
  const accounts = accountsModule(p);
  const health = healthModule({ ...p, accounts: accounts.services.accounts });
  const mirror = mirrorModule(p);
  // Access checks read users from Kommo when they are stale, and the Kommo module logs to the activity feed,
  // whose routes check access: the one late-bound reference breaks that circle (resolved before any request).
  let kommoApi: KommoServices['api'] | undefined;
  const access = accessModule({ ...p, crm: mirror.services.read, mirror: mirror.services.mirror, kommo: { api: (id) => kommoApi!(id) } });
  const activity = activityModule({ ...p, access: access.services.access, userName: (accountId, userId) => mirror.services.read.userName(accountId, userId) });
  const base = {
    ...p,
    activity: activity.services.activity,
    audit: activity.services.audit,
    accounts: accounts.services.accounts,
    access: access.services.access,
  };
  const language = languageModule(base);
  const kommo = kommoModule(base);
  kommoApi = kommo.services.api;
  const conversations = conversationsModule(p);
  const withKommo = {
    ...base,
    kommo: kommo.services,
    mirror: mirror.services.mirror,
    crm: mirror.services.read,
    records: mirror.services.records,
    conversations: conversations.services.conversations,
    salesbot: conversations.services.salesbot,
  };
  const sync = syncModule(withKommo);
  const oauth = oauthModule({ ...withKommo, sync: sync.services.sync });
  const mail = mailModule(withKommo);
  const notifications = notificationsModule({ ...base, settings: mail.services.settings, writer: mail.services.writer });
  const webhooks = webhooksModule({ ...withKommo, notifier: notifications.services.notifier });
  const knowledge = knowledgeModule({ ...p, access: access.services.access, audit: activity.services.audit });
  const scripts = scriptsModule({ ...p, crm: mirror.services.read, access: access.services.access, audit: activity.services.audit });
  const actions = actionsModule(withKommo);
  const llm = o.llm ?? createOpenAiLlm({ apiKey: p.env.OPENAI_API_KEY, baseURL: p.env.OPENAI_BASE_URL, timeoutMs: p.env.OPENAI_TIMEOUT_MS, fetch: p.fetch });
  const agents = agentsModule({
    ...withKommo,
    knowledge: knowledge.services.knowledge,
    actions: actions.services.actions,
    notifier: notifications.services.notifier,
    clientMail: mail.services.clientMail,
    llm,
  });
  const sequences = sequencesModule({
    ...withKommo,
    actions: actions.services.actions,
    exists: {
      template: (accountId, id) => mail.services.templates.list(accountId).some((t) => t.id === id),
      agent: (accountId, id) => agents.services.exists(accountId, id),
    },
    ports: {
      templates: mail.services.templates,
      clientMail: mail.services.clientMail,
      agents: {
        followup: (accountId, leadId, input) => agents.services.proactive(accountId, leadId, { reason: 'followup', ...input }),
      },
      account: (accountId) => {
        const s = accounts.services.accounts.settings(accountId);
        const timezone = typeof s.timezone === 'string' && isTimeZone(s.timezone) ? s.timezone : 'UTC';
        return { timezone, hours: defaultWorkingHours(timezone), language: accountLanguage(s) };
      },
      lastInbound: (accountId, leadId) => conversations.services.conversations.lastInbound(accountId, leadId),
    },
  });
  const rules = rulesModule({
    ...withKommo,
    actions: actions.services.actions,
    llm,
    agentState: agents.services.stateOn,
    exists: {
      template: (accountId, id) => mail.services.templates.list(accountId).some((t) => t.id === id),
      sequence: (accountId, id) => sequences.services.sequences.list(accountId).some((x) => x.id === id),
    },
    ports: {
      templates: mail.services.templates,
      clientMail: mail.services.clientMail,
      notifier: notifications.services.notifier,
      agents: {
        pause: (accountId, leadId, until, reason) => agents.services.leadState.pause(accountId, leadId, until ?? PAUSED_INDEFINITELY, reason, p.clock.now()),
        resume: (accountId, leadId) => agents.services.leadState.resume(accountId, leadId, p.clock.now()),
        reply: (accountId, leadId, agentId, key) => agents.services.proactive(accountId, leadId, { reason: 'rule', key, agentId }),
      },
      sequences: {
        enroll: (accountId, sequenceId, leadId, by) => sequences.services.sequences.enroll(accountId, sequenceId, leadId, by),
        stop: (accountId, leadId, sequenceId, reason) => sequences.services.sequences.stopLead(accountId, leadId, sequenceId, reason),
      },
    },
  });
  // How a reply can reach a client: the Salesbot whose widget step reached us (or an admin chose), the mailbox.
  // The checklist and the pipeline board read the same facts.
  const salesbotBotId = (accountId: number) => {
    const id = Number(accounts.services.accounts.settings(accountId).salesbotBotId);
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  };
  const mailboxReady = (accountId: number) => mail.services.settings.get(accountId).smtp !== null;
  const accountTimezone = (accountId: number) => {
    const tz = accounts.services.accounts.settings(accountId).timezone;
    return typeof tz === 'string' && isTimeZone(tz) ? tz : 'UTC';
  };
  const setup = setupModule({
    ports: {
      connection: (accountId) => {
        const st = sync.services.sync.status(accountId);
        return { state: st.connection.state, syncState: st.sync.state, lastSyncAt: st.sync.finishedAt };
      },
      boundStages: (accountId) => agents.services.agents.bindings(accountId).filter((b) => b.agentId !== null).length,
      salesbotBotId,
      mailbox: (accountId) => ({ configured: mailboxReady(accountId) }),
      llm: (accountId) => {
        const b = agents.services.budget.state(accountId);
        return { keySet: Boolean(p.env.OPENAI_API_KEY), budgetExhausted: b.exhausted, limitUsd: b.limit.usd, usedUsd: b.used.costUsd };
      },
    },
  });
  const quality = qualityModule({
    ...p,
    access: access.services.access,
    agents: (accountId) => agents.services.agents.list(accountId).map((a) => ({ id: a.id, name: a.name, mode: a.mode, replyDelaySec: a.replyDelaySec })),
    stages: (accountId) => mirror.services.read.catalog(accountId).stages,
  });
  const stages = stagesModule({
    ports: {
      pipelines: (accountId) => mirror.services.read.pipelines(accountId),
      bindings: (accountId) => agents.services.agents.bindings(accountId),
      agents: (accountId) => agents.services.agents.list(accountId),
      scripts: (accountId) => scripts.services.scripts.list(accountId),
      knowledge: (accountId, agentId) => knowledge.services.knowledge.list(accountId, agentId),
      rules: (accountId) => rules.services.rules.list(accountId),
      sequences: (accountId) => sequences.services.sequences.list(accountId),
      channels: (accountId) => ({ salesbot: salesbotBotId(accountId) !== null, mailbox: mailboxReady(accountId) }),
      today: (accountId) => {
        const since = startOfDay(p.clock.now(), accountTimezone(accountId));
        return { since: new Date(since).toISOString(), counts: agents.services.stageCounts.since(accountId, since) };
      },
      leads: (accountId, pipelineId, statusId) =>
        mirror.services.read.openLeadIds(accountId, pipelineId, statusId, 20).map((id) => ({ id, name: mirror.services.read.leadName(accountId, id) })),
      quality: (accountId, at, agentId) => quality.services.quality.stage(accountId, at, agentId),
    },
  });
  const retention = retentionModule(p);
  return {
    health,
    access,
    activity,
    accounts,
    language,
    kommo,
    mirror,
    conversations,
    sync,
    oauth,
    mail,
    notifications,
    webhooks,
    knowledge,
    scripts,
    actions,
    agents,
    sequences,
    rules,
    setup,
    stages,
    quality,
    retention,
  };
}

export type AppModules = ReturnType<typeof createModules>;

export const moduleList = (m: AppModules): Module[] => Object.values(m);
