import type { AdminCheck } from '../../http/guards.js';
import { RateLimiter } from '../../http/rate-limit.js';
import type { Notifier } from '../../lib/ports.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import type { RecordsRepo } from '../mirror/records.repo.js';
import { createBurstsRepo } from './bursts.repo.js';
import { createInboxRepo } from './inbox.repo.js';
import { createInbox, type Inbox } from './inbox.service.js';
import { createTriggers, type Triggers } from './triggers.service.js';
import { createProcessing } from './processing.service.js';
import { webhookJobs } from './webhooks.jobs.js';
import { webhookRoutes } from './webhooks.routes.js';

export type WebhooksDeps = Pick<Platform, 'env' | 'sqlite' | 'clock' | 'queue' | 'tx' | 'groupTx' | 'bus' | 'logger' | 'metrics'> & {
  accounts: AccountsRepo;
  access: AdminCheck;
  activity: ActivityService;
  kommo: Pick<KommoServices, 'api' | 'ownWrites'>;
  mirror: MirrorRepo;
  records: RecordsRepo;
  crm: MirrorReadRepo;
  conversations: ConversationsRepo;
  salesbot: SalesbotRequestsRepo;
  notifier: Notifier;
};
export interface WebhooksServices {
  inbox: Inbox;
  triggers: Triggers;
}

/** What Kommo sends us: the durable inbox, Digital Pipeline and Salesbot triggers, and the handlers per event family. */
export function webhooksModule(d: WebhooksDeps): Module<WebhooksServices> {
  const inboxRepo = createInboxRepo(d.sqlite);
  const inbox = createInbox({ ...d, inbox: inboxRepo });
  const limiter = new RateLimiter({ clock: d.clock, maxKeys: d.env.RATE_LIMIT_MAX_KEYS });
  const triggers = createTriggers({ ...d, inbox: inboxRepo, limiter });
  const processing = createProcessing({
    ...d,
    inbox: inboxRepo,
    read: d.crm,
    ownWrites: d.kommo.ownWrites,
    bursts: createBurstsRepo(d.sqlite),
  });
  return { name: 'webhooks', services: { inbox, triggers }, routes: [webhookRoutes(inbox, triggers, d.access)], jobs: webhookJobs(processing) };
}
