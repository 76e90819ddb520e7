import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { agentDrafts, agentTurns, type AgentDraftRow, type AgentTurnRow } from '../../../db/schema/index.js';

export type TurnStatus = 'running' | 'deferred' | 'replied' | 'drafted' | 'handoff' | 'skipped' | 'failed';
export const FINAL_TURN: ReadonlySet<string> = new Set(['replied', 'drafted', 'handoff', 'skipped', 'failed']);

export function turnByKey(db: Db, accountId: number, turnKey: string): AgentTurnRow | undefined {
  return db
    .select()
    .from(agentTurns)
    .where(and(eq(agentTurns.accountId, accountId), eq(agentTurns.turnKey, turnKey)))
    .get();
}

export function insertTurn(
  db: Db,
  row: Pick<AgentTurnRow, 'accountId' | 'leadId' | 'agentId' | 'turnKey' | 'trigger'> & Partial<Pick<AgentTurnRow, 'pipelineId' | 'statusId'>>,
  now: number,
): AgentTurnRow {
  return db
    .insert(agentTurns)
    .values({ ...row, status: 'running', createdAt: now })
    .returning()
    .get();
}

export function updateTurn(db: Db, accountId: number, id: number, patch: Partial<Omit<AgentTurnRow, 'id' | 'accountId'>> & { status?: TurnStatus }) {
  db.update(agentTurns)
    .set(patch)
    .where(and(eq(agentTurns.accountId, accountId), eq(agentTurns.id, id)))
    .run();
}

/** A person's suggestion kept as a draft is not the agent's answer: it counts toward neither the daily cap nor the turn count. */
const notSuggestion = sql`json_extract(${agentTurns.trigger}, '$.kind') IS NOT 'suggestion'`;

/** Replies and drafts this lead got since `since` (the daily cap). */
export function countAnswersSince(db: Db, accountId: number, leadId: number, since: number): number {
  return db
    .select({ id: agentTurns.id })
    .from(agentTurns)
    .where(
      and(
        eq(agentTurns.accountId, accountId),
        eq(agentTurns.leadId, leadId),
        inArray(agentTurns.status, ['replied', 'drafted']),
        notSuggestion,
        gte(agentTurns.createdAt, since),
      ),
    )
    .all().length;
}

export function countAnswers(db: Db, accountId: number, leadId: number, agentId: number): number {
  return db
    .select({ id: agentTurns.id })
    .from(agentTurns)
    .where(
      and(
        eq(agentTurns.accountId, accountId),
        eq(agentTurns.leadId, leadId),
        eq(agentTurns.agentId, agentId),
        inArray(agentTurns.status, ['replied', 'drafted']),
        notSuggestion,
      ),
    )
    .all().length;
}

/**
 * What the agent said on a lead, newest first: replies sent by the turn itself, and drafts a person
 * approved (with their final, possibly edited, text). `id` is the turn's id in both cases.
 */
export function recentReplies(db: Db, accountId: number, leadId: number, limit = 20): { id: number; text: string; at: number; model: string | null }[] {
  const modelOf = (plan: unknown) => (plan as { model?: string } | null)?.model ?? null;
  const direct = db
    .select()
    .from(agentTurns)
    .where(and(eq(agentTurns.accountId, accountId), eq(agentTurns.leadId, leadId), eq(agentTurns.status, 'replied')))
    .orderBy(desc(agentTurns.id))
    .limit(limit)
    .all()
    .map((t) => ({ id: t.id, text: t.reply ?? '', at: t.finishedAt ?? t.createdAt, model: modelOf(t.plan) }));
  const approved = db
    .select()
    .from(agentDrafts)
    .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.leadId, leadId), eq(agentDrafts.status, 'sent')))
    .orderBy(desc(agentDrafts.id))
    .limit(limit)
    .all()
    .map((d) => ({ id: d.turnId, text: d.text, at: d.decidedAt ?? d.createdAt, model: null as string | null }));
  const draftTurns = approved.length
    ? db
        .select({ id: agentTurns.id, plan: agentTurns.plan })
        .from(agentTurns)
        .where(
          and(
            eq(agentTurns.accountId, accountId),
            inArray(
              agentTurns.id,
              approved.map((a) => a.id),
            ),
          ),
        )
        .all()
    : [];
  for (const a of approved) a.model = modelOf(draftTurns.find((t) => t.id === a.id)?.plan);
  return [...direct, ...approved].sort((a, b) => b.at - a.at || b.id - a.id).slice(0, limit);
}

export function draftForTurn(db: Db, accountId: number, turnId: number): AgentDraftRow | undefined {
  return db
    .select()
    .from(agentDrafts)
    .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.turnId, turnId)))
    .get();
}

export function insertDraft(
  db: Db,
  row: Pick<AgentDraftRow, 'accountId' | 'leadId' | 'agentId' | 'turnId' | 'text' | 'channel' | 'delivery'>,
  now: number,
): AgentDraftRow {
  return db
    .insert(agentDrafts)
    .values({ ...row, status: 'pending', createdAt: now })
    .returning()
    .get();
}

export function getDraft(db: Db, accountId: number, id: number): AgentDraftRow | undefined {
  return db
    .select()
    .from(agentDrafts)
    .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.id, id)))
    .get();
}

export function updateDraft(db: Db, accountId: number, id: number, patch: Partial<Omit<AgentDraftRow, 'id' | 'accountId'>>) {
  db.update(agentDrafts)
    .set(patch)
    .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.id, id)))
    .run();
}

export function swapDraftStatus(db: Db, accountId: number, id: number, from: string, to: string): boolean {
  return (
    db
      .update(agentDrafts)
      .set({ status: to })
      .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.id, id), eq(agentDrafts.status, from)))
      .run().changes === 1
  );
}

export function pendingDrafts(db: Db, accountId: number, leadId: number): AgentDraftRow[] {
  return db
    .select()
    .from(agentDrafts)
    .where(and(eq(agentDrafts.accountId, accountId), eq(agentDrafts.leadId, leadId), eq(agentDrafts.status, 'pending')))
    .orderBy(desc(agentDrafts.id))
    .all();
}

/** The turns behind these drafts: what triggered each and the plan it made (what a draft answers, and why it reads as it does). */
export function turnsOf(db: Db, accountId: number, ids: number[]): Pick<AgentTurnRow, 'id' | 'trigger' | 'plan'>[] {
  if (!ids.length) return [];
  return db
    .select({ id: agentTurns.id, trigger: agentTurns.trigger, plan: agentTurns.plan })
    .from(agentTurns)
    .where(and(eq(agentTurns.accountId, accountId), inArray(agentTurns.id, ids)))
    .all();
}

/** The trigger of the lead's latest turn that answered a client message (its channel, Salesbot request or email thread). */
export function lastMessageTrigger(db: Db, accountId: number, leadId: number): Record<string, unknown> | undefined {
  return db
    .select({ trigger: agentTurns.trigger })
    .from(agentTurns)
    .where(and(eq(agentTurns.accountId, accountId), eq(agentTurns.leadId, leadId), sql`json_extract(${agentTurns.trigger}, '$.kind') = 'message'`))
    .orderBy(desc(agentTurns.id))
    .limit(1)
    .get()?.trigger;
}
