import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Kommo tasks as their webhooks describe them. */
export const tasks = sqliteTable(
  'tasks',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    leadId: integer('lead_id'),
    entityType: integer('entity_type'),
    entityId: integer('entity_id'),
    taskTypeId: integer('task_type_id'),
    text: text('text').notNull().default(''),
    responsibleUserId: integer('responsible_user_id'),
    isCompleted: integer('is_completed', { mode: 'boolean' }).notNull().default(false),
    resultText: text('result_text'),
    completeTill: integer('complete_till'),
    isDeleted: integer('is_deleted', { mode: 'boolean' }).notNull().default(false),
    kommoUpdatedAt: integer('kommo_updated_at').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index('tasks_lead_idx').on(t.accountId, t.leadId)],
);

/** Call history from call_in / call_out notes and /api/v4/calls. */
export const calls = sqliteTable(
  'calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    kommoNoteId: integer('kommo_note_id'),
    leadId: integer('lead_id'),
    contactId: integer('contact_id'),
    /** inbound | outbound */
    direction: text('direction').notNull(),
    durationSec: integer('duration_sec').notNull().default(0),
    /** Kommo call_status 1–8 */
    callStatus: integer('call_status'),
    missed: integer('missed', { mode: 'boolean' }).notNull().default(false),
    phone: text('phone'),
    link: text('link'),
    userId: integer('user_id'),
    uniq: text('uniq'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('calls_note_uq').on(t.accountId, t.kommoNoteId), index('calls_lead_idx').on(t.accountId, t.leadId)],
);

/** Chat talks (conversations in Kommo's inbox). */
export const talks = sqliteTable(
  'talks',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    chatId: text('chat_id'),
    contactId: integer('contact_id'),
    leadId: integer('lead_id'),
    origin: text('origin'),
    isInWork: integer('is_in_work', { mode: 'boolean' }),
    isRead: integer('is_read', { mode: 'boolean' }),
    kommoUpdatedAt: integer('kommo_updated_at').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })],
);
