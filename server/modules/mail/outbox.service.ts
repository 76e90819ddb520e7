import { randomUUID } from 'node:crypto';
import type { OutboxRow } from '../../../db/schema/index.js';
import type { AccessCheck } from '../../http/guards.js';
import type { WidgetAuth } from '../../http/env.js';
import { AppError } from '../../lib/errors.js';
import type { SendBody } from './mail.schemas.js';
import type { MailPolicy } from './mail.policy.js';
import { mailText } from './mail.texts.js';
import type { OutboxWriter } from './outbox.writer.js';
import type { MailSettings } from './settings.service.js';
import type { EmailTemplates } from './templates.service.js';

/**
 * POST /api/mail/outbox: a person in the widget emails a client. Any salesperson can replay the widget's
 * requests, so every rule is checked here on the server, and each refusal is a 4xx and an activity entry:
 * - the account's own mailbox must be set (the operator's SMTP never carries client email);
 * - the recipients are the lead's contacts' addresses, unless an administrator writes (an admin may also
 *   write without a lead, to any address);
 * - the account's daily recipient cap and per-minute rate (checked by the writer, in its transaction).
 */
export function createOutboxService(deps: {
  settings: MailSettings;
  policy: MailPolicy;
  writer: OutboxWriter;
  templates: EmailTemplates;
  access: AccessCheck;
}) {
  const { policy } = deps;

  return async function sendFromWidget(auth: WidgetAuth, b: SendBody): Promise<OutboxRow> {
    const { accountId, userId } = auth;
    if (b.leadId === null || b.leadId === undefined) await deps.access.requireAdmin(auth);
    else await deps.access.requireLeadEdit(auth, b.leadId);
    const content =
      b.templateId !== undefined
        ? deps.templates.render(accountId, b.templateId, b.variables ?? {}, b.leadId ?? undefined)
        : { subject: b.subject!, text: b.text ?? '', html: b.html ?? null };
    const cc = b.cc ?? [];
    const refuse = (err: AppError, reason: Parameters<MailPolicy['recordRefusal']>[0]['reason']) => {
      policy.recordRefusal({ accountId, leadId: b.leadId, userId, reason, detail: err.message, subject: content.subject, to: b.to });
      return err;
    };
    if (!deps.settings.accountSender(accountId)) {
      throw refuse(new AppError('CONFLICT', mailText.noMailbox, { meta: { reason: 'no_mailbox' } }), 'no_mailbox');
    }
    if (b.leadId !== null && b.leadId !== undefined && !(await deps.access.isAdmin(auth))) {
      const strangers = policy.notLeadContacts(accountId, b.leadId, b.to, cc);
      if (strangers.length) {
        const detail = `Not a contact of lead ${b.leadId}: ${strangers.map((e) => e.field).join(', ')} ${mailText.notLeadContact}`;
        throw refuse(new AppError('VALIDATION_FAILED', detail, { errors: strangers, meta: { reason: 'not_lead_contact' } }), 'not_lead_contact');
      }
    }
    return deps.writer.queue(
      {
        accountId,
        leadId: b.leadId,
        to: b.to,
        cc,
        subject: content.subject,
        text: content.text,
        html: content.html,
        inReplyTo: b.inReplyTo ?? null,
        references: b.references ?? [],
        idempotencyKey: b.idempotencyKey ?? `api:${randomUUID()}`,
        kind: 'client',
      },
      { fromPerson: true },
    );
  };
}

export type SendFromWidget = ReturnType<typeof createOutboxService>;
