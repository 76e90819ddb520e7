import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export interface MailServerConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  /** AES-256-GCM ciphertext (server/lib/crypto.ts); never returned by the API, never logged. */
  passwordEnc: string;
  mailbox?: string;
}

/** Per-account sender mailbox. Without a row (or without smtp) the account uses the system SMTP_URL/MAIL_FROM. */
export const mailSettings = sqliteTable('mail_settings', {
  accountId: integer('account_id').primaryKey({ autoIncrement: false }),
  smtp: text('smtp', { mode: 'json' }).$type<MailServerConfig | null>(),
  imap: text('imap', { mode: 'json' }).$type<MailServerConfig | null>(),
  fromName: text('from_name'),
  fromAddress: text('from_address'),
  notificationsEnabled: integer('notifications_enabled', { mode: 'boolean' }).notNull().default(true),
  /** IMAP cursor: the mailbox's UIDVALIDITY and the highest UID already stored. */
  imapUidValidity: text('imap_uid_validity'),
  imapLastUid: integer('imap_last_uid').notNull().default(0),
  /** When this mailbox was connected: the first read takes only mail that arrived after it. */
  imapSince: integer('imap_since'),
  imapError: text('imap_error'),
  /** Messages that failed to be read, by UID: counted so one bad message cannot block the mailbox forever. */
  imapFailures: text('imap_failures', { mode: 'json' }).$type<Record<string, number>>(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Every email we send is a row here before any network call. `message_id` is fixed at queue time so a
 * re-send after a crash carries the same Message-ID; `smtp_data_at` marks that the SMTP server started
 * receiving the body (see outbox.send.ts for what that decides).
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id'),
    /** client | notification */
    kind: text('kind').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    to: text('to', { mode: 'json' }).$type<string[]>().notNull(),
    cc: text('cc', { mode: 'json' }).$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text').notNull(),
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references', { mode: 'json' }).$type<string[]>().notNull(),
    /** queued | sending | sent | failed | refused (held by the daily cap) | cancelled | bounced (a bounce came back after it was sent) */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    idempotencyKey: text('idempotency_key').notNull(),
    smtpDataAt: integer('smtp_data_at'),
    smtpResponse: text('smtp_response'),
    noteId: integer('note_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('mail_outbox_idem_uq').on(t.accountId, t.idempotencyKey),
    uniqueIndex('mail_outbox_msgid_uq').on(t.messageId),
    index('mail_outbox_lead_idx').on(t.accountId, t.leadId, t.id),
  ],
);

/** One row per notification (unique per dedupe key); rows waiting in the batch window are `pending`. */
export const mailNotifications = sqliteTable(
  'mail_notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** Kommo user id; null = the account's admins. */
    userId: integer('user_id'),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    leadId: integer('lead_id'),
    dedupeKey: text('dedupe_key').notNull(),
    /** pending | batched | skipped */
    status: text('status').notNull(),
    outboxId: integer('outbox_id'),
    skipReason: text('skip_reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('mail_notifications_dedupe_uq').on(t.accountId, t.dedupeKey),
    index('mail_notifications_pending_idx').on(t.accountId, t.userId, t.status, t.id),
  ],
);

/** Per-user notification opt-out, all of them or some kinds. No row = enabled, every kind. */
export const mailUserPrefs = sqliteTable(
  'mail_user_prefs',
  {
    accountId: integer('account_id').notNull(),
    userId: integer('user_id').notNull(),
    notificationsEnabled: integer('notifications_enabled', { mode: 'boolean' }).notNull(),
    /** Notification kinds (NotificationKind) this user gets no email for; null = none muted. */
    mutedKinds: text('muted_kinds', { mode: 'json' }).$type<string[]>(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] })],
);

/** Email templates (rules, sequences): {{ variables }} rendered by server/lib/template.ts. */
export const emailTemplates = sqliteTable(
  'email_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('email_templates_name_uq').on(t.accountId, t.name)],
);

export type MailSettingsRow = typeof mailSettings.$inferSelect;
export type OutboxRow = typeof mailOutbox.$inferSelect;
export type NotificationRow = typeof mailNotifications.$inferSelect;
export type EmailTemplateRow = typeof emailTemplates.$inferSelect;
