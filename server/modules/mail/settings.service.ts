import type { MailServerConfig, MailSettingsRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import { parseMailbox } from '../../mail/address.js';
import type { ImapConfig } from '../../mail/imap.js';
import type { SmtpConfig } from '../../mail/smtp.js';
import { AppError } from '../../lib/errors.js';
import type { SettingsBody } from './mail.schemas.js';
import { getSettings, imapAccountIds, saveSettings } from './settings.repo.js';

export interface Sender {
  smtp: SmtpConfig;
  from: { name: string | null; address: string };
  source: 'account' | 'system';
}

type ServerInput = NonNullable<SettingsBody['smtp']> & { mailbox?: string };

/** Per-account mailbox settings; passwords are encrypted at rest and never leave this module in clear except to a transport. */
export function createMailSettings(deps: Pick<Platform, 'db' | 'clock' | 'encryptor' | 'env'>) {
  const { db, clock, encryptor, env } = deps;

  function systemSender(): Sender | null {
    if (!env.SMTP_URL || !env.MAIL_FROM) return null;
    const from = parseMailbox(env.MAIL_FROM);
    if (!from) return null;
    const u = new URL(env.SMTP_URL);
    const secure = u.protocol === 'smtps:';
    return {
      smtp: {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: Number(u.port) || (secure ? 465 : 587),
        secure,
        user: u.username ? decodeURIComponent(u.username) : null,
        password: u.password ? decodeURIComponent(u.password) : null,
      },
      from,
      source: 'system',
    };
  }

  /** The account's own mailbox when set, else the system transport; null when neither is configured. */
  function sender(accountId: number): Sender | null {
    const row = getSettings(db, accountId);
    if (row?.smtp && row.fromAddress) {
      const s = row.smtp;
      return {
        smtp: { host: s.host, port: s.port, secure: s.secure, user: s.user || null, password: s.passwordEnc ? encryptor.decrypt(s.passwordEnc) : null },
        from: { name: row.fromName ?? null, address: row.fromAddress },
        source: 'account',
      };
    }
    return systemSender();
  }

  function imap(accountId: number): (ImapConfig & { cursor: { uidValidity: string | null; lastUid: number }; since: number }) | null {
    const row = getSettings(db, accountId);
    if (!row?.imap) return null;
    const i = row.imap;
    return {
      host: i.host,
      port: i.port,
      secure: i.secure,
      user: i.user,
      password: encryptor.decrypt(i.passwordEnc),
      mailbox: i.mailbox ?? 'INBOX',
      cursor: { uidValidity: row.imapUidValidity, lastUid: row.imapLastUid },
      since: row.imapSince ?? row.updatedAt,
    };
  }

  function merge(input: ServerInput, prev: MailServerConfig | null | undefined, field: string): MailServerConfig {
    const sameServer = prev && prev.host === input.host && prev.user === input.user;
    const passwordEnc = input.password !== undefined ? encryptor.encrypt(input.password) : sameServer ? prev.passwordEnc : null;
    if (!passwordEnc) {
      throw new AppError('VALIDATION_FAILED', `${field}.password is required for a new server or user`, {
        errors: [{ field: `${field}.password`, message: 'required for a new server or user' }],
      });
    }
    return { host: input.host, port: input.port, secure: input.secure, user: input.user, passwordEnc, ...(input.mailbox ? { mailbox: input.mailbox } : {}) };
  }

  function dto(row: MailSettingsRow | undefined) {
    const server = (s: MailServerConfig | null | undefined) =>
      s
        ? { host: s.host, port: s.port, secure: s.secure, user: s.user, passwordSet: Boolean(s.passwordEnc), ...(s.mailbox ? { mailbox: s.mailbox } : {}) }
        : null;
    const system = systemSender();
    return {
      smtp: server(row?.smtp),
      imap: server(row?.imap),
      fromName: row?.fromName ?? null,
      fromAddress: row?.fromAddress ?? null,
      notifications: { enabled: row?.notificationsEnabled ?? true },
      imapStatus: row?.imap ? { error: row.imapError, lastUid: row.imapLastUid } : null,
      system: { configured: Boolean(system), from: system?.from.address ?? null },
    };
  }

  return {
    sender,
    systemSender,
    imap,
    imapAccountIds: () => imapAccountIds(db),
    notificationsEnabled: (accountId: number) => getSettings(db, accountId)?.notificationsEnabled ?? true,
    get: (accountId: number) => dto(getSettings(db, accountId)),
    put(accountId: number, body: SettingsBody) {
      const prev = getSettings(db, accountId);
      const smtp = body.smtp ? merge(body.smtp, prev?.smtp, 'smtp') : null;
      const imap = body.imap === undefined ? (prev?.imap ?? null) : body.imap ? merge(body.imap, prev?.imap, 'imap') : null;
      const fromAddress = body.fromAddress === undefined ? (prev?.fromAddress ?? null) : body.fromAddress;
      if (smtp && !fromAddress) {
        throw new AppError('VALIDATION_FAILED', 'fromAddress is required with an SMTP server', {
          errors: [{ field: 'fromAddress', message: 'required with smtp' }],
        });
      }
      const imapMoved =
        !imap || !prev?.imap || imap.host !== prev.imap.host || imap.user !== prev.imap.user || (imap.mailbox ?? 'INBOX') !== (prev.imap.mailbox ?? 'INBOX');
      const now = clock.now();
      saveSettings(db, {
        accountId,
        smtp,
        imap,
        fromName: body.fromName === undefined ? (prev?.fromName ?? null) : body.fromName,
        fromAddress,
        notificationsEnabled: body.notifications?.enabled ?? prev?.notificationsEnabled ?? true,
        // A different mailbox starts a new cursor: only mail that arrives from now on is read.
        imapUidValidity: imapMoved ? null : (prev?.imapUidValidity ?? null),
        imapLastUid: imapMoved ? 0 : (prev?.imapLastUid ?? 0),
        imapError: imapMoved ? null : (prev?.imapError ?? null),
        imapSince: imapMoved ? now : (prev?.imapSince ?? now),
        imapFailures: imapMoved ? null : (prev?.imapFailures ?? null),
        updatedAt: now,
      });
      return dto(getSettings(db, accountId));
    },
  };
}

export type MailSettings = ReturnType<typeof createMailSettings>;
