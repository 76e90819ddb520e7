import type { BaseDeps } from '../../deps.js';
import type { ClientMailer, Notifier } from '../../lib/ports.js';
import type { KommoDeps } from '../../kommo/kommo.deps.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { createNotifications, type Notifications } from '../notifications/notify.service.js';
import { createInbound, type Inbound } from './inbound.service.js';
import { createTestSender } from './mail.test-send.js';
import { createMailWatcher, type MailWatcher } from './mail.watcher.js';
import { createNoteRecorder } from './outbox.note.js';
import { createOutboxSender, type OutboxSender } from './outbox.send.js';
import { createOutboxWriter, type OutboxWriter } from './outbox.writer.js';
import { createMailSettings, type MailSettings } from './settings.service.js';
import { createEmailTemplates, type EmailTemplates } from './templates.service.js';

export interface MailDeps {
  settings: MailSettings;
  writer: OutboxWriter;
  sender: OutboxSender;
  recordNote: ReturnType<typeof createNoteRecorder>;
  notifications: Notifications;
  inbound: Inbound;
  watcher: MailWatcher;
  templates: EmailTemplates;
  sendTest: ReturnType<typeof createTestSender>;
  notifier: Notifier;
  clientMail: ClientMailer;
}

export function createMailDeps(base: BaseDeps & { kommo: KommoDeps; mirror: MirrorRepo }): MailDeps {
  const settings = createMailSettings(base);
  const writer = createOutboxWriter({ ...base, settings });
  const notifications = createNotifications({ ...base, settings, writer });
  const inbound = createInbound({ ...base, settings });
  const clientMail: ClientMailer = {
    // Throws NOT_CONFIGURED until the account has a mailbox or the system SMTP is set.
    queue: (input) => ({ outboxId: writer.queue({ ...input, kind: 'client' }).id }),
  };
  return {
    settings,
    writer,
    sender: createOutboxSender({ ...base, settings }),
    recordNote: createNoteRecorder(base),
    notifications,
    inbound,
    watcher: createMailWatcher({ ...base, settings, inbound }),
    templates: createEmailTemplates(base),
    sendTest: createTestSender({ settings, clock: base.clock }),
    notifier: notifications.notifier,
    clientMail,
  };
}
