import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Every stage change of a lead we learned of with its previous stage (a webhook, a rule, an agent's own
 * move), judged when it happened: did it go forward, had an agent taken the lead in the stage it left, and
 * had no person written to the client or taken the lead over since. Those facts change later (the next
 * human reply, a handoff), so they are kept as they were at the move. The quality figures read them.
 */
export const leadStageMoves = sqliteTable(
  'lead_stage_moves',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    fromPipelineId: integer('from_pipeline_id').notNull(),
    fromStatusId: integer('from_status_id').notNull(),
    toPipelineId: integer('to_pipeline_id').notNull(),
    toStatusId: integer('to_status_id').notNull(),
    /** webhook | rule | agent */
    source: text('source').notNull(),
    /** The agent that had taken the lead in the stage it left (its first turn there), or the agent that moved it. */
    agentId: integer('agent_id'),
    /** The agent's own move_to_stage action: an undone move no longer counts. */
    actionId: integer('action_id'),
    /** Forward: a later stage of the same pipeline (by sort), or won. */
    advanced: integer('advanced', { mode: 'boolean' }).notNull(),
    /** An agent had taken the lead in the stage it left and no handoff stopped it. */
    agentHandled: integer('agent_handled', { mode: 'boolean' }).notNull(),
    /** …and no person wrote to the client between the agent taking it and the move. */
    withoutHuman: integer('without_human', { mode: 'boolean' }).notNull(),
    /** The event's stable key: a redelivered change is recorded once. */
    eventKey: text('event_key'),
    movedAt: integer('moved_at').notNull(),
  },
  (t) => [
    uniqueIndex('lead_stage_moves_event_uq').on(t.accountId, t.eventKey),
    index('lead_stage_moves_time_idx').on(t.accountId, t.movedAt),
    index('lead_stage_moves_lead_idx').on(t.accountId, t.leadId, t.movedAt),
  ],
);

export type LeadStageMoveRow = typeof leadStageMoves.$inferSelect;
