import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One row per sync: status, progress for the widget's progress bar, counts per entity, and the error. */
export const syncRuns = sqliteTable(
  'sync_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** full | incremental */
    kind: text('kind').notNull(),
    /** queued | running | completed | failed */
    status: text('status').notNull(),
    phase: text('phase'),
    progress: text('progress', { mode: 'json' })
      .$type<{ done: number; total: number | null; percent: number | null }>()
      .notNull()
      .default({ done: 0, total: null, percent: 0 }),
    counts: text('counts', { mode: 'json' }).$type<Record<string, { fetched: number; changed: number; deleted?: number }>>().notNull().default({}),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('sync_runs_account_idx').on(t.accountId, t.id)],
);

/** Incremental sync position per entity: the highest Kommo `updated_at` already mirrored. */
export const syncCursors = sqliteTable(
  'sync_cursors',
  {
    accountId: integer('account_id').notNull(),
    entity: text('entity').notNull(),
    updatedFrom: integer('updated_from').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.entity] })],
);

/** CSRF `state` values for the "Connect Kommo" button flow; single use, short-lived. */
export const oauthStates = sqliteTable('oauth_states', {
  state: text('state').primaryKey(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});
