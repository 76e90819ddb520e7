import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { knowledgeChunks, knowledgeEntries, type KnowledgeEntryRow } from '../../../db/schema/index.js';

export interface KnowledgeHit {
  chunkId: number;
  entryId: number;
  title: string;
  text: string;
  score: number;
}

export function listEntries(db: Db, accountId: number, agentId: number): KnowledgeEntryRow[] {
  return db
    .select()
    .from(knowledgeEntries)
    .where(and(eq(knowledgeEntries.accountId, accountId), eq(knowledgeEntries.agentId, agentId)))
    .orderBy(asc(knowledgeEntries.id))
    .all();
}

/** The entry and its chunks in one go (call inside a transaction); the FTS index follows by trigger. */
export function insertEntry(db: Db, row: Omit<KnowledgeEntryRow, 'id' | 'createdAt'>, chunks: string[], now: number): KnowledgeEntryRow {
  const entry = db
    .insert(knowledgeEntries)
    .values({ ...row, createdAt: now })
    .returning()
    .get();
  if (chunks.length) {
    db.insert(knowledgeChunks)
      .values(chunks.map((text, ord) => ({ accountId: row.accountId, agentId: row.agentId, entryId: entry.id, ord, title: row.title, text })))
      .run();
  }
  return entry;
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
  WHERE knowledge_fts MATCH @q AND c.account_id = @accountId AND c.agent_id = @agentId
  ORDER BY score LIMIT @k`;
const statements = new WeakMap<object, { all(p: object): unknown[] }>();

/** Top-k chunks of one agent's knowledge by bm25 (lower is better in SQLite's bm25). */
export function searchChunks(db: Db, accountId: number, agentId: number, q: string, k: number): KnowledgeHit[] {
  const sqlite = db.$client;
  const stmt = statements.get(sqlite) ?? sqlite.prepare(searchSql);
  statements.set(sqlite, stmt);
  return stmt.all({ q, accountId, agentId, k }) as KnowledgeHit[];
}
