import type Database from 'better-sqlite3';

/** One agent's raw figures in a time window (optionally one lead's, one stage's, one day's). */
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
  /** The edit ratios (0–1) of the edited ones. */
  editRatios: number[];
  discarded: number;
  discardReasons: Record<string, number>;
  handoffs: number;
  actionsDone: number;
  actionsUndone: number;
  /**
   * Milliseconds from a turn's start to its reply or draft. A turn starts when its job runs: after the burst
   * window and the agent's configured reply delay, which are therefore not in it (the delay is shown apart).
   */
  replyMs: number[];
  /** Leads that advanced a stage while this agent handled them without a human reply (see moves.recorder.ts). */
  advanced: number;
}

/** The figures of one agent in one stage on one UTC day: the service folds these per agent, stage, day or account. */
export interface Cell extends AgentFigures {
  /** The stage the lead was in when the turn started, or that the lead left when it advanced (null: turns older than the stage column). */
  pipelineId: number | null;
  statusId: number | null;
  /** YYYY-MM-DD (UTC). */
  day: string;
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
    editRatios: [],
    discarded: 0,
    discardReasons: {},
    handoffs: 0,
    actionsDone: 0,
    actionsUndone: 0,
    replyMs: [],
    advanced: 0,
  };
}

const day = (col: string) => `strftime('%Y-%m-%d', ${col} / 1000, 'unixepoch')`;
/**
 * Where a row's stage comes from: the turn it names (an activity entry's metadata.turnId, an action's turn_id),
 * else the lead's stage now (a handoff from the card has no turn; turns older than the stage column have none).
 */
const stageOf = (turnOn: string, alias: string) =>
  `LEFT JOIN agent_turns t ON t.account_id = ${alias}.account_id AND t.id = ${turnOn}
   LEFT JOIN leads l ON l.account_id = ${alias}.account_id AND l.id = ${alias}.lead_id`;
const turnOf = (alias: string) => stageOf(`json_extract(${alias}.metadata, '$.turnId')`, alias);
const STAGE = 'coalesce(t.pipeline_id, l.pipeline_id) AS pipelineId, coalesce(t.status_id, l.status_id) AS statusId';

/** The quality figures' SQL: read-only over the turns, the action log, the activity feed and the stage moves. */
export function createQualityRepo(sqlite: Database.Database) {
  const lead = (w: Window, alias: string) => (w.leadId === undefined ? '' : ` AND ${alias}.lead_id = @leadId`);
  const span = (alias: string, col = 'created_at') => `${alias}.account_id = @accountId AND ${alias}.${col} >= @from AND ${alias}.${col} < @to`;
  const params = (w: Window) => ({ accountId: w.accountId, from: w.from, to: w.to, leadId: w.leadId ?? null });
  const turnsSql = (w: Window) =>
    `SELECT t.agent_id AS agentId, ${STAGE}, ${day('t.created_at')} AS day, count(*) AS turns,
            coalesce(sum(t.prompt_tokens + t.completion_tokens), 0) AS tokens, coalesce(sum(t.cost_usd), 0) AS costUsd,
            sum(t.status = 'replied') AS replied, sum(t.status = 'drafted') AS drafted
       FROM agent_turns t LEFT JOIN leads l ON l.account_id = t.account_id AND l.id = t.lead_id
      WHERE ${span('t')}${lead(w, 't')} GROUP BY agentId, pipelineId, statusId, day`;
  const replyMsSql = (w: Window) =>
    `SELECT t.agent_id AS agentId, ${STAGE}, ${day('t.created_at')} AS day, t.finished_at - t.created_at AS ms
       FROM agent_turns t LEFT JOIN leads l ON l.account_id = t.account_id AND l.id = t.lead_id WHERE ${span('t')}${lead(w, 't')} AND t.status IN ('replied', 'drafted') AND t.finished_at IS NOT NULL`;
  const approvedSql = (w: Window) =>
    `SELECT a.agent_id AS agentId, ${STAGE}, ${day('a.created_at')} AS day,
            coalesce(json_extract(a.metadata, '$.editRatio'), 0) AS ratio
       FROM activity_logs a ${turnOf('a')}
      WHERE ${span('a')} AND a.type = 'agent.reply' AND json_extract(a.metadata, '$.draftId') IS NOT NULL${lead(w, 'a')}`;
  const discardedSql = (w: Window) =>
    `SELECT a.agent_id AS agentId, ${STAGE}, ${day('a.created_at')} AS day,
            coalesce(json_extract(a.metadata, '$.reason'), 'none') AS reason, count(*) AS n
       FROM activity_logs a ${turnOf('a')}
      WHERE ${span('a')} AND a.type = 'agent.draft_discarded'${lead(w, 'a')} GROUP BY agentId, pipelineId, statusId, day, reason`;
  const handoffSql = (w: Window) =>
    `SELECT a.agent_id AS agentId, ${STAGE}, ${day('a.created_at')} AS day, count(*) AS n
       FROM activity_logs a ${turnOf('a')}
      WHERE ${span('a')} AND a.type = 'agent.handoff'${lead(w, 'a')} GROUP BY agentId, pipelineId, statusId, day`;
  const actionsSql = (w: Window) =>
    `SELECT x.agent_id AS agentId, ${STAGE}, ${day('x.created_at')} AS day,
            sum(x.status IN ('done', 'undone')) AS done, sum(x.status = 'undone') AS undone
       FROM agent_actions x ${stageOf('x.turn_id', 'x')}
      WHERE ${span('x')} AND x.turn_id IS NOT NULL${lead(w, 'x')} GROUP BY agentId, pipelineId, statusId, day`;
  // An agent's own move that a person undid is no longer an advance.
  const advancedSql = (w: Window) =>
    `SELECT m.agent_id AS agentId, m.from_pipeline_id AS pipelineId, m.from_status_id AS statusId, ${day('m.moved_at')} AS day, count(*) AS n
       FROM lead_stage_moves m LEFT JOIN agent_actions x ON x.account_id = m.account_id AND x.id = m.action_id
      WHERE ${span('m', 'moved_at')} AND m.advanced = 1 AND m.without_human = 1 AND m.agent_id IS NOT NULL
        AND (x.status IS NULL OR x.status != 'undone')${lead(w, 'm')} GROUP BY agentId, pipelineId, statusId, day`;

  type Key = { agentId: number | null; pipelineId: number | null; statusId: number | null; day: string };
  return {
    cells(w: Window): Cell[] {
      const p = params(w);
      const by = new Map<string, Cell>();
      const get = (k: Key) => {
        const id = `${k.agentId ?? 0}|${k.pipelineId}|${k.statusId}|${k.day}`;
        let c = by.get(id);
        if (!c) {
          c = { ...emptyFigures(k.agentId ?? 0), pipelineId: k.pipelineId, statusId: k.statusId, day: k.day };
          by.set(id, c);
        }
        return c;
      };
      const all = <R>(sql: string) => sqlite.prepare(sql).all(p) as (Key & R)[];
      for (const r of all<{ turns: number; tokens: number; costUsd: number; replied: number; drafted: number }>(turnsSql(w)))
        Object.assign(get(r), { turns: r.turns, tokens: r.tokens, costUsd: r.costUsd, replied: r.replied, drafted: r.drafted });
      for (const r of all<{ ms: number }>(replyMsSql(w))) get(r).replyMs.push(r.ms);
      for (const r of all<{ ratio: number }>(approvedSql(w))) {
        const c = get(r);
        if (r.ratio > 0) {
          c.approvedEdited++;
          c.editRatios.push(r.ratio);
        } else c.approvedUnchanged++;
      }
      for (const r of all<{ reason: string; n: number }>(discardedSql(w))) {
        const c = get(r);
        c.discarded += r.n;
        c.discardReasons[r.reason] = (c.discardReasons[r.reason] ?? 0) + r.n;
      }
      for (const r of all<{ n: number }>(handoffSql(w))) get(r).handoffs += r.n;
      for (const r of all<{ done: number; undone: number }>(actionsSql(w))) {
        const c = get(r);
        c.actionsDone += r.done ?? 0;
        c.actionsUndone += r.undone ?? 0;
      }
      for (const r of all<{ n: number }>(advancedSql(w))) get(r).advanced += r.n;
      return [...by.values()];
    },
  };
}

export type QualityRepo = ReturnType<typeof createQualityRepo>;
