import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { syncCursors, syncRuns } from '../../../db/schema/index.js';

export type SyncRun = typeof syncRuns.$inferSelect;

export function latestRun(db: Db, accountId: number): SyncRun | undefined {
  return db.select().from(syncRuns).where(eq(syncRuns.accountId, accountId)).orderBy(desc(syncRuns.id)).limit(1).get();
}

export function activeRun(db: Db, accountId: number): SyncRun | undefined {
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), inArray(syncRuns.status, ['queued', 'running'])))
    .orderBy(desc(syncRuns.id))
    .limit(1)
    .get();
}

export function getRun(db: Db, accountId: number, id: number): SyncRun | undefined {
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.id, id)))
    .get();
}

export function insertRun(db: Db, accountId: number, kind: 'full' | 'incremental', now: number): SyncRun {
  return db.insert(syncRuns).values({ accountId, kind, status: 'queued', createdAt: now }).returning().get();
}

export function updateRun(db: Db, accountId: number, id: number, patch: Partial<Omit<SyncRun, 'id' | 'accountId'>>) {
  db.update(syncRuns)
    .set(patch)
    .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.id, id)))
    .run();
}

export function getCursor(db: Db, accountId: number, entity: string): number {
  return (
    db
      .select()
      .from(syncCursors)
      .where(and(eq(syncCursors.accountId, accountId), eq(syncCursors.entity, entity)))
      .get()?.updatedFrom ?? 0
  );
}

export function setCursor(db: Db, accountId: number, entity: string, updatedFrom: number) {
  db.insert(syncCursors)
    .values({ accountId, entity, updatedFrom })
    .onConflictDoUpdate({ target: [syncCursors.accountId, syncCursors.entity], set: { updatedFrom } })
    .run();
}
