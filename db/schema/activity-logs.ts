import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The activity feed ("Recent updates"). Every index leads with account_id and ends in the feed order. */
export const activityLogs = sqliteTable(
  'activity_logs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    userId: integer('user_id'),
    agentId: integer('agent_id'),
    leadId: integer('lead_id'),
    type: text('type').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    /**
     * What the widget words the entry from, in the viewer's language (`type` picks the text, these fill it).
     * Null on entries written before it existed: those keep showing their stored English `title`.
     */
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('activity_feed_idx').on(t.accountId, t.createdAt, t.id),
    index('activity_type_idx').on(t.accountId, t.type, t.createdAt, t.id),
    index('activity_lead_idx').on(t.accountId, t.leadId, t.createdAt, t.id),
    index('activity_agent_idx').on(t.accountId, t.agentId, t.createdAt, t.id),
  ],
);

export type ActivityRow = typeof activityLogs.$inferSelect;
