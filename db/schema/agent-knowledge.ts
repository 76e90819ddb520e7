import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents } from './agents.js';

/** Sales scripts: steps and checkpoints, for one agent (agent_id) or any agent, bound to stages. */
export const salesScripts = sqliteTable(
  'sales_scripts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    agentId: integer('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('sales_scripts_account_idx').on(t.accountId, t.agentId)],
);

export const salesScriptStages = sqliteTable(
  'sales_script_stages',
  {
    scriptId: integer('script_id')
      .notNull()
      .references(() => salesScripts.id, { onDelete: 'cascade' }),
    accountId: integer('account_id').notNull(),
    pipelineId: integer('pipeline_id').notNull(),
    statusId: integer('status_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scriptId, t.pipelineId, t.statusId] }), index('sales_script_stages_stage_idx').on(t.accountId, t.pipelineId, t.statusId)],
);

/** Knowledge base entries of an agent. Their chunks are indexed by the FTS5 table knowledge_fts (custom migration). */
export const knowledgeEntries = sqliteTable(
  'knowledge_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    /** text | markdown | faq | upload */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    question: text('question'),
    answer: text('answer'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('knowledge_entries_agent_idx').on(t.accountId, t.agentId, t.id)],
);

export const knowledgeChunks = sqliteTable(
  'knowledge_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    agentId: integer('agent_id').notNull(),
    entryId: integer('entry_id')
      .notNull()
      .references(() => knowledgeEntries.id, { onDelete: 'cascade' }),
    ord: integer('ord').notNull(),
    title: text('title').notNull(),
    text: text('text').notNull(),
  },
  (t) => [index('knowledge_chunks_entry_idx').on(t.entryId)],
);

export type SalesScriptRow = typeof salesScripts.$inferSelect;
export type KnowledgeEntryRow = typeof knowledgeEntries.$inferSelect;
