import type { OutboxRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import { PermanentJobError, RetryAfterError } from '../../jobs/errors.js';
import type { JobContext } from '../../jobs/worker.js';
import { NetGuardError, type NetGuard } from '../../lib/net-guard.js';
import { domainOf } from '../../mail/address.js';
import { composeMessage } from '../../mail/compose.js';
import { mailErrorHint } from '../../mail/errors.js';
import { sentFolderHas } from '../../mail/imap.js';
import { smtpSend, SmtpSendError } from '../../mail/smtp.js';
import type { MailPolicy } from './mail.policy.js';
import { mailText } from './mail.texts.js';
import { outboxById, updateOutbox } from './outbox.repo.js';
import type { MailKind, MailSettings } from './settings.service.js';

export const MAIL_NOTE_QUEUE = 'mail.record-note';

/**
 * Sends one outbox row. Exactly-once, as far as SMTP allows:
 *
 * 1. `status = 'sending'` is committed before we connect.
 * 2. `smtp_data_at` is written (synchronously, one statement) when the server has said 354 and the
 *    body starts to flow. Before that moment the server cannot hold the message, so a crash there is
 *    safely retried.
 * 3. `status = 'sent'` is committed in the same tick as the server's 250.
 *
 * A row found in `sending` with `smtp_data_at` set means a worker died (kill -9, OOM, power) or the
 * connection dropped between (2) and (3): the server may have queued the message. We never resend it
 * blindly. If the account has IMAP, we look for the Message-ID (fixed at queue time) in the Sent
 * folder: found means sent. Otherwise the row ends `failed` with an "uncertain" reason that names the
 * Message-ID, and a person decides (the retry endpoint).
 *
 * The window that remains: the server accepted (250 on the wire) but we died before committing (3).
 * That lands in the uncertain branch above, so it is not a duplicate either; it is an email reported
 * as "uncertain" that was in fact delivered, unless the Sent folder proves it. SMTP gives no way to ask
 * a server "did you take Message-ID X?", so that is the smallest honest window (RFC 1047).
 */
export function createOutboxSender(
  deps: Pick<Platform, 'db' | 'clock' | 'queue' | 'tx' | 'logger'> & {
    activity: ActivityService;
    settings: MailSettings;
    policy: MailPolicy;
    guard: NetGuard;
    /** Only `status === 'disconnected'` (uninstalled) stops mail: an account waiting for re-authorization still notifies its admins. */
    accounts: { byId(accountId: number): { status: string } | undefined };
  },
) {
  const { db, clock } = deps;

  function markSent(row: OutboxRow, response: string) {
    deps.tx(() => {
      updateOutbox(db, row.id, { status: 'sent', sentAt: clock.now(), smtpResponse: response.slice(0, 1000), lastError: null, updatedAt: clock.now() });
      if (row.kind !== 'client') return;
      if (row.leadId) {
        deps.queue.enqueue({
          queue: MAIL_NOTE_QUEUE,
          accountId: row.accountId,
          payload: { outboxId: row.id },
          idempotencyKey: `outbox-note:${row.id}`,
          maxAttempts: 8,
        });
      } else {
        deps.activity.write({
          accountId: row.accountId,
          type: 'email.sent',
          title: `Email sent: ${row.subject}`,
          description: `To ${row.to.join(', ')}`,
          metadata: { outboxId: row.id, messageId: row.messageId },
          params: { subject: row.subject, to: row.to.join(', ') },
        });
      }
    });
  }

  function markFailed(row: OutboxRow, reason: string) {
    deps.tx(() => {
      updateOutbox(db, row.id, { status: 'failed', lastError: reason, updatedAt: clock.now() });
      deps.activity.write({
        accountId: row.accountId,
        leadId: row.leadId,
        type: 'email.failed',
        title: `Email not sent: ${row.subject}`,
        description: reason,
        metadata: { outboxId: row.id, messageId: row.messageId, to: row.to },
        params: { subject: row.subject, to: row.to.join(', ') },
      });
    });
  }

  async function recoverUncertain(row: OutboxRow, why: string, ctx: JobContext): Promise<void> {
    const imap = deps.settings.imap(row.accountId);
    if (imap) {
      let found = false;
      try {
        found = await sentFolderHas(imap, row.messageId, { guard: deps.guard });
      } catch (err) {
        // Cannot look: try again later (the queue's backoff), still without resending.
        const msg = `delivery uncertain and the Sent folder could not be checked: ${err instanceof Error ? err.message : String(err)}`;
        if (ctx.job.attempts < ctx.job.maxAttempts) throw new Error(msg);
      }
      if (found) return markSent(row, 'confirmed: the message is in the Sent folder (the SMTP reply was lost)');
    }
    const reason =
      `uncertain: ${why}. The SMTP server may have accepted ${row.messageId}; it was not resent, to avoid a duplicate. ` +
      (imap ? 'It is not in the Sent folder. ' : '') +
      'Check the recipient or the Sent folder, then retry it by hand if it did not arrive.';
    markFailed(row, reason);
    throw new PermanentJobError(reason);
  }

  async function send(outboxId: number, ctx: JobContext): Promise<void> {
    const row = outboxById(db, outboxId);
    // Sent, failed, held by the daily cap or cancelled at uninstall: nothing to do.
    if (!row || (row.status !== 'queued' && row.status !== 'sending')) return;
    if (row.status === 'sending' && row.smtpDataAt !== null) {
      return await recoverUncertain(row, 'a worker stopped after the SMTP server started receiving the message', ctx);
    }
    // Checked again at send time: the mailbox may have been removed since the email was queued.
    const sender = deps.settings.sender(row.accountId, row.kind as MailKind);
    if (!sender) {
      const reason =
        row.kind === 'client'
          ? mailText.noMailboxAtSend
          : 'Email is not configured: set SMTP_URL and MAIL_FROM, or the account mailbox (PUT /api/mail/settings)';
      markFailed(row, reason);
      throw new PermanentJobError(reason);
    }
    if (row.kind === 'client') {
      // The per-minute rate, on what actually goes out: wait (without spending an attempt) until it fits.
      const wait = deps.policy.sendDelay(row.accountId, row.to.length + row.cc.length);
      if (wait > 0) throw new RetryAfterError(wait, `the account's per-minute email rate is reached; sending in ${Math.ceil(wait / 1000)} s`);
    }
    updateOutbox(db, row.id, { status: 'sending', attempts: ctx.job.attempts, smtpDataAt: null, updatedAt: clock.now() });
    const raw = await composeMessage({
      from: { name: row.fromName, address: row.fromAddress },
      to: row.to,
      cc: row.cc,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: row.messageId,
      inReplyTo: row.inReplyTo,
      references: row.references,
      date: new Date(row.createdAt),
    });
    // Uninstalled meanwhile (the hook cancels what waits; this one was already claimed): it does not go out.
    if (deps.accounts.byId(row.accountId)?.status === 'disconnected') {
      updateOutbox(db, row.id, { status: 'cancelled', lastError: mailText.cancelledOnUninstall, updatedAt: clock.now() });
      return;
    }
    try {
      await smtpSend(
        sender.smtp,
        { from: row.fromAddress, to: [...row.to, ...row.cc] },
        raw,
        {
          onDataStart: () => updateOutbox(db, row.id, { smtpDataAt: clock.now() }),
          onAccepted: (info) => markSent(row, info.response),
        },
        { clientName: domainOf(row.fromAddress), guard: sender.guard },
      );
    } catch (err) {
      if (err instanceof NetGuardError) {
        // Nothing was sent. A name that does not resolve now may later (the queue's backoff); a refused address will not.
        const reason = `Not sent. ${mailText.mailboxHint(mailErrorHint(err))}`;
        if (err.reason === 'unresolvable' && ctx.job.attempts < ctx.job.maxAttempts) {
          updateOutbox(db, row.id, { status: 'queued', lastError: reason, updatedAt: clock.now() });
          throw new Error(reason);
        }
        markFailed(row, reason);
        throw new PermanentJobError(reason);
      }
      if (!(err instanceof SmtpSendError)) {
        // Not an SMTP answer (composing failed, or recording the 250 failed). Past DATA the row stays
        // `sending` with its marker, so the next attempt takes the uncertain path instead of resending.
        const reason = err instanceof Error ? err.message : String(err);
        const pastData = outboxById(db, row.id)?.smtpDataAt != null;
        if (ctx.job.attempts >= ctx.job.maxAttempts) markFailed(row, pastData ? `uncertain: ${reason}` : reason);
        else if (!pastData) updateOutbox(db, row.id, { status: 'queued', lastError: reason, updatedAt: clock.now() });
        throw err;
      }
      if (err.uncertain) return await recoverUncertain(row, `the connection failed while the server held the message (${err.message})`, ctx);
      const i = err.info;
      const reason =
        i.responseCode !== null ? `SMTP ${i.responseCode}${i.command ? ` at ${i.command}` : ''}: ${err.message}` : `${i.code ?? 'error'}: ${err.message}`;
      if (err.permanent || ctx.job.attempts >= ctx.job.maxAttempts) {
        markFailed(row, reason);
        throw new PermanentJobError(reason);
      }
      updateOutbox(db, row.id, { status: 'queued', lastError: reason, smtpDataAt: null, updatedAt: clock.now() });
      throw new Error(reason);
    }
  }

  return { send, markFailed };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
