import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../lib/notification-kinds.js';
import { emailAddress, headerText, messageId } from '../../mail/address.js';

const hostName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'expected a host name or IP address');
const serverBase = z.object({
  host: hostName,
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  user: headerText(320).pipe(z.string().min(1)),
  /** Omit to keep the stored password. */
  password: z.string().min(1).max(1000).optional(),
});

const imapServer = serverBase.extend({ mailbox: headerText(200).optional() });

export const settingsBody = z.object({
  smtp: serverBase.nullable(),
  imap: imapServer.nullable().optional(),
  fromName: headerText(200).nullable().optional(),
  fromAddress: emailAddress.nullable().optional(),
  notifications: z.object({ enabled: z.boolean() }).optional(),
});
export type SettingsBody = z.infer<typeof settingsBody>;

/** POST /api/mail/settings/test: log in to one side, with the form's values (password optional: the stored one) or the stored settings. */
export const connectionTestBody = z.object({
  side: z.enum(['smtp', 'imap']),
  server: imapServer.optional(),
});
export type ConnectionTestBody = z.infer<typeof connectionTestBody>;

/** The test email goes to the requesting user's own Kommo address: a recipient in the body is refused, not used. */
export const testBody = z
  .object({})
  .passthrough()
  .superRefine((v, ctx) => {
    for (const key of Object.keys(v)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [key],
        message: key === 'to' ? 'the test email goes to your own Kommo user address; give no recipient' : 'is not a known field',
      });
    }
  });

const recipients = z.array(emailAddress).min(1).max(50);

/** The outbox writer's contract: checked at the API and again when anything (agents, rules) queues. */
export const outboxInput = z
  .object({
    accountId: z.number().int().positive(),
    leadId: z.number().int().positive().nullable(),
    to: recipients,
    cc: z.array(emailAddress).max(50).default([]),
    subject: headerText(998).pipe(z.string().min(1, 'must not be empty')),
    text: z.string().max(500_000),
    html: z.string().max(2_000_000).nullable().optional(),
    inReplyTo: messageId.nullable().optional(),
    references: z.array(messageId).max(100).default([]),
    idempotencyKey: z.string().min(1).max(200),
    kind: z.enum(['client', 'notification']).default('client'),
  })
  .refine((v) => v.text.trim() !== '' || (v.html ?? '').trim() !== '', { message: 'text or html is required', path: ['text'] });
export type OutboxInput = z.input<typeof outboxInput>;

/** POST /api/mail/outbox: an email to a client, written by a user in the widget (or a template). */
export const sendBody = z
  .object({
    leadId: z.number().int().positive().nullable(),
    to: recipients,
    cc: z.array(emailAddress).max(50).optional(),
    subject: headerText(998).optional(),
    text: z.string().max(500_000).optional(),
    html: z.string().max(2_000_000).optional(),
    templateId: z.number().int().positive().optional(),
    variables: z.record(z.union([z.string(), z.number(), z.null()])).optional(),
    inReplyTo: messageId.optional(),
    references: z.array(messageId).max(100).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((v) => v.templateId !== undefined || (v.subject !== undefined && (v.text !== undefined || v.html !== undefined)), {
    message: 'give subject and text (or html), or a templateId',
    path: ['subject'],
  });
export type SendBody = z.infer<typeof sendBody>;

export const outboxQuery = z.object({
  leadId: z.coerce.number().int().positive().optional(),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'refused', 'cancelled', 'bounced']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const leadEmailsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

export const idParam = z.object({ id: z.coerce.number().int().positive() });

export const prefsBody = z.object({
  enabled: z.boolean(),
  kinds: z.record(z.enum(NOTIFICATION_KINDS), z.boolean()).optional(),
});

export const templateBody = z.object({
  name: z.string().min(1).max(100),
  subject: headerText(998).pipe(z.string().min(1)),
  html: z.string().max(500_000).nullable().optional(),
  text: z.string().max(500_000).nullable().optional(),
});

const templateValues = z.record(z.union([z.string(), z.number(), z.null()]));
/** `leadId`: fill the lead's own values (lead.name, contact.name, …) under the ones given. */
export const previewBody = z.object({ variables: templateValues.default({}), leadId: z.number().int().positive().optional() });
/** POST /api/mail/templates/render: the editor's preview of text not saved yet. */
export const renderBody = z.object({
  subject: headerText(998).pipe(z.string().min(1)),
  html: z.string().max(500_000).nullable().optional(),
  text: z.string().max(500_000).nullable().optional(),
  variables: templateValues.default({}),
  leadId: z.number().int().positive().optional(),
});
