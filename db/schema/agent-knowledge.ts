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

/**
 * Knowledge base entries. An entry belongs to the account and is shared with the agents listed in
 * knowledge_entry_agents. Its chunks are indexed by the FTS5 table knowledge_fts (custom migration).
 */
export const knowledgeEntries = sqliteTable(
  'knowledge_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** text | markdown | faq | upload | url | file | table */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    question: text('question'),
    answer: text('answer'),
    /** Where the content came from: the URL of an import, the name of an uploaded file. */
    source: text('source'),
    /** ready | pending (a URL import waiting for its job) | failed (see error) */
    status: text('status').notNull().default('ready'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at'),
  },
  (t) => [index('knowledge_entries_account_idx').on(t.accountId, t.id)],
);

/** Which agents use an entry: one entry can serve several agents. */
export const knowledgeEntryAgents = sqliteTable(
  'knowledge_entry_agents',
  {
    entryId: integer('entry_id')
      .notNull()
      .references(() => knowledgeEntries.id, { onDelete: 'cascade' }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    accountId: integer('account_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.agentId] }), index('knowledge_entry_agents_agent_idx').on(t.accountId, t.agentId, t.entryId)],
);

export const knowledgeChunks = sqliteTable(
  'knowledge_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
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
