import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import type { Notifier } from '../../lib/ports.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { OutboxWriter } from '../mail/outbox.writer.js';
import type { MailSettings } from '../mail/settings.service.js';
import { notificationRoutes } from './notify.routes.js';
import { createNotifications, NOTIFY_QUEUE, type Notifications } from './notify.service.js';

export type NotificationsDeps = Pick<Platform, 'db' | 'clock' | 'queue' | 'tx' | 'env' | 'bus'> & {
  activity: ActivityService;
  accounts: Pick<AccountsRepo, 'settings'>;
  settings: MailSettings;
  writer: OutboxWriter;
};
export interface NotificationsServices {
  notifications: Notifications;
  /** The port other modules use to tell a Kommo user something (batched into emails). */
  notifier: Notifier;
}

/** Notification emails to Kommo users: batched per user, with an opt-out. */
export function notificationsModule(d: NotificationsDeps): Module<NotificationsServices> {
  const notifications = createNotifications(d);
  return {
    name: 'notifications',
    services: { notifications, notifier: notifications.notifier },
    routes: [notificationRoutes(notifications)],
    jobs: [
      defineJob({
        queue: NOTIFY_QUEUE,
        payload: z.object({ accountId: z.number().int(), userId: z.number().int().nullable() }),
        handle: async ({ accountId, userId }) => notifications.flush(accountId, userId),
      }),
    ],
  };
}
