import type { Notifier } from '../../lib/ports.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { createInbox, type Inbox } from './inbox.service.js';
import { createTriggers, type Triggers } from './triggers.service.js';
import { webhookJobs } from './webhooks.jobs.js';
import { webhookRoutes } from './webhooks.routes.js';

export type WebhooksDeps = Pick<Platform, 'env' | 'sqlite' | 'stmt' | 'clock' | 'queue' | 'tx' | 'groupTx' | 'bus' | 'logger'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: KommoServices;
  mirror: MirrorRepo;
  notifier: Notifier;
};
export interface WebhooksServices {
  inbox: Inbox;
  triggers: Triggers;
}

/** What Kommo sends us: the durable inbox, Digital Pipeline and Salesbot triggers, and the handlers per event family. */
export function webhooksModule(d: WebhooksDeps): Module<WebhooksServices> {
  const inbox = createInbox(d);
  const triggers = createTriggers(d);
  return { name: 'webhooks', services: { inbox, triggers }, routes: [webhookRoutes(inbox, triggers)], jobs: webhookJobs(d) };
}
