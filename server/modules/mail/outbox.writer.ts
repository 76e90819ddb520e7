import { randomUUID } from 'node:crypto';
import type { OutboxRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import { domainOf } from '../../mail/address.js';
import { htmlToText, replySubject } from '../../mail/compose.js';
import { conflict, notConfigured, notFound, validationError } from '../../lib/errors.js';
import { outboxInput, type OutboxInput } from './mail.schemas.js';
import { insertOutbox, outboxById, outboxByKey, updateOutbox } from './outbox.repo.js';
import type { MailSettings } from './settings.service.js';

export const MAIL_SEND_QUEUE = 'mail.send';

/**
 * The one way an email enters the system. Synchronous, so it joins the caller's transaction: the row
 * and its send job commit together with whatever decided to send it. The Message-ID is fixed here.
 */
export function createOutboxWriter(deps: Pick<Platform, 'db' | 'clock' | 'queue' | 'tx'> & { settings: MailSettings }) {
  const { db, clock, queue } = deps;
  return {
    queue(input: OutboxInput): OutboxRow {
      const parsed = outboxInput.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error, 'email', 'VALIDATION_FAILED');
      const v = parsed.data;
      const sender = deps.settings.sender(v.accountId);
      if (!sender) throw notConfigured('Email', ['SMTP_URL', 'MAIL_FROM', '(or the account mailbox: PUT /api/mail/settings)']);
      return deps.tx(() => {
        const existing = outboxByKey(db, v.accountId, v.idempotencyKey);
        if (existing) return existing;
        const now = clock.now();
        // A reply threads under the message it answers: References ends with In-Reply-To, the subject starts with "Re: ".
        const references = [...new Set([...v.references, ...(v.inReplyTo ? [v.inReplyTo] : [])])];
        const row = insertOutbox(db, {
          accountId: v.accountId,
          leadId: v.leadId,
          kind: v.kind,
          fromAddress: sender.from.address,
          fromName: sender.from.name,
          to: v.to,
          cc: v.cc,
          subject: v.inReplyTo ? replySubject(v.subject) : v.subject,
          html: v.html ?? null,
          text: v.text.trim() !== '' ? v.text : htmlToText(v.html ?? ''),
          messageId: `<${randomUUID()}@${domainOf(sender.from.address)}>`,
          inReplyTo: v.inReplyTo ?? null,
          references,
          status: 'queued',
          idempotencyKey: v.idempotencyKey,
          createdAt: now,
          updatedAt: now,
        });
        queue.enqueue({ queue: MAIL_SEND_QUEUE, accountId: v.accountId, payload: { outboxId: row.id }, idempotencyKey: `outbox:${row.id}`, maxAttempts: 6 });
        return row;
      });
    },

    /**
     * A person sends a failed email again (same Message-ID, so threading holds). This is the only way an
     * "uncertain" email is resent: the risk of a duplicate is then a human decision.
     */
    retry(accountId: number, id: number): OutboxRow {
      return deps.tx(() => {
        const row = outboxById(db, id);
        if (!row || row.accountId !== accountId) throw notFound(`Email ${id}`);
        if (row.status !== 'failed') throw conflict(`Email ${id} is ${row.status}; only a failed email can be retried`);
        const now = clock.now();
        updateOutbox(db, id, { status: 'queued', smtpDataAt: null, updatedAt: now });
        queue.enqueue({ queue: MAIL_SEND_QUEUE, accountId, payload: { outboxId: id }, idempotencyKey: `outbox:${id}:retry:${now}`, maxAttempts: 6 });
        return outboxById(db, id)!;
      });
    },
  };
}

export type OutboxWriter = ReturnType<typeof createOutboxWriter>;
