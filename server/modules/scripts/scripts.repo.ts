import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { salesScripts, salesScriptStages, type SalesScriptRow } from '../../../db/schema/index.js';

export interface Stage {
  pipelineId: number;
  statusId: number;
}
export type ScriptWithStages = SalesScriptRow & { stages: Stage[] };

function withStages(db: Db, rows: SalesScriptRow[]): ScriptWithStages[] {
  if (!rows.length) return [];
  const st = db
    .select()
    .from(salesScriptStages)
    .where(
      inArray(
        salesScriptStages.scriptId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(salesScriptStages.pipelineId), asc(salesScriptStages.statusId))
    .all();
  return rows.map((r) => ({ ...r, stages: st.filter((s) => s.scriptId === r.id).map((s) => ({ pipelineId: s.pipelineId, statusId: s.statusId })) }));
}

export function listScripts(db: Db, accountId: number, agentId?: number): ScriptWithStages[] {
  const where = agentId === undefined ? eq(salesScripts.accountId, accountId) : and(eq(salesScripts.accountId, accountId), eq(salesScripts.agentId, agentId));
  return withStages(db, db.select().from(salesScripts).where(where).orderBy(asc(salesScripts.id)).all());
}

export function getScript(db: Db, accountId: number, id: number): ScriptWithStages | undefined {
  const row = db
    .select()
    .from(salesScripts)
    .where(and(eq(salesScripts.accountId, accountId), eq(salesScripts.id, id)))
    .get();
  return row ? withStages(db, [row])[0] : undefined;
}

export function insertScript(db: Db, row: { accountId: number; agentId: number | null; name: string; body: string }, now: number): SalesScriptRow {
  return db
    .insert(salesScripts)
    .values({ ...row, createdAt: now, updatedAt: now })
    .returning()
    .get();
}

export function updateScript(db: Db, accountId: number, id: number, patch: Partial<{ agentId: number | null; name: string; body: string }>, now: number) {
  db.update(salesScripts)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(salesScripts.accountId, accountId), eq(salesScripts.id, id)))
    .run();
}

export function replaceStages(db: Db, accountId: number, scriptId: number, stages: Stage[]) {
  db.delete(salesScriptStages).where(eq(salesScriptStages.scriptId, scriptId)).run();
  const unique = [...new Map(stages.map((s) => [`${s.pipelineId}:${s.statusId}`, s])).values()];
  if (unique.length)
    db.insert(salesScriptStages)
      .values(unique.map((s) => ({ scriptId, accountId, ...s })))
      .run();
}

export function deleteScript(db: Db, accountId: number, id: number): boolean {
  return (
    db
      .delete(salesScripts)
      .where(and(eq(salesScripts.accountId, accountId), eq(salesScripts.id, id)))
      .run().changes === 1
  );
}

/**
 * The script for a lead's stage: one bound to the stage for this agent, else one bound to the stage
 * for any agent, else the agent's script bound to no stage.
 */
export function scriptForStage(db: Db, accountId: number, agentId: number, pipelineId: number, statusId: number): SalesScriptRow | undefined {
  const bound = db
    .select({ s: salesScripts })
    .from(salesScriptStages)
    .innerJoin(salesScripts, eq(salesScripts.id, salesScriptStages.scriptId))
    .where(
      and(
        eq(salesScriptStages.accountId, accountId),
        eq(salesScriptStages.pipelineId, pipelineId),
        eq(salesScriptStages.statusId, statusId),
        eq(salesScripts.accountId, accountId),
        or(eq(salesScripts.agentId, agentId), isNull(salesScripts.agentId)),
      ),
    )
    .all()
    .map((r) => r.s)
    .sort((a, b) => (a.agentId === null ? 1 : 0) - (b.agentId === null ? 1 : 0) || a.id - b.id)[0];
  if (bound) return bound;
  return listScripts(db, accountId, agentId).find((s) => s.stages.length === 0);
}
