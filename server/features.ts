import type { BaseDeps } from './deps.js';
import type { ClientMailer, Notifier } from './lib/ports.js';
import type { LlmClient } from './llm/llm.types.js';
import { createKommoDeps, type KommoDeps } from './kommo/kommo.deps.js';
import { createAgentsDeps, type AgentsFeature } from './modules/agents/agents.deps.js';
import { createMailDeps, type MailDeps } from './modules/mail/mail.deps.js';
import { createMirrorRepo, type MirrorRepo } from './modules/mirror/mirror.repo.js';
import { createOAuthService, type OAuthService } from './modules/oauth/oauth.service.js';
import { createSyncService, type SyncService } from './modules/sync/sync.service.js';
import { createInbox, type Inbox } from './modules/webhooks/inbox.service.js';
import { createTriggers, type Triggers } from './modules/webhooks/triggers.service.js';

/** Services of the feature modules, built on the base dependencies. Each feature adds its own here. */
export interface FeatureDeps {
  kommo: KommoDeps;
  mirror: MirrorRepo;
  sync: SyncService;
  oauth: OAuthService;
  inbox: Inbox;
  triggers: Triggers;
  notifier: Notifier;
  clientMail: ClientMailer;
  mail: MailDeps;
  agents: AgentsFeature;
}

export function createFeatureDeps(base: BaseDeps, o: { llm?: LlmClient } = {}): FeatureDeps {
  const kommo = createKommoDeps(base);
  const mirror = createMirrorRepo(base.sqlite);
  const sync = createSyncService({ ...base, kommo, mirror });
  const oauth = createOAuthService({ ...base, kommo, sync });
  const mail = createMailDeps({ ...base, kommo, mirror });
  const notifier: Notifier = mail.notifier;
  const clientMail: ClientMailer = mail.clientMail;
  const agents = createAgentsDeps({ ...base, kommo, mirror, notifier, clientMail }, o.llm);
  return { kommo, mirror, sync, oauth, notifier, clientMail, mail, agents, inbox: createInbox(base), triggers: createTriggers(base) };
}
