import type { Sqlite } from '../../../db/client.js';

export interface StageCounts {
  pipelineId: number;
  statusId: number;
  /** Replies that reached the client since `since`: the agent's own (autopilot) and drafts a person approved. */
  replies: number;
  /** Drafts waiting for a person now, whenever they were written. */
  draftsWaiting: number;
  /** Leads handed to a person since `since`. */
  handoffs: number;
}

/**
 * The agents' work per pipeline stage, by the stage each lead is in now (the mirror's leads): what the
 * pipeline board shows as "today". One statement per figure, each scoped by account.
 */
export function createStageCountsRepo(sqlite: Sqlite) {
  const s = {
    replies: sqlite.prepare(
      `SELECT l.pipeline_id AS pipelineId, l.status_id AS statusId, COUNT(*) AS n FROM (
         SELECT lead_id FROM agent_turns WHERE account_id = @accountId AND status = 'replied' AND COALESCE(finished_at, created_at) >= @since
         UNION ALL
         SELECT lead_id FROM agent_drafts WHERE account_id = @accountId AND status = 'sent' AND via IN ('salesbot', 'email') AND decided_at >= @since
       ) x JOIN leads l ON l.account_id = @accountId AND l.id = x.lead_id
       GROUP BY l.pipeline_id, l.status_id`,
    ),
    drafts: sqlite.prepare(
      `SELECT l.pipeline_id AS pipelineId, l.status_id AS statusId, COUNT(*) AS n
       FROM agent_drafts d JOIN leads l ON l.account_id = d.account_id AND l.id = d.lead_id
       WHERE d.account_id = @accountId AND d.status = 'pending'
       GROUP BY l.pipeline_id, l.status_id`,
    ),
    handoffs: sqlite.prepare(
      `SELECT l.pipeline_id AS pipelineId, l.status_id AS statusId, COUNT(*) AS n
       FROM lead_agent_state st JOIN leads l ON l.account_id = st.account_id AND l.id = st.lead_id
       WHERE st.account_id = @accountId AND st.handoff_at >= @since
       GROUP BY l.pipeline_id, l.status_id`,
    ),
  };
  type Row = { pipelineId: number | null; statusId: number | null; n: number };
  return {
    since(accountId: number, since: number): StageCounts[] {
      const out = new Map<string, StageCounts>();
      const add = (rows: Row[], key: 'replies' | 'draftsWaiting' | 'handoffs') => {
        for (const r of rows) {
          if (r.pipelineId === null || r.statusId === null) continue;
          const k = `${r.pipelineId}:${r.statusId}`;
          const c = out.get(k) ?? { pipelineId: r.pipelineId, statusId: r.statusId, replies: 0, draftsWaiting: 0, handoffs: 0 };
          c[key] += r.n;
          out.set(k, c);
        }
      };
      add(s.replies.all({ accountId, since }) as Row[], 'replies');
      add(s.drafts.all({ accountId }) as Row[], 'draftsWaiting');
      add(s.handoffs.all({ accountId, since }) as Row[], 'handoffs');
      return [...out.values()];
    },
  };
}

export type StageCountsRepo = ReturnType<typeof createStageCountsRepo>;
