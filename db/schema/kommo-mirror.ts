import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The local mirror of a Kommo account: what sync and webhooks keep current. Every table is keyed by
 * (account_id, Kommo id). Things deleted in Kommo keep their row with `deleted_at`, so history that
 * points at them still resolves, but nothing treats them as live.
 */
/** A = all, G = the user's group, M = own (responsible), D = denied (docs/kommo.md §7). */
export type RightLevel = 'A' | 'G' | 'M' | 'D';
export interface UserLeadRights {
  view: RightLevel;
  edit: RightLevel;
  /** Stage rights override the general ones for leads in that stage. */
  stages: { pipelineId: number; statusId: number; view?: RightLevel; edit?: RightLevel }[];
}

export const kommoUsers = sqliteTable(
  'kommo_users',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    /** The user's group in Kommo: "G" rights mean "same group as the responsible user". */
    groupId: integer('group_id'),
    /** Lead rights as Kommo gives them: `{ view, edit }` each A/G/M/D, plus per-stage overrides. */
    rights: text('rights', { mode: 'json' }).$type<UserLeadRights | null>(),
    deletedAt: integer('deleted_at'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })],
);

export const pipelines = sqliteTable(
  'pipelines',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull(),
    sort: integer('sort').notNull().default(0),
    isMain: integer('is_main', { mode: 'boolean' }).notNull().default(false),
    isArchive: integer('is_archive', { mode: 'boolean' }).notNull().default(false),
    deletedAt: integer('deleted_at'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })],
);

/** Status ids 142 (won) and 143 (lost) exist in every pipeline, so the key includes the pipeline. */
export const pipelineStatuses = sqliteTable(
  'pipeline_statuses',
  {
    accountId: integer('account_id').notNull(),
    pipelineId: integer('pipeline_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull(),
    sort: integer('sort').notNull().default(0),
    color: text('color'),
    type: integer('type').notNull().default(0),
    isEditable: integer('is_editable', { mode: 'boolean' }).notNull().default(true),
    deletedAt: integer('deleted_at'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.pipelineId, t.id] })],
);

export const customFields = sqliteTable(
  'custom_fields',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    /** leads | contacts | companies */
    entity: text('entity').notNull(),
    name: text('name').notNull(),
    code: text('code'),
    type: text('type').notNull(),
    sort: integer('sort').notNull().default(0),
    enums: text('enums', { mode: 'json' }).$type<{ id: number; value: string; sort?: number }[] | null>(),
    deletedAt: integer('deleted_at'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index('custom_fields_entity_idx').on(t.accountId, t.entity)],
);

export const taskTypes = sqliteTable(
  'task_types',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull(),
    deletedAt: integer('deleted_at'),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })],
);

export type FieldValues = {
  field_id: number;
  field_code?: string | null;
  field_name?: string | null;
  values: { value: unknown; enum_id?: number | null; enum_code?: string | null }[];
}[];

export const contacts = sqliteTable(
  'contacts',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull().default(''),
    firstName: text('first_name'),
    lastName: text('last_name'),
    responsibleUserId: integer('responsible_user_id'),
    emails: text('emails', { mode: 'json' }).$type<string[]>().notNull().default([]),
    phones: text('phones', { mode: 'json' }).$type<string[]>().notNull().default([]),
    customFields: text('custom_fields', { mode: 'json' }).$type<FieldValues>().notNull().default([]),
    companyId: integer('company_id'),
    kommoUpdatedAt: integer('kommo_updated_at').notNull().default(0),
    isDeleted: integer('is_deleted', { mode: 'boolean' }).notNull().default(false),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] }), index('contacts_updated_idx').on(t.accountId, t.kommoUpdatedAt)],
);

export const companies = sqliteTable(
  'companies',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull().default(''),
    responsibleUserId: integer('responsible_user_id'),
    customFields: text('custom_fields', { mode: 'json' }).$type<FieldValues>().notNull().default([]),
    kommoUpdatedAt: integer('kommo_updated_at').notNull().default(0),
    isDeleted: integer('is_deleted', { mode: 'boolean' }).notNull().default(false),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })],
);

export const leads = sqliteTable(
  'leads',
  {
    accountId: integer('account_id').notNull(),
    id: integer('id').notNull(),
    name: text('name').notNull().default(''),
    price: real('price'),
    pipelineId: integer('pipeline_id'),
    statusId: integer('status_id'),
    responsibleUserId: integer('responsible_user_id'),
    mainContactId: integer('main_contact_id'),
    contactIds: text('contact_ids', { mode: 'json' }).$type<number[]>().notNull().default([]),
    companyId: integer('company_id'),
    tags: text('tags', { mode: 'json' }).$type<{ id?: number; name: string }[]>().notNull().default([]),
    customFields: text('custom_fields', { mode: 'json' }).$type<FieldValues>().notNull().default([]),
    lossReasonId: integer('loss_reason_id'),
    closedAt: integer('closed_at'),
    kommoCreatedAt: integer('kommo_created_at'),
    kommoUpdatedAt: integer('kommo_updated_at').notNull().default(0),
    isDeleted: integer('is_deleted', { mode: 'boolean' }).notNull().default(false),
    syncedAt: integer('synced_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    index('leads_stage_idx').on(t.accountId, t.pipelineId, t.statusId),
    index('leads_contact_idx').on(t.accountId, t.mainContactId),
    index('leads_updated_idx').on(t.accountId, t.kommoUpdatedAt),
  ],
);

export type LeadRow = typeof leads.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
