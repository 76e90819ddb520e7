import type Database from 'better-sqlite3';

export interface MoveRow {
  accountId: number;
  leadId: number;
  fromPipelineId: number;
  fromStatusId: number;
  toPipelineId: number;
  toStatusId: number;
  source: 'webhook' | 'rule' | 'agent';
  agentId: number | null;
  actionId: number | null;
  advanced: boolean;
  agentHandled: boolean;
  withoutHuman: boolean;
  eventKey: string | null;
  movedAt: number;
}

/** What a stage move is judged by (the mirror's stage order, the lead's turns and agent state), and the moves table. */
export function createMovesRepo(sqlite: Database.Database) {
  const s = {
    sort: sqlite.prepare('SELECT sort FROM pipeline_statuses WHERE account_id = ? AND pipeline_id = ? AND id = ? AND deleted_at IS NULL').pluck(),
    enteredAt: sqlite
      .prepare(
        // Newest first along the lead's moves, stopping at the first into that stage (usually the newest move),
        // rather than max() over every move the lead ever made.
        `SELECT moved_at FROM lead_stage_moves WHERE account_id = @accountId AND lead_id = @leadId AND to_pipeline_id = @pipelineId AND to_status_id = @statusId
         ORDER BY moved_at DESC LIMIT 1`,
      )
      .pluck(),
    // A turn counts as the agent taking the lead when it answered (or drafted), or is running (its own move happens mid-turn).
    // Turns from before the stage column was added have no stage and count wherever they were.
    firstTurn: sqlite.prepare(
      `SELECT agent_id AS agentId, created_at AS createdAt FROM agent_turns
        WHERE account_id = @accountId AND lead_id = @leadId AND created_at >= @since AND status IN ('running', 'replied', 'drafted')
          AND (status_id IS NULL OR (pipeline_id = @pipelineId AND status_id = @statusId))
        ORDER BY created_at, id LIMIT 1`,
    ),
    state: sqlite.prepare(
      'SELECT handoff_active AS handoffActive, handoff_at AS handoffAt, human_replied_at AS humanRepliedAt FROM lead_agent_state WHERE account_id = ? AND lead_id = ?',
    ),
    insert: sqlite.prepare(
      `INSERT INTO lead_stage_moves (account_id, lead_id, from_pipeline_id, from_status_id, to_pipeline_id, to_status_id, source, agent_id, action_id,
                                     advanced, agent_handled, without_human, event_key, moved_at)
       VALUES (@accountId, @leadId, @fromPipelineId, @fromStatusId, @toPipelineId, @toStatusId, @source, @agentId, @actionId,
               @advanced, @agentHandled, @withoutHuman, @eventKey, @movedAt)
       ON CONFLICT (account_id, event_key) DO NOTHING`,
    ),
  };
  return {
    stageSort: (accountId: number, pipelineId: number, statusId: number): number | null =>
      (s.sort.get(accountId, pipelineId, statusId) as number | undefined) ?? null,
    /** When the lead last entered this stage as far as we recorded (null: before we knew). */
    enteredAt: (accountId: number, leadId: number, pipelineId: number, statusId: number): number | null =>
      (s.enteredAt.get({ accountId, leadId, pipelineId, statusId }) as number | null) ?? null,
    firstTurn: (accountId: number, leadId: number, pipelineId: number, statusId: number, since: number) =>
      s.firstTurn.get({ accountId, leadId, pipelineId, statusId, since }) as { agentId: number; createdAt: number } | undefined,
    leadState: (accountId: number, leadId: number) =>
      s.state.get(accountId, leadId) as { handoffActive: number; handoffAt: number | null; humanRepliedAt: number | null } | undefined,
    insert: (m: MoveRow) =>
      void s.insert.run({ ...m, advanced: m.advanced ? 1 : 0, agentHandled: m.agentHandled ? 1 : 0, withoutHuman: m.withoutHuman ? 1 : 0 }),
  };
}

export type MovesRepo = ReturnType<typeof createMovesRepo>;
