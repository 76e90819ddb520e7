import type { Lang } from '../../lib/i18n.js';
import type { MailHint } from '../../mail/errors.js';

/**
 * Every text of the email area a person reads (API problem details, activity entries), in one place so
 * they can be translated later. English today, like the rest of the server. Each refusal also carries a
 * stable `reason` code the widget can translate on its own.
 */
export const mailText = {
  noMailbox: "Email to clients goes out only through the account's own mailbox, and none is set. An administrator adds it in the widget settings (Email).",
  noMailboxAtSend: "Not sent: email to clients needs the account's own mailbox, and it is no longer set.",
  disconnected: 'The Kommo integration is uninstalled for this account: no email is sent.',
  notLeadContact: "is not an email address of this lead's contacts (only an administrator may write to other addresses)",
  notKommoUser: 'is not the email address of a user of this Kommo account',
  dailyCap: (cap: number) => `This account reached its limit of ${cap} email recipients in 24 hours. Try again later.`,
  perMinute: (rate: number) => `This account may email at most ${rate} recipients a minute. Try again in a minute.`,
  heldByDailyCap: (cap: number) =>
    `Held: this account reached its limit of ${cap} email recipients in 24 hours. Retry it from the outbox once the limit allows.`,
  refusedTitle: (subject: string) => `Email refused: ${subject}`,
  noUserEmail: 'Your Kommo user has no email address, so the test email has nowhere to go. Add one to your Kommo profile.',
  testFailed: (hint: MailHint) => `The test email was not sent. ${hints[hint]}`,
  cancelledByUser: 'cancelled by a user',
  bounced: (status: string | null) =>
    `Bounced: the recipient's mail server returned it${status ? ` (status ${status}${status.startsWith('5.1.') ? ': the address does not exist' : ''})` : ''}.`,
  bouncedTitle: (subject: string) => `Email bounced: ${subject}`,
  cancelledOnUninstall: 'cancelled: the Kommo integration was uninstalled',
  notificationSkippedOnUninstall: 'the Kommo integration was uninstalled',
  notificationsOnlyToUsers: (fields: string[]) => `Notifications go only to the account's Kommo users: ${fields.join(', ')}`,
  stoppedTitle: 'Email stopped',
  stoppedBody: (cancelled: number) =>
    `The integration was uninstalled: the mailbox is no longer read, its passwords were deleted, and ${cancelled} queued email(s) were cancelled.`,
  skippedTooLarge: (size: number, max: number) => `Skipped: the email is ${size} bytes, over the ${max}-byte limit. It stays in the mailbox.`,
  skippedUnreadable: (attempts: number) => `Skipped: the email could not be read after ${attempts} attempts. It stays in the mailbox.`,
  skippedTitle: 'Incoming email skipped',
  mailboxHint: (hint: MailHint) => hints[hint],
  noServerToTest: (side: 'smtp' | 'imap') => `No ${side === 'smtp' ? 'SMTP' : 'IMAP'} server is saved: fill in the form to test it.`,
  passwordToTest: 'Enter the password to test a new server or user.',
  hostRefused: {
    address: 'is a private, loopback or reserved address; use the public name of your mail server',
    port: (ports: readonly number[]) => `is not a mail port (use ${ports.join(', ')})`,
    unresolvable: 'could not be resolved; check the name',
  },
} as const;

/** What a mailbox problem means, without the server's own words. */
const hints: Record<MailHint, string> = {
  auth: 'The mail server refused the user name or password.',
  tls: 'The secure connection failed: check the "secure" setting and the port, or the server certificate.',
  port: 'Nothing answered on that port: check the port number.',
  unreachable: 'The mail server could not be reached: check the host name.',
  timeout: 'The mail server did not answer in time.',
  blocked: 'That host is not allowed: use the public name of your mail server.',
  rejected: 'The mail server refused the message.',
  unknown: 'The mail server could not be used.',
};

/** The test email (to the admin who asked for it), in the account's language. */
export const MAIL_TEST_TEXTS: Record<Lang, { subject: string; body_account: string; body_system: string }> = {
  en: {
    subject: 'AI Agent: test email',
    body_account: 'This is a test email from the AI Agent integration, sent through your mailbox.',
    body_system: 'This is a test email from the AI Agent integration, sent through the system mail server.',
  },
  es: {
    subject: 'Agente de IA: correo de prueba',
    body_account: 'Es un correo de prueba de la integración Agente de IA, enviado a través de su buzón.',
    body_system: 'Es un correo de prueba de la integración Agente de IA, enviado a través del servidor de correo del sistema.',
  },
  pt: {
    subject: 'Agente de IA: e-mail de teste',
    body_account: 'Este é um e-mail de teste da integração Agente de IA, enviado pela sua caixa de correio.',
    body_system: 'Este é um e-mail de teste da integração Agente de IA, enviado pelo servidor de e-mail do sistema.',
  },
  ru: {
    subject: 'ИИ-агент: тестовое письмо',
    body_account: 'Это тестовое письмо от интеграции «ИИ-агент», отправленное через ваш почтовый ящик.',
    body_system: 'Это тестовое письмо от интеграции «ИИ-агент», отправленное через системный почтовый сервер.',
  },
};
