import type { AccessCheck } from '../../http/guards.js';
import type { ClientMailer } from '../../lib/ports.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { createInbound, type Inbound } from './inbound.service.js';
import { mailJobs } from './mail.jobs.js';
import { mailRoutes } from './mail.routes.js';
import { createTestSender } from './mail.test-send.js';
import { createMailWatcher, type MailWatcher } from './mail.watcher.js';
import { createNoteRecorder } from './outbox.note.js';
import { createOutboxRepo, type OutboxRepo } from './outbox.repo.js';
import { createOutboxSender, type OutboxSender } from './outbox.send.js';
import { createOutboxWriter, type OutboxWriter } from './outbox.writer.js';
import { createMailSettings, type MailSettings } from './settings.service.js';
import { templateRoutes } from './templates.routes.js';
import { createEmailTemplates, type EmailTemplates } from './templates.service.js';

export type MailDeps = Pick<Platform, 'env' | 'db' | 'sqlite' | 'clock' | 'queue' | 'tx' | 'bus' | 'logger' | 'encryptor'> & {
  activity: ActivityService;
  kommo: KommoServices;
  mirror: MirrorRepo;
  crm: MirrorReadRepo;
  conversations: ConversationsRepo;
  access: AccessCheck;
};

export interface MailServices {
  settings: MailSettings;
  outbox: OutboxRepo;
  writer: OutboxWriter;
  sender: OutboxSender;
  recordNote: ReturnType<typeof createNoteRecorder>;
  inbound: Inbound;
  watcher: MailWatcher;
  templates: EmailTemplates;
  sendTest: ReturnType<typeof createTestSender>;
  /** The port the agents use to email a client (joins the caller's transaction). */
  clientMail: ClientMailer;
}

/** Email: the outbox over SMTP with a note in the lead, the IMAP watcher, templates and mailbox settings. */
export function mailModule(d: MailDeps): Module<MailServices> {
  const settings = createMailSettings(d);
  const outbox = createOutboxRepo(d.db);
  const writer = createOutboxWriter({ ...d, settings });
  const inbound = createInbound({ ...d, settings, outbox });
  const watcher = createMailWatcher({ ...d, settings, inbound });
  const services: MailServices = {
    settings,
    outbox,
    writer,
    sender: createOutboxSender({ ...d, settings }),
    recordNote: createNoteRecorder(d),
    inbound,
    watcher,
    templates: createEmailTemplates(d),
    sendTest: createTestSender({ settings, clock: d.clock }),
    // Throws NOT_CONFIGURED until the account has a mailbox or the system SMTP is set.
    clientMail: { queue: (input) => ({ outboxId: writer.queue({ ...input, kind: 'client' }).id }) },
  };
  return {
    name: 'mail',
    services,
    routes: [mailRoutes(services, d.access), templateRoutes(services.templates, d.access)],
    jobs: mailJobs(services),
    start() {
      watcher.start();
      return () => watcher.stop();
    },
  };
}
