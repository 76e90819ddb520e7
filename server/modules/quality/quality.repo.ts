import type Database from 'better-sqlite3';

/** One agent's raw figures in a time window (optionally one lead's). */
export interface AgentFigures {
  agentId: number;
  turns: number;
  tokens: number;
  costUsd: number;
  /** Replies sent without a person (autopilot). */
  replied: number;
  drafted: number;
  approvedUnchanged: number;
  approvedEdited: number;
  /** Mean edit ratio of the edited ones (0–1). */
  editRatioMean: number | null;
  discarded: number;
  discardReasons: Record<string, number>;
  handoffs: number;
  actionsDone: number;
  actionsUndone: number;
  /** Milliseconds from a turn's start (after the burst window) to its reply or draft; a configured reply delay is included and shown apart. */
  replyMs: number[];
}

export interface Window {
  accountId: number;
  from: number;
  to: number;
  leadId?: number;
}

/** An agent with nothing in the window yet. */
export function emptyFigures(agentId: number): AgentFigures {
  return {
    agentId,
    turns: 0,
    tokens: 0,
    costUsd: 0,
    replied: 0,
    drafted: 0,
    approvedUnchanged: 0,
    approvedEdited: 0,
    editRatioMean: null,
    discarded: 0,
    discardReasons: {},
    handoffs: 0,
    actionsDone: 0,
    actionsUndone: 0,
    replyMs: [],
  };
}

/** The quality figures' SQL: read-only over the turns, the action log and the activity feed. */
export function createQualityRepo(sqlite: Database.Database) {
  const lead = (w: Window) => (w.leadId === undefined ? '' : ' AND lead_id = @leadId');
  const params = (w: Window) => ({ accountId: w.accountId, from: w.from, to: w.to, leadId: w.leadId ?? null });
  const turnsSql = (w: Window) =>
    `SELECT agent_id AS agentId, count(*) AS turns, coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens, coalesce(sum(cost_usd), 0) AS costUsd,
            sum(status = 'replied') AS replied, sum(status = 'drafted') AS drafted
       FROM agent_turns WHERE account_id = @accountId AND created_at >= @from AND created_at < @to${lead(w)} GROUP BY agent_id`;
  const replyMsSql = (w: Window) =>
    `SELECT agent_id AS agentId, finished_at - created_at AS ms FROM agent_turns
      WHERE account_id = @accountId AND created_at >= @from AND created_at < @to${lead(w)} AND status IN ('replied', 'drafted') AND finished_at IS NOT NULL`;
  const approvedSql = (w: Window) =>
    `SELECT agent_id AS agentId, coalesce(json_extract(metadata, '$.editRatio'), 0) AS ratio FROM activity_logs
      WHERE account_id = @accountId AND type = 'agent.reply' AND json_extract(metadata, '$.draftId') IS NOT NULL
        AND created_at >= @from AND created_at < @to${lead(w)}`;
  const discardedSql = (w: Window) =>
    `SELECT agent_id AS agentId, coalesce(json_extract(metadata, '$.reason'), 'none') AS reason, count(*) AS n FROM activity_logs
      WHERE account_id = @accountId AND type = 'agent.draft_discarded' AND created_at >= @from AND created_at < @to${lead(w)} GROUP BY agent_id, reason`;
  const handoffSql = (w: Window) =>
    `SELECT agent_id AS agentId, count(*) AS n FROM activity_logs
      WHERE account_id = @accountId AND type = 'agent.handoff' AND created_at >= @from AND created_at < @to${lead(w)} GROUP BY agent_id`;
  const actionsSql = (w: Window) =>
    `SELECT agent_id AS agentId, sum(status IN ('done', 'undone')) AS done, sum(status = 'undone') AS undone FROM agent_actions
      WHERE account_id = @accountId AND turn_id IS NOT NULL AND created_at >= @from AND created_at < @to${lead(w)} GROUP BY agent_id`;

  return {
    figures(w: Window): AgentFigures[] {
      const p = params(w);
      const by = new Map<number, AgentFigures>();
      const get = (agentId: number | null) => {
        const id = agentId ?? 0;
        let f = by.get(id);
        if (!f) {
          f = emptyFigures(id);
          by.set(id, f);
        }
        return f;
      };
      for (const r of sqlite.prepare(turnsSql(w)).all(p) as {
        agentId: number;
        turns: number;
        tokens: number;
        costUsd: number;
        replied: number;
        drafted: number;
      }[]) {
        Object.assign(get(r.agentId), { turns: r.turns, tokens: r.tokens, costUsd: r.costUsd, replied: r.replied, drafted: r.drafted });
      }
      for (const r of sqlite.prepare(replyMsSql(w)).all(p) as { agentId: number; ms: number }[]) get(r.agentId).replyMs.push(r.ms);
      const ratios = new Map<number, number[]>();
      for (const r of sqlite.prepare(approvedSql(w)).all(p) as { agentId: number | null; ratio: number }[]) {
        const f = get(r.agentId);
        if (r.ratio > 0) {
          f.approvedEdited++;
          ratios.set(f.agentId, [...(ratios.get(f.agentId) ?? []), r.ratio]);
        } else f.approvedUnchanged++;
      }
      for (const [id, xs] of ratios) get(id).editRatioMean = Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
      for (const r of sqlite.prepare(discardedSql(w)).all(p) as { agentId: number | null; reason: string; n: number }[]) {
        const f = get(r.agentId);
        f.discarded += r.n;
        f.discardReasons[r.reason] = (f.discardReasons[r.reason] ?? 0) + r.n;
      }
      for (const r of sqlite.prepare(handoffSql(w)).all(p) as { agentId: number | null; n: number }[]) get(r.agentId).handoffs += r.n;
      for (const r of sqlite.prepare(actionsSql(w)).all(p) as { agentId: number; done: number; undone: number }[]) {
        Object.assign(get(r.agentId), { actionsDone: r.done ?? 0, actionsUndone: r.undone ?? 0 });
      }
      return [...by.values()].sort((a, b) => a.agentId - b.agentId);
    },
  };
}

export type QualityRepo = ReturnType<typeof createQualityRepo>;
