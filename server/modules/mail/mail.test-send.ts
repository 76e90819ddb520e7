import { randomUUID } from 'node:crypto';
import { domainOf } from '../../mail/address.js';
import { composeMessage } from '../../mail/compose.js';
import { smtpSend, SmtpSendError } from '../../mail/smtp.js';
import { AppError, notConfigured } from '../../lib/errors.js';
import type { MailSettings } from './settings.service.js';

/** POST /api/mail/test: one email straight through the account's transport, reporting the server's own answer. */
export function createTestSender(deps: { settings: MailSettings; clock: { now(): number } }) {
  return async function sendTest(accountId: number, to: string) {
    const sender = deps.settings.sender(accountId);
    if (!sender) throw notConfigured('Email', ['SMTP_URL', 'MAIL_FROM', '(or the account mailbox: PUT /api/mail/settings)']);
    const messageId = `<test.${randomUUID()}@${domainOf(sender.from.address)}>`;
    const raw = await composeMessage({
      from: sender.from,
      to: [to],
      cc: [],
      subject: 'AI Agent: test email',
      text: `This is a test email from the AI Agent integration, sent through ${sender.source === 'account' ? 'your mailbox' : 'the system mail server'} (${sender.smtp.host}:${sender.smtp.port}).`,
      html: null,
      messageId,
      inReplyTo: null,
      references: [],
      date: new Date(deps.clock.now()),
    });
    try {
      const info = await smtpSend(sender.smtp, { from: sender.from.address, to: [to] }, raw, {}, { timeoutMs: 20_000 });
      return {
        ok: true as const,
        response: info.response,
        accepted: info.accepted,
        rejected: info.rejected,
        messageId,
        via: sender.source,
        from: sender.from.address,
      };
    } catch (err) {
      if (!(err instanceof SmtpSendError)) throw err;
      const i = err.info;
      throw new AppError(
        'UPSTREAM_FAILED',
        `The SMTP server ${sender.smtp.host}:${sender.smtp.port} refused the test email: ${i.responseCode ?? i.code ?? ''} ${err.message}`.replace(/\s+/g, ' '),
        {
          meta: { smtp: { code: i.code, responseCode: i.responseCode, response: i.response, command: i.command, via: sender.source } },
        },
      );
    }
  };
}
