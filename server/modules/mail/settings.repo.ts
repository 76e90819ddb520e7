import { eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { mailSettings, type MailSettingsRow } from '../../../db/schema/index.js';

export function getSettings(db: Db, accountId: number): MailSettingsRow | undefined {
  return db.select().from(mailSettings).where(eq(mailSettings.accountId, accountId)).get();
}

export function saveSettings(db: Db, row: MailSettingsRow) {
  const { accountId, ...rest } = row;
  db.insert(mailSettings).values(row).onConflictDoUpdate({ target: mailSettings.accountId, set: rest }).run();
}

/** Accounts whose IMAP mailbox can be read (set, with a password). */
export function imapAccountIds(db: Db): number[] {
  return db
    .select({ id: mailSettings.accountId, imap: mailSettings.imap })
    .from(mailSettings)
    .where(isNotNull(mailSettings.imap))
    .all()
    .filter((r) => Boolean(r.imap?.passwordEnc))
    .map((r) => r.id);
}

/** Past this UID; the failure counts of UIDs at or below it are dropped with it (all of them when the mailbox was renumbered). */
export function setImapCursor(db: Db, accountId: number, uidValidity: string, lastUid: number) {
  const row = getSettings(db, accountId);
  const failures = row?.imapUidValidity === uidValidity ? (row.imapFailures ?? null) : null;
  const left = failures ? Object.fromEntries(Object.entries(failures).filter(([uid]) => Number(uid) > lastUid)) : null;
  db.update(mailSettings)
    .set({ imapUidValidity: uidValidity, imapLastUid: lastUid, imapError: null, imapFailures: left && Object.keys(left).length ? left : null })
    .where(eq(mailSettings.accountId, accountId))
    .run();
}

/** A category (auth, tls, …), never the server's own words. */
export function setImapError(db: Db, accountId: number, hint: string | null) {
  db.update(mailSettings).set({ imapError: hint }).where(eq(mailSettings.accountId, accountId)).run();
}

/** One more failed read of `uid`; returns the new count. */
export function countImapFailure(db: Db, accountId: number, uid: number): number {
  const failures = { ...(getSettings(db, accountId)?.imapFailures ?? {}) };
  const n = (failures[String(uid)] ?? 0) + 1;
  failures[String(uid)] = n;
  db.update(mailSettings).set({ imapFailures: failures }).where(eq(mailSettings.accountId, accountId)).run();
  return n;
}

/** Uninstall: the mailbox passwords are deleted (an empty ciphertext reads as "no password"). */
export function clearPasswords(db: Db, accountId: number, now: number) {
  const row = getSettings(db, accountId);
  if (!row) return;
  db.update(mailSettings)
    .set({
      smtp: row.smtp ? { ...row.smtp, passwordEnc: '' } : null,
      imap: row.imap ? { ...row.imap, passwordEnc: '' } : null,
      updatedAt: now,
    })
    .where(eq(mailSettings.accountId, accountId))
    .run();
}
