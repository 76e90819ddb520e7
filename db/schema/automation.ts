import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Rules: trigger → conditions → actions, per account, optionally scoped to a pipeline or a stage.
 * The definition lives in versions: an edit makes a new version, and every run names the version it ran.
 */
export const rules = sqliteTable(
  'rules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    name: text('name').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** The trigger type of the current version, for finding candidate rules quickly. */
    triggerType: text('trigger_type').notNull(),
    pipelineId: integer('pipeline_id'),
    statusId: integer('status_id'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('rules_account_trigger_idx').on(t.accountId, t.triggerType)],
);

export const ruleVersions = sqliteTable(
  'rule_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    ruleId: integer('rule_id').notNull(),
    version: integer('version').notNull(),
    definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: integer('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('rule_versions_uq').on(t.accountId, t.ruleId, t.version)],
);

/**
 * One event as the rules saw it, written once however often the event is delivered: every candidate
 * rule's verdict with its trace (why it fired or not, with the values compared), in one row.
 */
export const ruleEvents = sqliteTable(
  'rule_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** The event's key (a timer's or an intent pass's key names its pass): evaluated once. */
    eventKey: text('event_key').notNull(),
    type: text('type').notNull(),
    leadId: integer('lead_id'),
    depth: integer('depth').notNull().default(0),
    /** The ids of the rules that fired, as ",12,45," (the per-lead hourly limit counts them). */
    fired: text('fired').notNull().default(''),
    /** [{ ruleId, version, status, trace }] in rule order. */
    verdicts: text('verdicts', { mode: 'json' }).$type<Record<string, unknown>[]>().notNull(),
    /** [[ruleId, version, status], …] in rule order: the verdicts without their traces, what the feed and the history index are written from. */
    outcomes: text('outcomes', { mode: 'json' }).$type<[number, number, string][]>().notNull().default([]),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('rule_events_key_uq').on(t.accountId, t.eventKey, t.type),
    // The per-rule, per-lead hourly limit counts a lead's recent fired rules from this index alone: only the
    // events that fired something are in it, and `fired` is in it, so the count reads no table row.
    index('rule_events_fired_idx').on(t.accountId, t.leadId, t.createdAt, t.fired).where(sql`${t.fired} <> ''`),
    // The account's events in order: what the history index catches up from.
    index('rule_events_account_idx').on(t.accountId, t.id),
  ],
);

/**
 * A fired rule's run: what its actions did. Made when the run's job starts (the verdict itself, fired or
 * not, is in the event's row); an event's fired rules each have one.
 */
export const ruleRuns = sqliteTable(
  'rule_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    ruleId: integer('rule_id').notNull(),
    version: integer('version').notNull(),
    eventId: integer('event_id').notNull(),
    leadId: integer('lead_id'),
    /** fired | skipped | depth_limited | rate_limited | done | failed */
    status: text('status').notNull(),
    results: text('results', { mode: 'json' }).$type<Record<string, unknown>[] | null>(),
    finishedAt: integer('finished_at'),
  },
  (t) => [uniqueIndex('rule_runs_event_uq').on(t.accountId, t.eventId, t.ruleId)],
);

/**
 * A rule's history: its verdicts by rule, each naming its event. Filled in batches from `rule_events` (a
 * job every so many events, and before a history or the counts are read) rather than on every event,
 * where an index by rule would cost each event one random page per candidate rule.
 */
export const ruleHistory = sqliteTable(
  'rule_history',
  {
    accountId: integer('account_id').notNull(),
    ruleId: integer('rule_id').notNull(),
    eventId: integer('event_id').notNull(),
    /** The verdict: fired | skipped | depth_limited | rate_limited (done | failed for runs from before this table). */
    status: text('status').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.ruleId, t.eventId] })],
);

/** How far each account's events are in `rule_history`: the last event id indexed. */
export const ruleHistoryMarks = sqliteTable('rule_history_marks', {
  accountId: integer('account_id').primaryKey(),
  eventId: integer('event_id').notNull(),
});

/** Small per-rule state: the round-robin position of an assign action, the next schedule slot. */
export const ruleState = sqliteTable(
  'rule_state',
  {
    accountId: integer('account_id').notNull(),
    ruleId: integer('rule_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.ruleId, t.key] })],
);

/** A follow-up sequence: timed steps for a lead, until a stop condition ends it. */
export const sequences = sqliteTable(
  'sequences',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    name: text('name').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    pipelineId: integer('pipeline_id'),
    statusId: integer('status_id'),
    definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('sequences_account_idx').on(t.accountId, t.id)],
);

export const sequenceEnrollments = sqliteTable(
  'sequence_enrollments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    sequenceId: integer('sequence_id').notNull(),
    leadId: integer('lead_id').notNull(),
    /** active | paused | stopped | completed */
    status: text('status').notNull(),
    /** The next step to run (0-based). */
    step: integer('step').notNull().default(0),
    nextRunAt: integer('next_run_at'),
    stopReason: text('stop_reason'),
    /** user:<id> | rule:<ruleId> | dp */
    enrolledBy: text('enrolled_by').notNull(),
    /** The lead's stage as the sequence knows it: where it was enrolled, or where its own step moved it. */
    pipelineId: integer('pipeline_id'),
    statusId: integer('status_id'),
    /** When a pause began (the remaining wait is kept on resume). */
    pausedAt: integer('paused_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('seq_enrollments_lead_idx').on(t.accountId, t.leadId, t.status),
    index('seq_enrollments_seq_idx').on(t.accountId, t.sequenceId, t.status),
    index('seq_enrollments_due_idx').on(t.status, t.nextRunAt),
    /** One live enrollment per lead and sequence. */
    uniqueIndex('seq_enrollments_live_uq').on(t.accountId, t.sequenceId, t.leadId).where(sql`status IN ('active', 'paused')`),
  ],
);

/** Each step of an enrollment runs once: the row exists before the step's effect, so a crash never repeats it. */
export const sequenceStepRuns = sqliteTable(
  'sequence_step_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    enrollmentId: integer('enrollment_id').notNull(),
    step: integer('step').notNull(),
    /** running | done | skipped | failed */
    status: text('status').notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [uniqueIndex('seq_step_runs_uq').on(t.accountId, t.enrollmentId, t.step)],
);

/** Leads whose contact unsubscribed from sequence email (the link in every sequence email). */
export const unsubscribes = sqliteTable(
  'unsubscribes',
  {
    accountId: integer('account_id').notNull(),
    email: text('email').notNull(),
    leadId: integer('lead_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.email] })],
);

export type RuleRow = typeof rules.$inferSelect;
export type RuleRunRow = typeof ruleRuns.$inferSelect;
export type RuleEventRow = typeof ruleEvents.$inferSelect;
export type SequenceRow = typeof sequences.$inferSelect;
export type EnrollmentRow = typeof sequenceEnrollments.$inferSelect;
