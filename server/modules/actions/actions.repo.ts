import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { agentActions, type AgentActionRow } from '../../../db/schema/index.js';

/** `proposed`: held with a draft until a person approves it; `discarded`: its draft was discarded, or it was removed before approval. */
export type ActionStatus = 'running' | 'done' | 'undone' | 'failed' | 'pending_approval' | 'rejected' | 'proposed' | 'discarded';

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

/** A draft's proposed actions, in the order the model asked for them. */
export function proposedForDraft(db: Db, accountId: number, draftId: number): AgentActionRow[] {
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.draftId, draftId), eq(agentActions.status, 'proposed')))
    .orderBy(asc(agentActions.seq))
    .all();
}

/** Every action linked to these drafts (for the lead panel). */
export function actionsOfDrafts(db: Db, accountId: number, draftIds: number[]): AgentActionRow[] {
  if (!draftIds.length) return [];
  return db
    .select()
    .from(agentActions)
    .where(and(eq(agentActions.accountId, accountId), inArray(agentActions.draftId, draftIds)))
    .orderBy(asc(agentActions.seq))
    .all();
}

/** Link a turn's proposed actions to the draft that carries its reply (once: the draft exists after the actions). */
export function attachTurnProposals(db: Db, accountId: number, turnId: number, draftId: number, now: number) {
  db.update(agentActions)
    .set({ draftId, updatedAt: now })
    .where(and(eq(agentActions.accountId, accountId), eq(agentActions.turnId, turnId), eq(agentActions.status, 'proposed'), isNull(agentActions.draftId)))
    .run();
}
