import { NetGuardError } from '../lib/net-guard.js';

/**
 * What went wrong talking to a mail server, as a category a person can act on. The server's own words
 * (banners, replies, socket errors) are never shown to the widget: a mailbox host is tenant input, and
 * echoing what it said would turn the settings form into a probe of other machines.
 */
export type MailHint = 'auth' | 'tls' | 'port' | 'unreachable' | 'timeout' | 'blocked' | 'rejected' | 'unknown';

const TLS = /certificate|self[- ]signed|\bssl\b|\btls\b|wrong version number|EPROTO|ERR_SSL|CERT_|UNABLE_TO_VERIFY/i;

export function mailErrorHint(err: unknown): MailHint {
  if (err instanceof NetGuardError) return err.reason === 'port' ? 'port' : err.reason === 'unresolvable' ? 'unreachable' : 'blocked';
  const e = (err ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    authenticationFailed?: unknown;
    message?: unknown;
    info?: { code?: unknown; responseCode?: unknown };
  };
  const code = String(e.info?.code ?? e.code ?? '');
  const responseCode = Number(e.info?.responseCode ?? e.responseCode ?? 0);
  const message = String(e.message ?? '');
  if (e.authenticationFailed === true || code === 'EAUTH' || [530, 534, 535].includes(responseCode)) return 'auth';
  if (code === 'ETLS' || TLS.test(code) || TLS.test(message)) return 'tls';
  if (/ECONNREFUSED/.test(code) || /ECONNREFUSED/.test(message)) return 'port';
  if (/ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EDNS/.test(`${code} ${message}`)) return 'unreachable';
  if (/ETIMEDOUT|ETIMEOUT|timeout/i.test(`${code} ${message}`)) return 'timeout';
  if (responseCode >= 400) return 'rejected';
  if (/ECONNRESET|ECONNECTION|ESOCKET|EPIPE|closed/i.test(`${code} ${message}`)) return 'unreachable';
  return 'unknown';
}
