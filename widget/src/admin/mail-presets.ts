/**
 * Mail providers an admin picks from on the Mailbox screen: host, port and TLS per side, and whether the
 * provider wants an app password (a separate password made in the account's security settings) instead of
 * the normal one. Pure data and functions: no UI, no network.
 */
export interface ServerPreset {
  host: string;
  port: number;
  secure: boolean;
}

export type PresetId = 'gmail' | 'microsoft365' | 'zoho' | 'yandex' | 'mailru' | 'custom';

export interface MailPreset {
  id: PresetId;
  smtp: ServerPreset | null;
  imap: ServerPreset | null;
  /** Logging in from an app needs an app password (with two-step verification on, or always). */
  appPassword: boolean;
}

export const MAIL_PRESETS: readonly MailPreset[] = [
  { id: 'gmail', smtp: { host: 'smtp.gmail.com', port: 465, secure: true }, imap: { host: 'imap.gmail.com', port: 993, secure: true }, appPassword: true },
  {
    id: 'microsoft365',
    smtp: { host: 'smtp.office365.com', port: 587, secure: false },
    imap: { host: 'outlook.office365.com', port: 993, secure: true },
    appPassword: false,
  },
  { id: 'zoho', smtp: { host: 'smtp.zoho.com', port: 465, secure: true }, imap: { host: 'imap.zoho.com', port: 993, secure: true }, appPassword: true },
  { id: 'yandex', smtp: { host: 'smtp.yandex.ru', port: 465, secure: true }, imap: { host: 'imap.yandex.ru', port: 993, secure: true }, appPassword: true },
  { id: 'mailru', smtp: { host: 'smtp.mail.ru', port: 465, secure: true }, imap: { host: 'imap.mail.ru', port: 993, secure: true }, appPassword: true },
  { id: 'custom', smtp: null, imap: null, appPassword: false },
];

export const presetById = (id: string): MailPreset => MAIL_PRESETS.find((p) => p.id === id) ?? MAIL_PRESETS[MAIL_PRESETS.length - 1]!;

/** Which preset a saved server belongs to (by its SMTP host, else its IMAP host); `custom` for anything else. */
export function presetOf(smtpHost: string | null | undefined, imapHost?: string | null): PresetId {
  const h = (v: string | null | undefined) => (v ?? '').trim().toLowerCase();
  const found = MAIL_PRESETS.find((p) => (p.smtp && p.smtp.host === h(smtpHost)) || (p.imap && p.imap.host === h(imapHost)));
  return found?.id ?? 'custom';
}

/** The usual TLS setting for a port: 465 and 993 speak TLS from the start; 25, 587, 2525 and 143 do not. */
export function secureForPort(port: number): boolean | null {
  if (port === 465 || port === 993) return true;
  if (port === 25 || port === 587 || port === 2525 || port === 143) return false;
  return null;
}

export type MailHint = 'auth' | 'tls' | 'port' | 'unreachable' | 'timeout' | 'blocked' | 'rejected' | 'unknown';

/**
 * The i18n keys (under `email_ui.hints`) to show for a failed connection test: the failure's own hint,
 * then what usually fixes it with this provider and these settings.
 */
export function adviceFor(hint: MailHint, preset: PresetId, server: { port: number; secure: boolean }): string[] {
  const keys: string[] = [hint];
  if (hint === 'auth' && presetById(preset).appPassword) keys.push('app_password');
  if (hint === 'auth' && preset === 'microsoft365') keys.push('smtp_auth_m365');
  const usual = secureForPort(server.port);
  if ((hint === 'tls' || hint === 'timeout' || hint === 'unknown') && usual !== null && usual !== server.secure) keys.push(usual ? 'tls_on' : 'tls_off');
  if (hint === 'port') keys.push('ports');
  return keys;
}
