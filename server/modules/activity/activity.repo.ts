import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { activityLogs, type ActivityRow } from '../../../db/schema/index.js';

export interface NewActivity {
  accountId: number;
  type: string;
  title: string;
  description?: string | null;
  userId?: number | null;
  agentId?: number | null;
  leadId?: number | null;
  metadata?: Record<string, unknown> | null;
  /** What the widget fills the type's text with, in the viewer's language; `title` stays as the English fallback. */
  params?: ActivityParams | null;
}

/** Flat values the texts are filled from (a nested list only where a type needs one, e.g. the rules a trigger ran). */
export type ActivityParams = Record<string, string | number | boolean | null | Record<string, unknown>[]>;

export interface FeedQuery {
  accountId: number;
  limit: number;
  types?: string[];
  agentId?: number;
  leadId?: number;
  from?: number;
  to?: number;
  /** Keyset: return rows strictly older than this (createdAt, id). */
  before?: { createdAt: number; id: number };
}

const insertSql = `INSERT INTO activity_logs (account_id, user_id, agent_id, lead_id, type, title, description, metadata, params, created_at)
  VALUES (@accountId, @userId, @agentId, @leadId, @type, @title, @description, @metadata, @params, @createdAt) RETURNING id`;
const statements = new WeakMap<object, { run(p: object): unknown; get(p: object): unknown }>();

/** The entry as a row, dated `at`. */
function toRow(entry: NewActivity, at: number): Omit<ActivityRow, 'id'> {
  return {
    accountId: entry.accountId,
    userId: entry.userId ?? null,
    agentId: entry.agentId ?? null,
    leadId: entry.leadId ?? null,
    type: entry.type,
    title: entry.title,
    description: entry.description ?? null,
    metadata: entry.metadata ?? null,
    params: entry.params ?? null,
    createdAt: at,
  };
}
/** The row's statement parameters: its JSON columns as text. */
const json = (v: unknown) => (v ? JSON.stringify(v) : null);
const bind = (row: Omit<ActivityRow, 'id'>) => ({ ...row, metadata: json(row.metadata), params: json(row.params) });

/** A prepared statement per connection: the feed is written on hot paths (every webhook), so no query building here. */
export function insertActivity(db: Db, entry: NewActivity, now: number): ActivityRow {
  const sqlite = db.$client;
  const stmt = statements.get(sqlite) ?? sqlite.prepare(insertSql);
  statements.set(sqlite, stmt);
  const row = toRow(entry, now);
  const { id } = stmt.get(bind(row)) as { id: number };
  return { id, ...row };
}

const insertManySql = insertSql.replace(' RETURNING id', '');
const manyStatements = new WeakMap<object, { run(p: object): unknown }>();

/** Entries written after the fact, each dated when it happened (a batch: no ids returned). */
export function insertActivities(db: Db, entries: { entry: NewActivity; at: number }[]): void {
  const sqlite = db.$client;
  const stmt = manyStatements.get(sqlite) ?? sqlite.prepare(insertManySql);
  manyStatements.set(sqlite, stmt);
  for (const { entry, at } of entries) stmt.run(bind(toRow(entry, at)));
}

/** Newest first, ordered by (created_at, id) so the order is total and a cursor is exact. */
export function listActivity(db: Db, q: FeedQuery): ActivityRow[] {
  const where: SQL[] = [eq(activityLogs.accountId, q.accountId)];
  if (q.types?.length === 1) where.push(eq(activityLogs.type, q.types[0]!));
  else if (q.types && q.types.length > 1) where.push(or(...q.types.map((t) => eq(activityLogs.type, t)))!);
  if (q.agentId !== undefined) where.push(eq(activityLogs.agentId, q.agentId));
  if (q.leadId !== undefined) where.push(eq(activityLogs.leadId, q.leadId));
  if (q.from !== undefined) where.push(gte(activityLogs.createdAt, q.from));
  if (q.to !== undefined) where.push(lte(activityLogs.createdAt, q.to));
  if (q.before) {
    where.push(or(lt(activityLogs.createdAt, q.before.createdAt), and(eq(activityLogs.createdAt, q.before.createdAt), lt(activityLogs.id, q.before.id)))!);
  }
  return db
    .select()
    .from(activityLogs)
    .where(and(...where))
    .orderBy(desc(activityLogs.createdAt), desc(activityLogs.id))
    .limit(q.limit)
    .all();
}
