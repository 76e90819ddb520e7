import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { mailOutbox, type OutboxRow } from '../../../db/schema/index.js';

export type NewOutboxRow = Omit<OutboxRow, 'id' | 'attempts' | 'lastError' | 'smtpDataAt' | 'smtpResponse' | 'noteId' | 'sentAt'>;

export function insertOutbox(db: Db, row: NewOutboxRow): OutboxRow {
  return db.insert(mailOutbox).values(row).returning().get();
}

export function outboxByKey(db: Db, accountId: number, idempotencyKey: string): OutboxRow | undefined {
  return db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.accountId, accountId), eq(mailOutbox.idempotencyKey, idempotencyKey)))
    .get();
}

export function outboxById(db: Db, id: number): OutboxRow | undefined {
  return db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
}

export function outboxByMessageIds(db: Db, accountId: number, messageIds: string[]): OutboxRow | undefined {
  for (const m of messageIds) {
    const row = db
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.accountId, accountId), eq(mailOutbox.messageId, m)))
      .get();
    if (row) return row;
  }
  return undefined;
}

export function listOutbox(db: Db, q: { accountId: number; leadId?: number; status?: string; limit: number }): OutboxRow[] {
  const where: SQL[] = [eq(mailOutbox.accountId, q.accountId)];
  if (q.leadId !== undefined) where.push(eq(mailOutbox.leadId, q.leadId));
  if (q.status) where.push(eq(mailOutbox.status, q.status));
  return db
    .select()
    .from(mailOutbox)
    .where(and(...where))
    .orderBy(desc(mailOutbox.id))
    .limit(q.limit)
    .all();
}

export function updateOutbox(db: Db, id: number, patch: Partial<Omit<OutboxRow, 'id' | 'accountId'>>) {
  db.update(mailOutbox).set(patch).where(eq(mailOutbox.id, id)).run();
}

/** Uninstall: every email of the account still waiting ends `cancelled` with the reason. Returns how many. */
export function cancelQueuedOutbox(db: Db, accountId: number, reason: string, now: number): number {
  return db
    .update(mailOutbox)
    .set({ status: 'cancelled', lastError: reason, updatedAt: now })
    .where(and(eq(mailOutbox.accountId, accountId), inArray(mailOutbox.status, ['queued', 'refused'])))
    .run().changes;
}

/** A user cancels one email that has not gone out (queued, or held by the daily cap): compare-and-swap on the status. */
export function cancelOneOutbox(db: Db, accountId: number, id: number, reason: string, now: number): boolean {
  return (
    db
      .update(mailOutbox)
      .set({ status: 'cancelled', lastError: reason, updatedAt: now })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.accountId, accountId), inArray(mailOutbox.status, ['queued', 'refused'])))
      .run().changes === 1
  );
}

/** A bounce came back for one of these Message-IDs: the sent email it names is `bounced`. Returns that row. */
export function markBounced(db: Db, accountId: number, messageIds: string[], reason: string, now: number): OutboxRow | undefined {
  const row = outboxByMessageIds(db, accountId, messageIds);
  if (!row || (row.status !== 'sent' && row.status !== 'sending')) return undefined;
  db.update(mailOutbox).set({ status: 'bounced', lastError: reason, updatedAt: now }).where(eq(mailOutbox.id, row.id)).run();
  return { ...row, status: 'bounced', lastError: reason };
}

/** The outbox as the API reads it: always scoped by account. */
export function createOutboxRepo(db: Db) {
  return {
    list: (q: { accountId: number; leadId?: number; status?: string; limit: number }) => listOutbox(db, q),
    /** One of our own sent emails, by its Message-ID (an IMAP copy of it is not client mail). */
    byMessageId: (accountId: number, messageId: string): OutboxRow | undefined => outboxByMessageIds(db, accountId, [messageId]),
    markBounced: (accountId: number, messageIds: string[], reason: string, now: number) => markBounced(db, accountId, messageIds, reason, now),
    byId(accountId: number, id: number): OutboxRow | undefined {
      const row = outboxById(db, id);
      return row && row.accountId === accountId ? row : undefined;
    },
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
