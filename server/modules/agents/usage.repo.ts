import type { Sqlite } from '../../../db/client.js';

/** The type of the activity entry a playground run writes: its tokens and cost count toward the budget. */
export const PLAYGROUND_ACTIVITY = 'agent.playground';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Turns the model answered (skipped ones cost nothing). */
  turns: number;
  playgroundRuns: number;
}

/**
 * What an account spent on the model in a time window: its agent turns (`agent_turns`, tokens and
 * estimated cost per turn) plus its playground runs (activity entries, which carry the same numbers).
 */
export function createUsageRepo(sqlite: Sqlite) {
  const s = {
    turns: sqlite.prepare(
      `SELECT coalesce(sum(prompt_tokens), 0) AS promptTokens, coalesce(sum(completion_tokens), 0) AS completionTokens,
              coalesce(sum(cost_usd), 0) AS costUsd, coalesce(sum(plan IS NOT NULL), 0) AS n
       FROM agent_turns WHERE account_id = @accountId AND created_at >= @from AND created_at < @to`,
    ),
    playground: sqlite.prepare(
      `SELECT coalesce(sum(json_extract(metadata, '$.tokens.prompt')), 0) AS promptTokens,
              coalesce(sum(json_extract(metadata, '$.tokens.completion')), 0) AS completionTokens,
              coalesce(sum(json_extract(metadata, '$.costUsd')), 0) AS costUsd, count(*) AS n
       FROM activity_logs WHERE account_id = @accountId AND type = '${PLAYGROUND_ACTIVITY}' AND created_at >= @from AND created_at < @to`,
    ),
  };
  type Row = { promptTokens: number; completionTokens: number; costUsd: number; n: number };
  return {
    between(accountId: number, from: number, to: number): Usage {
      const t = s.turns.get({ accountId, from, to }) as Row;
      const p = s.playground.get({ accountId, from, to }) as Row;
      return {
        promptTokens: t.promptTokens + p.promptTokens,
        completionTokens: t.completionTokens + p.completionTokens,
        costUsd: Math.round((t.costUsd + p.costUsd) * 1e6) / 1e6,
        turns: t.n,
        playgroundRuns: p.n,
      };
    },
  };
}

export type UsageRepo = ReturnType<typeof createUsageRepo>;
