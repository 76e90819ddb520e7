import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { agents, agentStageBindings, type AgentRow } from '../../../db/schema/index.js';

export type NewAgent = Omit<AgentRow, 'id' | 'createdAt' | 'updatedAt'>;

export function listAgents(db: Db, accountId: number): AgentRow[] {
  return db.select().from(agents).where(eq(agents.accountId, accountId)).orderBy(asc(agents.id)).all();
}

export function getAgent(db: Db, accountId: number, id: number): AgentRow | undefined {
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.accountId, accountId), eq(agents.id, id)))
    .get();
}

export function insertAgent(db: Db, row: NewAgent, now: number): AgentRow {
  return db
    .insert(agents)
    .values({ ...row, createdAt: now, updatedAt: now })
    .returning()
    .get();
}

export function updateAgent(db: Db, accountId: number, id: number, patch: Partial<NewAgent>, now: number): AgentRow | undefined {
  return db
    .update(agents)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(agents.accountId, accountId), eq(agents.id, id)))
    .returning()
    .get();
}

export function deleteAgent(db: Db, accountId: number, id: number): boolean {
  return (
    db
      .delete(agents)
      .where(and(eq(agents.accountId, accountId), eq(agents.id, id)))
      .run().changes === 1
  );
}

/** What a lead entering the stage does: nothing, the agent writes first, or the agent (resumed) waits for the client. */
export type OnStageEnter = 'off' | 'greet' | 'wait';

export interface Binding {
  pipelineId: number;
  statusId: number;
  agentId: number;
  onStageEnter: OnStageEnter;
  /** The agent may answer by email when the client wrote by email (off: the reply waits as a draft). */
  replyByEmail: boolean;
}

export function listBindings(db: Db, accountId: number): Binding[] {
  return db
    .select({
      pipelineId: agentStageBindings.pipelineId,
      statusId: agentStageBindings.statusId,
      agentId: agentStageBindings.agentId,
      onStageEnter: sql<OnStageEnter>`${agentStageBindings.onStageEnter}`,
      replyByEmail: agentStageBindings.replyByEmail,
    })
    .from(agentStageBindings)
    .where(eq(agentStageBindings.accountId, accountId))
    .orderBy(asc(agentStageBindings.pipelineId), asc(agentStageBindings.statusId))
    .all();
}

export function setBinding(db: Db, accountId: number, b: Binding, now: number) {
  db.insert(agentStageBindings)
    .values({ accountId, ...b, createdAt: now })
    .onConflictDoUpdate({
      target: [agentStageBindings.accountId, agentStageBindings.pipelineId, agentStageBindings.statusId],
      set: { agentId: b.agentId, onStageEnter: b.onStageEnter, replyByEmail: b.replyByEmail, createdAt: now },
    })
    .run();
}

export function removeBinding(db: Db, accountId: number, pipelineId: number, statusId: number) {
  db.delete(agentStageBindings)
    .where(and(eq(agentStageBindings.accountId, accountId), eq(agentStageBindings.pipelineId, pipelineId), eq(agentStageBindings.statusId, statusId)))
    .run();
}

/** The agent bound to a stage: the hot lookup of every trigger, so one indexed read. */
// Looked up for every client message and trigger: prepared once per database.
const stageQueries = new WeakMap<Db, ReturnType<typeof prepareAgentForStage>>();
function prepareAgentForStage(db: Db) {
  return db
    .select({ agent: agents, onStageEnter: agentStageBindings.onStageEnter, replyByEmail: agentStageBindings.replyByEmail })
    .from(agentStageBindings)
    .innerJoin(agents, eq(agents.id, agentStageBindings.agentId))
    .where(
      and(
        eq(agentStageBindings.accountId, sql.placeholder('accountId')),
        eq(agentStageBindings.pipelineId, sql.placeholder('pipelineId')),
        eq(agentStageBindings.statusId, sql.placeholder('statusId')),
        eq(agents.accountId, sql.placeholder('accountId')),
      ),
    )
    .prepare();
}

export function stageBinding(
  db: Db,
  accountId: number,
  pipelineId: number,
  statusId: number,
): { agent: AgentRow; onStageEnter: OnStageEnter; replyByEmail: boolean } | undefined {
  let q = stageQueries.get(db);
  if (!q) {
    q = prepareAgentForStage(db);
    stageQueries.set(db, q);
  }
  const r = q.get({ accountId, pipelineId, statusId });
  return r ? { agent: r.agent, onStageEnter: r.onStageEnter as OnStageEnter, replyByEmail: r.replyByEmail } : undefined;
}

export function agentForStage(db: Db, accountId: number, pipelineId: number, statusId: number): AgentRow | undefined {
  return stageBinding(db, accountId, pipelineId, statusId)?.agent;
}
