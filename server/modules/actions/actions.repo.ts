import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../db/client.js';
import { agentActions, type AgentActionRow } from '../../../db/schema/index.js';

/** `proposed`: held with a draft until a person approves it; `discarded`: its draft was discarded, or it was removed before approval. */
export type ActionStatus = 'running' | 'done' | 'undone' | 'failed' | 'pending_approval' | 'rejected' | 'proposed' | 'discarded';

const ACTION_COLUMNS = `id, account_id AS accountId, lead_id AS leadId, agent_id AS agentId, turn_id AS turnId, seq, type, args, summary, status,
  before, after, kommo_ids AS kommoIds, error, rule_run_id AS ruleRunId, step_run_id AS stepRunId, approved_by AS approvedBy,
  undone_by AS undoneBy, created_at AS createdAt, updated_at AS updatedAt`;
const SQL = {
  insert: `INSERT INTO agent_actions (account_id, lead_id, agent_id, turn_id, seq, type, args, summary, status, rule_run_id, step_run_id, created_at, updated_at)
    VALUES (@accountId, @leadId, @agentId, @turnId, @seq, @type, @args, @summary, @status, @ruleRunId, @stepRunId, @now, @now) RETURNING ${ACTION_COLUMNS}`,
  get: `SELECT ${ACTION_COLUMNS} FROM agent_actions WHERE account_id = ? AND id = ?`,
  byTurnSeq: `SELECT ${ACTION_COLUMNS} FROM agent_actions WHERE account_id = ? AND turn_id = ? AND seq = ?`,
  byRuleSeq: `SELECT ${ACTION_COLUMNS} FROM agent_actions WHERE account_id = ? AND rule_run_id = ? AND seq = ?`,
  byStepRun: `SELECT ${ACTION_COLUMNS} FROM agent_actions WHERE account_id = ? AND step_run_id = ?`,
};
type Statements = { [K in keyof typeof SQL]: Statement };
const statements = new WeakMap<object, Statements>();

/** Prepared once per connection: every agent, rule and sequence action reads and writes these rows (no query building per call). */
function stmts(db: Db): Statements {
  let s = statements.get(db.$client);
  if (!s) {
    const sqlite = db.$client;
    s = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, sqlite.prepare(v)])) as Statements;
    statements.set(sqlite, s);
  }
  return s;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(v as string));
/** A raw row as the schema types it (the JSON columns parsed, as drizzle's json mode does). */
function toRow(r: Record<string, unknown> | undefined): AgentActionRow | undefined {
  if (!r) return undefined;
  return { ...r, args: json(r.args), before: json(r.before), after: json(r.after), kommoIds: json(r.kommoIds) } as AgentActionRow;
}

export function insertAction(
  db: Db,
  row: Pick<AgentActionRow, 'accountId' | 'leadId' | 'agentId' | 'turnId' | 'seq' | 'type' | 'args' | 'summary'> & {
    status: ActionStatus;
    ruleRunId?: number | null;
    stepRunId?: number | null;
  },
  now: number,
): AgentActionRow {
  return toRow(
    stmts(db).insert.get({
      accountId: row.accountId,
      leadId: row.leadId,
      agentId: row.agentId,
      turnId: row.turnId ?? null,
      seq: row.seq ?? 0,
      type: row.type,
      args: JSON.stringify(row.args),
      summary: row.summary,
      status: row.status,
      ruleRunId: row.ruleRunId ?? null,
      stepRunId: row.stepRunId ?? null,
      now,
    }) as Record<string, unknown>,
  )!;
}

export function getAction(db: Db, accountId: number, id: number): AgentActionRow | undefined {
  return toRow(stmts(db).get.get(accountId, id) as Record<string, unknown> | undefined);
}

export function actionByTurnSeq(db: Db, accountId: number, turnId: number, seq: number): AgentActionRow | undefined {
  return toRow(stmts(db).byTurnSeq.get(accountId, turnId, seq) as Record<string, unknown> | undefined);
}

/** A rule run's action at its position (the rule-side twin of actionByTurnSeq). */
export function actionByRuleSeq(db: Db, accountId: number, ruleRunId: number, seq: number): AgentActionRow | undefined {
  return toRow(stmts(db).byRuleSeq.get(accountId, ruleRunId, seq) as Record<string, unknown> | undefined);
}

/** A sequence step run's action (one per step run). */
export function actionByStepRun(db: Db, accountId: number, stepRunId: number): AgentActionRow | undefined {
  return toRow(stmts(db).byStepRun.get(accountId, stepRunId) as Record<string, unknown> | undefined);
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
