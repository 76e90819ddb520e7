import type { AccessCheck } from '../../http/guards.js';
import { createNetGuard, type NetGuard } from '../../lib/net-guard.js';
import type { ClientMailer } from '../../lib/ports.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit } from '../activity/audit.js';
import type { KommoServices } from '../kommo/index.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { createInbound, type Inbound } from './inbound.service.js';
import { createMailPolicyRepo } from './mail-policy.repo.js';
import { createMailDisconnect } from './mail.disconnect.js';
import { mailJobs } from './mail.jobs.js';
import { createMailPolicy, type MailPolicy } from './mail.policy.js';
import { mailRoutes } from './mail.routes.js';
import { createTestSender } from './mail.test-send.js';
import { createMailWatcher, type MailWatcher } from './mail.watcher.js';
import { createNoteRecorder } from './outbox.note.js';
import { createOutboxRepo, type OutboxRepo } from './outbox.repo.js';
import { createOutboxSender, type OutboxSender } from './outbox.send.js';
import { createOutboxService, type SendFromWidget } from './outbox.service.js';
import { createOutboxWriter, type OutboxWriter } from './outbox.writer.js';
import { createMailSettings, type MailSettings } from './settings.service.js';
import { createConnectionTest, type ConnectionTest } from './settings.test-conn.js';
import { createLeadEmailsRepo, type LeadEmailsRepo } from './lead-emails.repo.js';
import { templateRoutes } from './templates.routes.js';
import { createEmailTemplates, type EmailTemplates } from './templates.service.js';

export type MailDeps = Pick<Platform, 'env' | 'db' | 'sqlite' | 'clock' | 'queue' | 'tx' | 'bus' | 'logger' | 'encryptor'> & {
  activity: ActivityService;
  audit: Audit;
  kommo: KommoServices;
  mirror: MirrorRepo;
  crm: MirrorReadRepo;
  conversations: ConversationsRepo;
  access: AccessCheck;
  /** Only `status === 'disconnected'` (uninstalled) stops mail: an account waiting for re-authorization still notifies its admins. */
  accounts: { byId(accountId: number): { status: string } | undefined; settings(accountId: number): Record<string, unknown> };
};

export interface MailServices {
  settings: MailSettings;
  policy: MailPolicy;
  /** Every connection to a tenant's mailbox host goes through it (MAIL_ALLOW_PRIVATE_HOSTS). */
  guard: NetGuard;
  outbox: OutboxRepo;
  writer: OutboxWriter;
  sender: OutboxSender;
  recordNote: ReturnType<typeof createNoteRecorder>;
  inbound: Inbound;
  watcher: MailWatcher;
  templates: EmailTemplates;
  sendTest: ReturnType<typeof createTestSender>;
  sendFromWidget: SendFromWidget;
  /** "Test connection" per side of the mailbox form, and the IMAP folder list. */
  connectionTest: ConnectionTest;
  leadEmails: LeadEmailsRepo;
  /** The port the agents use to email a client (joins the caller's transaction). */
  clientMail: ClientMailer;
}

/** Email: the outbox over SMTP with a note in the lead, the IMAP watcher, templates and mailbox settings. */
export function mailModule(d: MailDeps): Module<MailServices> {
  const guard = createNetGuard({ allowPrivate: d.env.MAIL_ALLOW_PRIVATE_HOSTS });
  const settings = createMailSettings({ ...d, guard });
  const policy = createMailPolicy({ ...d, repo: createMailPolicyRepo(d.sqlite) });
  const outbox = createOutboxRepo(d.db);
  const writer = createOutboxWriter({ ...d, settings, policy });
  const inbound = createInbound({ ...d, settings, outbox });
  const watcher = createMailWatcher({ ...d, settings, inbound, guard });
  const templates = createEmailTemplates(d);
  const services: MailServices = {
    settings,
    policy,
    guard,
    outbox,
    writer,
    sender: createOutboxSender({ ...d, settings, policy, guard }),
    recordNote: createNoteRecorder(d),
    inbound,
    watcher,
    templates,
    sendTest: createTestSender({ settings, policy, clock: d.clock, accountSettings: (accountId) => d.accounts.settings(accountId) }),
    connectionTest: createConnectionTest({ ...d, guard }),
    leadEmails: createLeadEmailsRepo(d.sqlite),
    sendFromWidget: createOutboxService({ settings, policy, writer, templates, access: d.access }),
    // The agents' replies: the account's own mailbox only (NOT_CONFIGURED without one: the agent drafts instead);
    // over the daily cap the reply is kept as `refused` in the outbox, and the per-minute rate applies at sending.
    clientMail: { queue: (input) => ({ outboxId: writer.queue({ ...input, kind: 'client' }).id }) },
  };
  const onDisconnected = createMailDisconnect({ ...d, settings, watcher });
  d.bus.on('account.disconnected', ({ accountId }) => onDisconnected(accountId));
  return {
    name: 'mail',
    services,
    routes: [mailRoutes(services, d.access, d.audit), templateRoutes(services.templates, d.access, d.audit)],
    jobs: mailJobs(services),
    start() {
      watcher.start();
      return () => watcher.stop();
    },
  };
}
