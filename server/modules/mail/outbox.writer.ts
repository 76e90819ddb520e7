import { randomUUID } from 'node:crypto';
import type { OutboxRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import { domainOf } from '../../mail/address.js';
import { htmlToText, replySubject } from '../../mail/compose.js';
import { AppError, conflict, notFound, validationError } from '../../lib/errors.js';
import { outboxInput, type OutboxInput } from './mail.schemas.js';
import type { MailPolicy, QuotaRefusal } from './mail.policy.js';
import { mailText } from './mail.texts.js';
import { cancelOneOutbox, insertOutbox, outboxById, outboxByKey, updateOutbox } from './outbox.repo.js';
import type { MailSettings } from './settings.service.js';

export const MAIL_SEND_QUEUE = 'mail.send';

export interface QueueOptions {
  /**
   * A person's request (the widget API): over the daily cap or the per-minute rate it is refused with a
   * 429. Otherwise (an agent's reply) the email is kept as `refused` over the daily cap (visible, and
   * retryable by hand), and the per-minute rate is applied when it is sent.
   */
  fromPerson?: boolean;
}

export const quotaError = (q: QuotaRefusal) => new AppError('RATE_LIMITED', q.message, { meta: { reason: q.reason } });

/**
 * The one way an email enters the system. Synchronous, so it joins the caller's transaction: the row
 * and its send job commit together with whatever decided to send it. The Message-ID is fixed here.
 */
export function createOutboxWriter(
  deps: Pick<Platform, 'db' | 'clock' | 'queue' | 'tx'> & {
    settings: MailSettings;
    policy: MailPolicy;
    activity: ActivityService;
    /** Only `status === 'disconnected'` (uninstalled) stops mail: an account waiting for re-authorization still notifies its admins. */
    accounts: { byId(accountId: number): { status: string } | undefined };
  },
) {
  const { db, clock, queue } = deps;
  return {
    queue(input: OutboxInput, opts: QueueOptions = {}): OutboxRow {
      const parsed = outboxInput.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error, 'email', 'VALIDATION_FAILED');
      const v = parsed.data;
      if (deps.accounts.byId(v.accountId)?.status === 'disconnected')
        throw new AppError('CONFLICT', mailText.disconnected, { meta: { reason: 'disconnected' } });
      const sender = deps.settings.sender(v.accountId, v.kind);
      // NOT_CONFIGURED is what the agents' delivery falls back to a draft on.
      if (!sender) {
        throw v.kind === 'client'
          ? new AppError('NOT_CONFIGURED', mailText.noMailbox, { meta: { reason: 'no_mailbox' } })
          : new AppError('NOT_CONFIGURED', 'Email is not configured: set SMTP_URL and MAIL_FROM, or the account mailbox (PUT /api/mail/settings)');
      }
      if (v.kind === 'notification') {
        const strangers = deps.policy.notKommoUsers(v.accountId, v.to, v.cc);
        if (strangers.length) {
          throw new AppError('VALIDATION_FAILED', mailText.notificationsOnlyToUsers(strangers.map((e) => e.field)), {
            errors: strangers,
          });
        }
      }
      // Converting HTML is linear but not free: it is done before the transaction.
      const text = v.text.trim() !== '' ? v.text : htmlToText(v.html ?? '');
      const recipients = v.to.length + v.cc.length;
      const result = deps.tx((): { row: OutboxRow } | { refused: QuotaRefusal } => {
        const existing = outboxByKey(db, v.accountId, v.idempotencyKey);
        if (existing) return { row: existing };
        const over = v.kind === 'client' ? deps.policy.checkQueue(v.accountId, recipients, { perMinute: Boolean(opts.fromPerson) }) : null;
        if (over && opts.fromPerson) return { refused: over };
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
          text,
          messageId: `<${randomUUID()}@${domainOf(sender.from.address)}>`,
          inReplyTo: v.inReplyTo ?? null,
          references,
          status: over ? 'refused' : 'queued',
          idempotencyKey: v.idempotencyKey,
          createdAt: now,
          updatedAt: now,
        });
        if (over) {
          const reason = mailText.heldByDailyCap(deps.policy.cap);
          updateOutbox(db, row.id, { lastError: reason });
          deps.activity.write({
            accountId: v.accountId,
            leadId: v.leadId,
            type: 'email.refused',
            title: mailText.refusedTitle(row.subject),
            description: reason,
            metadata: { reason: over.reason, outboxId: row.id, to: v.to },
            params: { subject: row.subject, reason: over.reason },
          });
          return { row: outboxById(db, row.id)! };
        }
        queue.enqueue({ queue: MAIL_SEND_QUEUE, accountId: v.accountId, payload: { outboxId: row.id }, idempotencyKey: `outbox:${row.id}`, maxAttempts: 6 });
        return { row };
      });
      if ('refused' in result) {
        deps.policy.recordRefusal({
          accountId: v.accountId,
          leadId: v.leadId,
          reason: result.refused.reason,
          detail: result.refused.message,
          subject: v.subject,
          to: v.to,
        });
        throw quotaError(result.refused);
      }
      return result.row;
    },

    /**
     * A person sends a failed or held email again (same Message-ID, so threading holds). This is the only way
     * an "uncertain" email is resent: the risk of a duplicate is then a human decision. A held email still
     * has to fit in the daily cap.
     */
    retry(accountId: number, id: number): OutboxRow {
      const result = deps.tx((): { row: OutboxRow } | { refused: QuotaRefusal; row: OutboxRow } => {
        const row = outboxById(db, id);
        if (!row || row.accountId !== accountId) throw notFound(`Email ${id}`);
        if (row.status !== 'failed' && row.status !== 'refused') throw conflict(`Email ${id} is ${row.status}; only a failed or held email can be retried`);
        if (row.status === 'refused') {
          const over = deps.policy.checkQueue(accountId, row.to.length + row.cc.length, { perMinute: true });
          if (over) return { refused: over, row };
        }
        const now = clock.now();
        updateOutbox(db, id, { status: 'queued', smtpDataAt: null, updatedAt: now });
        queue.enqueue({ queue: MAIL_SEND_QUEUE, accountId, payload: { outboxId: id }, idempotencyKey: `outbox:${id}:retry:${now}`, maxAttempts: 6 });
        return { row: outboxById(db, id)! };
      });
      if ('refused' in result) {
        const r = result.row;
        deps.policy.recordRefusal({ accountId, leadId: r.leadId, reason: result.refused.reason, detail: result.refused.message, subject: r.subject, to: r.to });
        throw quotaError(result.refused);
      }
      return result.row;
    },
    /** Cancel an email that has not gone out; one being sent or already sent is a conflict. */
    cancel(accountId: number, id: number): OutboxRow {
      return deps.tx(() => {
        const row = outboxById(db, id);
        if (!row || row.accountId !== accountId) throw notFound(`Email ${id}`);
        if (!cancelOneOutbox(db, accountId, id, mailText.cancelledByUser, clock.now())) {
          throw conflict(`Email ${id} is ${row.status}; only a queued or held email can be cancelled`);
        }
        return outboxById(db, id)!;
      });
    },
  };
}

export type OutboxWriter = ReturnType<typeof createOutboxWriter>;
