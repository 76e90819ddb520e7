import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { agentActions, type AgentActionRow } from '../../../db/schema/index.js';

export type ActionStatus = 'running' | 'done' | 'undone' | 'failed' | 'pending_approval' | 'rejected';

export function insertAction(
  db: Db,
  row: Pick<AgentActionRow, 'accountId' | 'leadId' | 'agentId' | 'turnId' | 'seq' | 'type' | 'args' | 'summary'> & {
    status: ActionStatus;
    ruleRunId?: number | null;
    stepRunId?: number | null;
  },
  now: number,
): AgentActionRow {
  return db
    .insert(agentActions)
    .values({ ...row, createdAt: now, updatedAt: now })
    .returning()
    .get();
}

export function getAction(db: Db, accountId: number, id: number): AgentActionRow | undefined {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.id, id)))
    .get();
}

export function actionByTurnSeq(db: Db, accountId: number, turnId: number, seq: number): AgentActionRow | undefined {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.turnId, turnId), eq(agentActions.seq, seq)))
    .get();
}

/** A rule run's action at its position (the rule-side twin of actionByTurnSeq). */
export function actionByRuleSeq(db: Db, accountId: number, ruleRunId: number, seq: number): AgentActionRow | undefined {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.ruleRunId, ruleRunId), eq(agentActions.seq, seq)))
    .get();
}

/** A sequence step run's action (one per step run). */
export function actionByStepRun(db: Db, accountId: number, stepRunId: number): AgentActionRow | undefined {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.stepRunId, stepRunId)))
    .get();
}

export function updateAction(
  db: Db,
  accountId: number,
  id: number,
  patch: Partial<Omit<AgentActionRow, 'id' | 'accountId'>> & { status?: ActionStatus },
  now: number,
) {
  db.update(agentActions)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.id, id)))
    .run();
}

/** Compare-and-swap on the status, so two clicks on undo or approve act once. */
export function swapActionStatus(db: Db, accountId: number, id: number, from: ActionStatus, to: ActionStatus, now: number): boolean {
  return (
    db
      .update(agentActions)
      .set({ status: to, updatedAt: now })
      .where(and(eq(agentActions.accountId, accountId), eq(agentActions.id, id), eq(agentActions.status, from)))
      .run().changes === 1
  );
}

export function listLeadActions(db: Db, accountId: number, leadId: number, limit = 50): AgentActionRow[] {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.leadId, leadId)))
    .orderBy(desc(agentActions.id))
    .limit(limit)
    .all();
}
