import type { MailServerConfig, MailSettingsRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import { parseMailbox } from '../../mail/address.js';
import type { MailHint } from '../../mail/errors.js';
import { IMAP_PORTS, type ImapConfig } from '../../mail/imap.js';
import { SMTP_PORTS, type SmtpConfig } from '../../mail/smtp.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { NetGuardError, type NetGuard } from '../../lib/net-guard.js';
import type { SettingsBody } from './mail.schemas.js';
import { mailText } from './mail.texts.js';
import { clearPasswords, getSettings, imapAccountIds, saveSettings } from './settings.repo.js';

export interface Sender {
  smtp: SmtpConfig;
  from: { name: string | null; address: string };
  source: 'account' | 'system';
  /** Set for the account's own mailbox (tenant input): connections go through it. Null for the operator's SMTP_URL. */
  guard: NetGuard | null;
}

export type MailKind = 'client' | 'notification';

type ServerInput = NonNullable<SettingsBody['smtp']> & { mailbox?: string };

const HINTS: ReadonlySet<string> = new Set<MailHint>(['auth', 'tls', 'port', 'unreachable', 'timeout', 'blocked', 'rejected', 'unknown']);

/**
 * Per-account mailbox settings; passwords are encrypted at rest and never leave this module in clear except
 * to a transport. Who may use which transport: the account's own mailbox carries everything; the system
 * transport (SMTP_URL, the operator's) carries only notifications to the account's own Kommo users.
 */
export function createMailSettings(deps: Pick<Platform, 'db' | 'clock' | 'encryptor' | 'env'> & { guard: NetGuard }) {
  const { db, clock, encryptor, env, guard } = deps;

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
      guard: null,
    };
  }

  /** The account's own mailbox, or null (none set, or its password was deleted at uninstall). */
  function accountSender(accountId: number): Sender | null {
    const row = getSettings(db, accountId);
    if (!row?.smtp?.passwordEnc || !row.fromAddress) return null;
    const s = row.smtp;
    return {
      smtp: { host: s.host, port: s.port, secure: s.secure, user: s.user || null, password: encryptor.decrypt(s.passwordEnc) },
      from: { name: row.fromName ?? null, address: row.fromAddress },
      source: 'account',
      guard,
    };
  }

  /** Client email: only the account's own mailbox. Notifications: that mailbox, else the system transport. */
  function sender(accountId: number, kind: MailKind): Sender | null {
    return accountSender(accountId) ?? (kind === 'notification' ? systemSender() : null);
  }

  function imap(accountId: number): (ImapConfig & { cursor: { uidValidity: string | null; lastUid: number }; since: number }) | null {
    const row = getSettings(db, accountId);
    if (!row?.imap?.passwordEnc) return null;
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

  /** The host and port must pass the guard before they are stored: nothing connects to a refused host. */
  async function checkHost(field: 'smtp' | 'imap', host: string, port: number): Promise<FieldError | null> {
    try {
      await guard.resolve(host, port, field === 'smtp' ? SMTP_PORTS : IMAP_PORTS);
      return null;
    } catch (err) {
      if (!(err instanceof NetGuardError)) throw err;
      if (err.reason === 'port') return { field: `${field}.port`, message: mailText.hostRefused.port(field === 'smtp' ? SMTP_PORTS : IMAP_PORTS) };
      return { field: `${field}.host`, message: err.reason === 'address' ? mailText.hostRefused.address : mailText.hostRefused.unresolvable };
    }
  }

  function dto(row: MailSettingsRow | undefined) {
    const server = (s: MailServerConfig | null | undefined) =>
      s
        ? { host: s.host, port: s.port, secure: s.secure, user: s.user, passwordSet: Boolean(s.passwordEnc), ...(s.mailbox ? { mailbox: s.mailbox } : {}) }
        : null;
    const system = systemSender();
    // Only a category is stored and shown, never what the server said.
    const hint = row?.imapError && HINTS.has(row.imapError) ? (row.imapError as MailHint) : row?.imapError ? 'unknown' : null;
    return {
      smtp: server(row?.smtp),
      imap: server(row?.imap),
      fromName: row?.fromName ?? null,
      fromAddress: row?.fromAddress ?? null,
      notifications: { enabled: row?.notificationsEnabled ?? true },
      imapStatus: row?.imap ? { error: hint ? { hint, message: mailText.mailboxHint(hint) } : null, lastUid: row.imapLastUid } : null,
      system: { configured: Boolean(system), from: system?.from.address ?? null },
    };
  }

  return {
    sender,
    /** The account's own mailbox (client email needs it). */
    accountSender,
    systemSender,
    imap,
    imapAccountIds: () => imapAccountIds(db),
    notificationsEnabled: (accountId: number) => getSettings(db, accountId)?.notificationsEnabled ?? true,
    get: (accountId: number) => dto(getSettings(db, accountId)),
    /** At uninstall: the stored passwords go; hosts and users stay so a reinstall only asks for the passwords again. */
    forgetPasswords: (accountId: number) => clearPasswords(db, accountId, clock.now()),
    async put(accountId: number, body: SettingsBody) {
      const prev = getSettings(db, accountId);
      const smtp = body.smtp ? merge(body.smtp, prev?.smtp, 'smtp') : null;
      const imap = body.imap === undefined ? (prev?.imap ?? null) : body.imap ? merge(body.imap, prev?.imap, 'imap') : null;
      const fromAddress = body.fromAddress === undefined ? (prev?.fromAddress ?? null) : body.fromAddress;
      if (smtp && !fromAddress) {
        throw new AppError('VALIDATION_FAILED', 'fromAddress is required with an SMTP server', {
          errors: [{ field: 'fromAddress', message: 'required with smtp' }],
        });
      }
      const refused = (
        await Promise.all([
          body.smtp ? checkHost('smtp', body.smtp.host, body.smtp.port) : null,
          body.imap ? checkHost('imap', body.imap.host, body.imap.port) : null,
        ])
      ).filter((e): e is FieldError => e !== null);
      if (refused.length) {
        throw new AppError('VALIDATION_FAILED', `Mail server not allowed: ${refused.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors: refused });
      }
      // Re-read after the lookups: another save may have landed meanwhile, and this one is computed from what is stored now.
      const now = clock.now();
      const current = getSettings(db, accountId);
      const imapMoved =
        !imap ||
        !current?.imap ||
        imap.host !== current.imap.host ||
        imap.user !== current.imap.user ||
        (imap.mailbox ?? 'INBOX') !== (current.imap.mailbox ?? 'INBOX');
      saveSettings(db, {
        accountId,
        smtp,
        imap,
        fromName: body.fromName === undefined ? (current?.fromName ?? null) : body.fromName,
        fromAddress,
        notificationsEnabled: body.notifications?.enabled ?? current?.notificationsEnabled ?? true,
        // A different mailbox starts a new cursor: only mail that arrives from now on is read.
        imapUidValidity: imapMoved ? null : (current?.imapUidValidity ?? null),
        imapLastUid: imapMoved ? 0 : (current?.imapLastUid ?? 0),
        imapError: imapMoved ? null : (current?.imapError ?? null),
        imapSince: imapMoved ? now : (current?.imapSince ?? now),
        imapFailures: imapMoved ? null : (current?.imapFailures ?? null),
        updatedAt: now,
      });
      return dto(getSettings(db, accountId));
    },
  };
}

export type MailSettings = ReturnType<typeof createMailSettings>;
