import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { accounts, kommoUsers, mailNotifications, mailUserPrefs, type NotificationRow } from '../../../db/schema/index.js';

export type NewNotification = Omit<NotificationRow, 'id' | 'outboxId' | 'skipReason' | 'status'>;

/** Null when the dedupe key was already used: exactly once per key. */
export function insertNotification(db: Db, n: NewNotification): NotificationRow | undefined {
  return db
    .insert(mailNotifications)
    .values({ ...n, status: 'pending' })
    .onConflictDoNothing()
    .returning()
    .get();
}

const forUser = (userId: number | null) => (userId === null ? isNull(mailNotifications.userId) : eq(mailNotifications.userId, userId));

export function pendingFor(db: Db, accountId: number, userId: number | null): NotificationRow[] {
  return db
    .select()
    .from(mailNotifications)
    .where(and(eq(mailNotifications.accountId, accountId), forUser(userId), eq(mailNotifications.status, 'pending')))
    .orderBy(asc(mailNotifications.id))
    .all();
}

export function pendingForAccount(db: Db, accountId: number): NotificationRow[] {
  return db
    .select()
    .from(mailNotifications)
    .where(and(eq(mailNotifications.accountId, accountId), eq(mailNotifications.status, 'pending')))
    .all();
}

export function settleNotifications(db: Db, ids: number[], patch: { status: 'batched' | 'skipped'; outboxId?: number; skipReason?: string }) {
  db.update(mailNotifications)
    .set({ status: patch.status, outboxId: patch.outboxId ?? null, skipReason: patch.skipReason ?? null })
    .where(inArray(mailNotifications.id, ids))
    .run();
}

export interface UserPref {
  enabled: boolean;
  mutedKinds: string[];
}

/** No row: every notification email on. */
export function userPref(db: Db, accountId: number, userId: number): UserPref {
  const row = db
    .select()
    .from(mailUserPrefs)
    .where(and(eq(mailUserPrefs.accountId, accountId), eq(mailUserPrefs.userId, userId)))
    .get();
  return { enabled: row?.notificationsEnabled ?? true, mutedKinds: row?.mutedKinds ?? [] };
}

export function setUserPref(db: Db, accountId: number, userId: number, pref: UserPref, now: number) {
  const set = { notificationsEnabled: pref.enabled, mutedKinds: pref.mutedKinds.length ? pref.mutedKinds : null, updatedAt: now };
  db.insert(mailUserPrefs)
    .values({ accountId, userId, ...set })
    .onConflictDoUpdate({ target: [mailUserPrefs.accountId, mailUserPrefs.userId], set })
    .run();
}

/** Live users with an email: one user, or every admin when `userId` is null. */
export function recipientsFor(db: Db, accountId: number, userId: number | null) {
  const where = [eq(kommoUsers.accountId, accountId), isNull(kommoUsers.deletedAt), eq(kommoUsers.isActive, true)];
  where.push(userId === null ? eq(kommoUsers.isAdmin, true) : eq(kommoUsers.id, userId));
  return db
    .select({ id: kommoUsers.id, name: kommoUsers.name, email: kommoUsers.email })
    .from(kommoUsers)
    .where(and(...where))
    .all();
}

/** The account's Kommo host (`acme.kommo.com`), for links back into Kommo. */
export function accountHost(db: Db, accountId: number): string | null {
  return db.select({ host: accounts.host }).from(accounts).where(eq(accounts.id, accountId)).get()?.host ?? null;
}
