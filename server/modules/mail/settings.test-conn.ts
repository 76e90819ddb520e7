import type { Platform } from '../../platform.js';
import { mailErrorHint, type MailHint } from '../../mail/errors.js';
import type { ImapConfig } from '../../mail/imap.js';
import type { SmtpConfig } from '../../mail/smtp.js';
import { imapFolders, smtpVerify } from '../../mail/verify.js';
import { AppError } from '../../lib/errors.js';
import type { NetGuard } from '../../lib/net-guard.js';
import type { ConnectionTestBody } from './mail.schemas.js';
import { mailText } from './mail.texts.js';
import { getSettings } from './settings.repo.js';

export type ConnectionResult =
  | { ok: true; side: 'smtp' | 'imap'; folders?: { path: string; specialUse: string | null }[] }
  | { ok: false; side: 'smtp' | 'imap'; hint: MailHint; message: string };

type Side = 'smtp' | 'imap';

/**
 * "Test connection" per side of the mailbox form: log in with the submitted settings (a missing password
 * is taken from the stored ones when host and user are the same) or with the stored ones, send nothing,
 * and answer ok or a hint category. Every connection goes through the mailbox host guard.
 */
export function createConnectionTest(deps: Pick<Platform, 'db' | 'encryptor'> & { guard: NetGuard }) {
  function config(accountId: number, side: Side, input: ConnectionTestBody['server']): ImapConfig {
    const stored = getSettings(deps.db, accountId)?.[side] ?? null;
    const server = input ?? stored;
    if (!server) throw new AppError('CONFLICT', mailText.noServerToTest(side), { meta: { reason: 'not_set' } });
    const sameServer = stored && stored.host === server.host && stored.user === server.user;
    const password = input?.password ?? (sameServer && stored.passwordEnc ? deps.encryptor.decrypt(stored.passwordEnc) : null);
    if (!password) {
      throw new AppError('VALIDATION_FAILED', mailText.passwordToTest, { errors: [{ field: `${side}.password`, message: mailText.passwordToTest }] });
    }
    const mailbox = input ? (input.mailbox ?? null) : (stored?.mailbox ?? null);
    return { host: server.host, port: server.port, secure: server.secure, user: server.user, password, mailbox };
  }

  async function test(accountId: number, body: ConnectionTestBody): Promise<ConnectionResult> {
    const cfg = config(accountId, body.side, body.server);
    try {
      if (body.side === 'smtp') {
        await smtpVerify(cfg satisfies SmtpConfig, { guard: deps.guard });
        return { ok: true, side: 'smtp' };
      }
      return { ok: true, side: 'imap', folders: await imapFolders(cfg, { guard: deps.guard }) };
    } catch (err) {
      const hint = mailErrorHint(err);
      return { ok: false, side: body.side, hint, message: mailText.mailboxHint(hint) };
    }
  }

  /** The stored IMAP mailbox's folders; a failure answers 502 with its category only. */
  async function folders(accountId: number) {
    const cfg = config(accountId, 'imap', undefined);
    try {
      return { items: await imapFolders(cfg, { guard: deps.guard }) };
    } catch (err) {
      const hint = mailErrorHint(err);
      throw new AppError('UPSTREAM_FAILED', mailText.mailboxHint(hint), { meta: { hint } });
    }
  }

  return { test, folders };
}

export type ConnectionTest = ReturnType<typeof createConnectionTest>;
