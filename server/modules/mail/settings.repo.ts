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

export function imapAccountIds(db: Db): number[] {
  return db
    .select({ id: mailSettings.accountId })
    .from(mailSettings)
    .where(isNotNull(mailSettings.imap))
    .all()
    .map((r) => r.id);
}

export function setImapCursor(db: Db, accountId: number, uidValidity: string, lastUid: number) {
  db.update(mailSettings).set({ imapUidValidity: uidValidity, imapLastUid: lastUid, imapError: null }).where(eq(mailSettings.accountId, accountId)).run();
}

export function setImapError(db: Db, accountId: number, error: string | null) {
  db.update(mailSettings).set({ imapError: error }).where(eq(mailSettings.accountId, accountId)).run();
}
