import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { agents, knowledgeChunks, knowledgeEntries, knowledgeEntryAgents, type KnowledgeEntryRow } from '../../../db/schema/index.js';

export interface KnowledgeHit {
  chunkId: number;
  entryId: number;
  title: string;
  text: string;
  score: number;
}

export type EntryWithAgents = KnowledgeEntryRow & { agentIds: number[] };
export type NewEntry = Omit<KnowledgeEntryRow, 'id' | 'createdAt' | 'updatedAt' | 'status' | 'error'> & { status?: string };

function withAgents(db: Db, accountId: number, rows: KnowledgeEntryRow[]): EntryWithAgents[] {
  if (!rows.length) return [];
  const links = db
    .select({ entryId: knowledgeEntryAgents.entryId, agentId: knowledgeEntryAgents.agentId })
    .from(knowledgeEntryAgents)
    .where(
      and(
        eq(knowledgeEntryAgents.accountId, accountId),
        inArray(
          knowledgeEntryAgents.entryId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(knowledgeEntryAgents.agentId))
    .all();
  return rows.map((r) => ({ ...r, agentIds: links.filter((l) => l.entryId === r.id).map((l) => l.agentId) }));
}

/** The account's entries, or only those shared with one agent. */
export function listEntries(db: Db, accountId: number, agentId?: number): EntryWithAgents[] {
  const rows =
    agentId === undefined
      ? db.select().from(knowledgeEntries).where(eq(knowledgeEntries.accountId, accountId)).orderBy(asc(knowledgeEntries.id)).all()
      : db
          .select({ e: knowledgeEntries })
          .from(knowledgeEntries)
          .innerJoin(knowledgeEntryAgents, eq(knowledgeEntryAgents.entryId, knowledgeEntries.id))
          .where(and(eq(knowledgeEntries.accountId, accountId), eq(knowledgeEntryAgents.accountId, accountId), eq(knowledgeEntryAgents.agentId, agentId)))
          .orderBy(asc(knowledgeEntries.id))
          .all()
          .map((r) => r.e);
  return withAgents(db, accountId, rows);
}

export function getEntry(db: Db, accountId: number, id: number): EntryWithAgents | undefined {
  const row = db
    .select()
    .from(knowledgeEntries)
    .where(and(eq(knowledgeEntries.accountId, accountId), eq(knowledgeEntries.id, id)))
    .get();
  return row ? withAgents(db, accountId, [row])[0] : undefined;
}

/** The ids among `ids` that are agents of this account. */
export function existingAgentIds(db: Db, accountId: number, ids: number[]): number[] {
  if (!ids.length) return [];
  return db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.accountId, accountId), inArray(agents.id, ids)))
    .all()
    .map((r) => r.id);
}

function writeChunks(db: Db, accountId: number, entryId: number, title: string, chunks: string[]) {
  db.delete(knowledgeChunks)
    .where(and(eq(knowledgeChunks.accountId, accountId), eq(knowledgeChunks.entryId, entryId)))
    .run();
  // Inserted in slices: a price list can have thousands of rows, and SQLite caps bound variables per statement.
  for (let i = 0; i < chunks.length; i += 500) {
    db.insert(knowledgeChunks)
      .values(chunks.slice(i, i + 500).map((text, n) => ({ accountId, entryId, ord: i + n, title, text })))
      .run();
  }
}

/** Replace the agents an entry is shared with (call inside a transaction). */
export function setEntryAgents(db: Db, accountId: number, entryId: number, agentIds: number[]) {
  db.delete(knowledgeEntryAgents)
    .where(and(eq(knowledgeEntryAgents.accountId, accountId), eq(knowledgeEntryAgents.entryId, entryId)))
    .run();
  if (agentIds.length)
    db.insert(knowledgeEntryAgents)
      .values(agentIds.map((agentId) => ({ accountId, entryId, agentId })))
      .run();
}

/** The entry, its chunks and its agents in one go (call inside a transaction); the FTS index follows by trigger. */
export function insertEntry(db: Db, row: NewEntry, chunks: string[], agentIds: number[], now: number): KnowledgeEntryRow {
  const entry = db
    .insert(knowledgeEntries)
    .values({ ...row, createdAt: now, updatedAt: now })
    .returning()
    .get();
  writeChunks(db, row.accountId, entry.id, row.title, chunks);
  setEntryAgents(db, row.accountId, entry.id, agentIds);
  return entry;
}

/** New content for an entry: its fields, and its chunks when given (call inside a transaction). */
export function updateEntry(
  db: Db,
  accountId: number,
  id: number,
  patch: Partial<Pick<KnowledgeEntryRow, 'title' | 'content' | 'question' | 'answer' | 'status' | 'error' | 'source'>>,
  chunks: string[] | null,
  now: number,
): KnowledgeEntryRow | undefined {
  const row = db
    .update(knowledgeEntries)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(knowledgeEntries.accountId, accountId), eq(knowledgeEntries.id, id)))
    .returning()
    .get();
  if (row && chunks) writeChunks(db, accountId, id, row.title, chunks);
  return row;
}

export function deleteEntry(db: Db, accountId: number, id: number): boolean {
  return (
    db
      .delete(knowledgeEntries)
      .where(and(eq(knowledgeEntries.accountId, accountId), eq(knowledgeEntries.id, id)))
      .run().changes === 1
  );
}

const searchSql = `SELECT c.id AS chunkId, c.entry_id AS entryId, c.title, c.text, bm25(knowledge_fts, 2.0, 1.0) AS score
  FROM knowledge_fts JOIN knowledge_chunks c ON c.id = knowledge_fts.rowid
  JOIN knowledge_entry_agents l ON l.entry_id = c.entry_id AND l.account_id = @accountId AND l.agent_id = @agentId
  WHERE knowledge_fts MATCH @q AND c.account_id = @accountId
  ORDER BY score LIMIT @k`;
const statements = new WeakMap<object, { all(p: object): unknown[] }>();

/** Top-k chunks of the entries shared with one agent, by bm25 (lower is better in SQLite's bm25). */
export function searchChunks(db: Db, accountId: number, agentId: number, q: string, k: number): KnowledgeHit[] {
  const sqlite = db.$client;
  const stmt = statements.get(sqlite) ?? sqlite.prepare(searchSql);
  statements.set(sqlite, stmt);
  return stmt.all({ q, accountId, agentId, k }) as KnowledgeHit[];
}
