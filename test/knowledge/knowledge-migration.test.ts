import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../../db/client.js';
import { createKnowledgeService } from '../../server/modules/knowledge/knowledge.service.js';
import { cleanup, migrationsBefore as before } from '../helpers/migrations.js';

const dirs: string[] = [];
afterEach(() => cleanup(dirs));
const migrationsBefore = (tag: string) => before(tag, dirs);

describe('migration 0014: knowledge shared between agents', () => {
  it('moves every entry to the link table with its agent, keeps its chunks and their full-text index, with no manual step', () => {
    const { sqlite, db } = openDatabase(':memory:');
    migrate(db, { migrationsFolder: migrationsBefore('0014_knowledge_sources') });
    const agent = (accountId: number, name: string) =>
      Number(
        sqlite
          .prepare(
            `INSERT INTO agents (account_id, name, model, allowed_actions, approval_required, handoff, created_at, updated_at)
             VALUES (?, ?, 'gpt-4o-mini', '[]', '[]', '{}', 0, 0)`,
          )
          .run(accountId, name).lastInsertRowid,
      );
    const a1 = agent(1, 'Ava');
    const a2 = agent(2, 'Other account');
    const entry = (accountId: number, agentId: number, title: string, text: string) => {
      const id = Number(
        sqlite
          .prepare("INSERT INTO knowledge_entries (account_id, agent_id, kind, title, content, created_at) VALUES (?, ?, 'text', ?, ?, 0)")
          .run(accountId, agentId, title, text).lastInsertRowid,
      );
      sqlite
        .prepare('INSERT INTO knowledge_chunks (account_id, agent_id, entry_id, ord, title, text) VALUES (?, ?, ?, 0, ?, ?)')
        .run(accountId, agentId, id, title, text);
      return id;
    };
    const e1 = entry(1, a1, 'Shipping', 'We ship hardware worldwide in 5 days.');
    const e2 = entry(2, a2, 'Refunds', 'Refunds within 30 days.');

    migrate(db, { migrationsFolder });

    expect(sqlite.prepare('SELECT entry_id, agent_id, account_id FROM knowledge_entry_agents ORDER BY entry_id').all()).toEqual([
      { entry_id: e1, agent_id: a1, account_id: 1 },
      { entry_id: e2, agent_id: a2, account_id: 2 },
    ]);
    expect(sqlite.prepare('SELECT id, status, source FROM knowledge_entries ORDER BY id').all()).toEqual([
      { id: e1, status: 'ready', source: null },
      { id: e2, status: 'ready', source: null },
    ]);
    expect(
      sqlite
        .prepare("SELECT count(*) n FROM sqlite_master WHERE name IN ('__knowledge_chunks_keep', '__knowledge_owner_keep', '__new_knowledge_entries')")
        .get(),
    ).toEqual({ n: 0 });
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    const knowledge = createKnowledgeService({ db, clock: { now: () => 0 }, tx: (fn) => sqlite.transaction(fn)() });
    expect(knowledge.search(1, a1, 'shipping worldwide')).toEqual([expect.objectContaining({ entryId: e1, title: 'Shipping' })]);
    expect(knowledge.search(2, a2, 'refunds')).toEqual([expect.objectContaining({ entryId: e2 })]);
    expect(knowledge.search(1, a1, 'refunds')).toEqual([]);
    // the index follows later edits: the old rows were re-indexed, not left behind
    knowledge.update(1, e1, { content: 'Courier delivery in 2 days.' });
    expect(knowledge.search(1, a1, 'worldwide')).toEqual([]);
    expect(knowledge.search(1, a1, 'courier')).toHaveLength(1);
    sqlite.close();
  });
});
