import { randomUUID } from 'node:crypto';
import type { WidgetAuth } from '../../http/env.js';
import { domainOf } from '../../mail/address.js';
import { composeMessage } from '../../mail/compose.js';
import { mailErrorHint } from '../../mail/errors.js';
import { smtpSend } from '../../mail/smtp.js';
import { AppError, notConfigured } from '../../lib/errors.js';
import { NetGuardError } from '../../lib/net-guard.js';
import type { MailPolicy } from './mail.policy.js';
import { accountLanguage } from '../../lib/i18n.js';
import { MAIL_TEST_TEXTS, mailText } from './mail.texts.js';
import type { MailSettings } from './settings.service.js';

/**
 * POST /api/mail/test: one email to the requesting user's own Kommo address, straight through the account's
 * transport. The answer says whether it went and, if not, a category (auth, tls, port, …) — never what the
 * server said, so the form cannot be used to read other machines' banners.
 */
export function createTestSender(deps: {
  settings: MailSettings;
  policy: MailPolicy;
  clock: { now(): number };
  accountSettings(accountId: number): Record<string, unknown>;
}) {
  return async function sendTest(auth: WidgetAuth) {
    const { accountId, userId } = auth;
    const sender = deps.settings.sender(accountId, 'notification');
    if (!sender) throw notConfigured('Email', ['SMTP_URL', 'MAIL_FROM', '(or the account mailbox: PUT /api/mail/settings)']);
    const texts = MAIL_TEST_TEXTS[accountLanguage(deps.accountSettings(accountId))];
    const to = deps.policy.userEmail(accountId, userId);
    if (!to) {
      deps.policy.recordRefusal({ accountId, userId, reason: 'no_user_email', detail: mailText.noUserEmail, subject: texts.subject });
      throw new AppError('CONFLICT', mailText.noUserEmail, { meta: { reason: 'no_user_email' } });
    }
    const messageId = `<test.${randomUUID()}@${domainOf(sender.from.address)}>`;
    const raw = await composeMessage({
      from: sender.from,
      to: [to],
      cc: [],
      subject: texts.subject,
      text: sender.source === 'account' ? texts.body_account : texts.body_system,
      html: null,
      messageId,
      inReplyTo: null,
      references: [],
      date: new Date(deps.clock.now()),
    });
    try {
      await smtpSend(sender.smtp, { from: sender.from.address, to: [to] }, raw, {}, { timeoutMs: 20_000, guard: sender.guard });
      return { ok: true as const, to, messageId, via: sender.source, from: sender.from.address };
    } catch (err) {
      const hint = mailErrorHint(err);
      // A guard refusal is the tenant's setting, not an outage: 422 on the field it concerns.
      if (err instanceof NetGuardError) {
        throw new AppError('VALIDATION_FAILED', mailText.testFailed(hint), {
          errors: [{ field: err.reason === 'port' ? 'smtp.port' : 'smtp.host', message: mailText.mailboxHint(hint) }],
          meta: { hint, via: sender.source },
        });
      }
      throw new AppError('UPSTREAM_FAILED', mailText.testFailed(hint), { meta: { hint, via: sender.source } });
    }
  };
}
