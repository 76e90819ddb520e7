import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The conversation of a lead, across channels: inbound client messages (chat via webhooks or
 * Salesbot, email via IMAP or Kommo's mail summaries), agent replies and human replies, and timeline
 * entries (tasks, calls). Agents read the last N rows of a lead as their context.
 */
export const conversationMessages = sqliteTable(
  'conversation_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id'),
    contactId: integer('contact_id'),
    /** inbound (client) | outbound (agent or human) | timeline (task, call, system) */
    direction: text('direction').notNull(),
    /** client | agent | user | bot | system */
    author: text('author').notNull(),
    authorUserId: integer('author_user_id'),
    /** telegram | waba | instagram | email | salesbot | task | call | … (Kommo's `origin` for chats) */
    channel: text('channel').notNull(),
    chatId: text('chat_id'),
    talkId: integer('talk_id'),
    /** Kommo's message id, the email Message-ID, or our own id; unique per account+channel when set. */
    externalId: text('external_id'),
    subject: text('subject'),
    text: text('text').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('conv_lead_idx').on(t.accountId, t.leadId, t.id), uniqueIndex('conv_external_uq').on(t.accountId, t.channel, t.externalId)],
);

/** Per-lead agent state: pause, handoff, the last human reply (stop-on-human-reply). */
export const leadAgentState = sqliteTable(
  'lead_agent_state',
  {
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    pausedUntil: integer('paused_until'),
    pausedReason: text('paused_reason'),
    handoffActive: integer('handoff_active', { mode: 'boolean' }).notNull().default(false),
    handoffReason: text('handoff_reason'),
    /** When the lead was handed to a person, to whom (the responsible user the task went to) and by whom (null: the agent). */
    handoffAt: integer('handoff_at'),
    handoffUserId: integer('handoff_user_id'),
    handoffBy: integer('handoff_by'),
    humanRepliedAt: integer('human_replied_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.leadId] })],
);

export type ConversationMessage = typeof conversationMessages.$inferSelect;
