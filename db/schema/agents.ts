import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export interface WorkingHours {
  timezone: string;
  schedule: Record<Weekday, [string, string][]>;
}
export interface HandoffSettings {
  keywords: string[];
  afterTurns: number | null;
  /** handoff: roll back, task, stop the agent for the lead · notify: roll back and task, the agent keeps going */
  onToolFailure: 'handoff' | 'notify';
}

/** An AI sales agent of an account; bound to pipeline stages through agent_stage_bindings. */
export const agents = sqliteTable(
  'agents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    name: text('name').notNull(),
    instructions: text('instructions').notNull().default(''),
    model: text('model').notNull(),
    temperature: real('temperature').notNull().default(0.3),
    language: text('language').notNull().default('auto'),
    tone: text('tone').notNull().default(''),
    /** draft | autopilot */
    mode: text('mode').notNull().default('draft'),
    workingHours: text('working_hours', { mode: 'json' }).$type<WorkingHours | null>(),
    replyDelaySec: integer('reply_delay_sec').notNull().default(0),
    maxRepliesPerLeadPerDay: integer('max_replies_per_lead_per_day').notNull().default(20),
    allowedActions: text('allowed_actions', { mode: 'json' }).$type<string[]>().notNull(),
    approvalRequired: text('approval_required', { mode: 'json' }).$type<string[]>().notNull(),
    /** Action kinds that run at once even in draft mode (low-risk ones an admin chose, e.g. add_tags). */
    runWithoutApproval: text('run_without_approval', { mode: 'json' }).$type<string[]>().notNull().default([]),
    handoff: text('handoff', { mode: 'json' }).$type<HandoffSettings>().notNull(),
    humanReplyPauseMinutes: integer('human_reply_pause_minutes').notNull().default(60),
    maxReplyChars: integer('max_reply_chars').notNull().default(1000),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('agents_account_idx').on(t.accountId, t.id)],
);

/** One agent per stage. Rows go away with their agent. */
export const agentStageBindings = sqliteTable(
  'agent_stage_bindings',
  {
    accountId: integer('account_id').notNull(),
    pipelineId: integer('pipeline_id').notNull(),
    statusId: integer('status_id').notNull(),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    /** When a lead enters the stage by any route: off, greet (the agent writes first), or wait for the client. */
    onStageEnter: text('on_stage_enter').notNull().default('off'),
    /** The agent may answer by email when the client wrote by email (off: such a reply waits as a draft for a person). */
    replyByEmail: integer('reply_by_email', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.pipelineId, t.statusId] }), index('agent_bindings_agent_idx').on(t.agentId)],
);

/**
 * One agent turn (a reply to one trigger). `turnKey` is the idempotency key of the trigger (the
 * message ids, the call id…): a trigger seen twice finds its turn and does nothing.
 * `plan` keeps the model's answer, so a retried job executes and delivers without asking again.
 */
export const agentTurns = sqliteTable(
  'agent_turns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    agentId: integer('agent_id').notNull(),
    turnKey: text('turn_key').notNull(),
    trigger: text('trigger', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** running | deferred | replied | drafted | handoff | skipped | failed */
    status: text('status').notNull(),
    reason: text('reason'),
    plan: text('plan', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    reply: text('reply'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    /** The stage the lead was in when the turn started: the quality figures per stage (null for turns older than the column). */
    pipelineId: integer('pipeline_id'),
    statusId: integer('status_id'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    uniqueIndex('agent_turns_key_uq').on(t.accountId, t.turnKey),
    index('agent_turns_lead_idx').on(t.accountId, t.leadId, t.createdAt),
    // The quality figures read an account's turns by time.
    index('agent_turns_time_idx').on(t.accountId, t.createdAt),
  ],
);

/** A reply a human must send (draft mode, or a channel we cannot reach). */
export const agentDrafts = sqliteTable(
  'agent_drafts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    agentId: integer('agent_id').notNull(),
    turnId: integer('turn_id').notNull(),
    text: text('text').notNull(),
    channel: text('channel'),
    /** Where an approved draft can go: a pending Salesbot return_url, or the email thread. */
    delivery: text('delivery', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    /** pending | sending | sent | discarded */
    status: text('status').notNull().default('pending'),
    via: text('via'),
    noteId: integer('note_id'),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    /** The Kommo user who approved or discarded it. */
    decidedBy: integer('decided_by'),
  },
  (t) => [uniqueIndex('agent_drafts_turn_uq').on(t.accountId, t.turnId), index('agent_drafts_lead_idx').on(t.accountId, t.leadId, t.status)],
);

/** Every CRM action an agent took or proposed, with the values before and after (for undo). */
export const agentActions = sqliteTable(
  'agent_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    agentId: integer('agent_id').notNull(),
    turnId: integer('turn_id'),
    /** Position in the turn's plan: (turn_id, seq) is unique, so a retried turn never repeats an action. */
    seq: integer('seq').notNull().default(0),
    type: text('type').notNull(),
    args: text('args', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    summary: text('summary').notNull(),
    /** running | done | undone | failed | pending_approval | rejected | proposed | discarded */
    status: text('status').notNull(),
    /** A draft-mode action proposed with this draft: it runs when a person approves the draft, never before. */
    draftId: integer('draft_id'),
    before: text('before', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    after: text('after', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    kommoIds: text('kommo_ids', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    error: text('error'),
    /** Set when a rule (not an agent turn) took the action: (rule_run_id, seq) is unique like (turn_id, seq). */
    ruleRunId: integer('rule_run_id'),
    /** Set when a sequence step took the action: one action per step run. */
    stepRunId: integer('step_run_id'),
    /** The Kommo user who approved a pending action, or undid a done one. */
    approvedBy: integer('approved_by'),
    undoneBy: integer('undone_by'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('agent_actions_turn_seq_uq').on(t.accountId, t.turnId, t.seq),
    uniqueIndex('agent_actions_rule_seq_uq').on(t.accountId, t.ruleRunId, t.seq),
    uniqueIndex('agent_actions_step_run_uq').on(t.accountId, t.stepRunId),
    index('agent_actions_lead_idx').on(t.accountId, t.leadId, t.id),
    index('agent_actions_draft_idx').on(t.accountId, t.draftId),
  ],
);

export type AgentRow = typeof agents.$inferSelect;
export type AgentTurnRow = typeof agentTurns.$inferSelect;
export type AgentDraftRow = typeof agentDrafts.$inferSelect;
export type AgentActionRow = typeof agentActions.$inferSelect;
