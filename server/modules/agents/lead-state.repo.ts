import type { Sqlite } from '../../../db/client.js';

/** lead_agent_state: pause, handoff and the last human reply, per lead. */
export interface LeadAgentState {
  pausedUntil: number | null;
  pausedReason: string | null;
  handoffActive: boolean;
  handoffReason: string | null;
  handoffAt: number | null;
  /** The user the handoff task went to (the lead's responsible user then), and who handed off (null: the agent). */
  handoffUserId: number | null;
  handoffBy: number | null;
  humanRepliedAt: number | null;
}

/** "Paused until resumed": far enough to never pass, small enough for any date library. */
export const PAUSED_INDEFINITELY = Date.UTC(9999, 0, 1);

export function createLeadStateRepo(sqlite: Sqlite) {
  const s = {
    get: sqlite.prepare(
      `SELECT paused_until AS pausedUntil, paused_reason AS pausedReason, handoff_active AS handoffActive, handoff_reason AS handoffReason,
              handoff_at AS handoffAt, handoff_user_id AS handoffUserId, handoff_by AS handoffBy,
              human_replied_at AS humanRepliedAt FROM lead_agent_state WHERE account_id = ? AND lead_id = ?`,
    ),
    pause: sqlite.prepare(
      `INSERT INTO lead_agent_state (account_id, lead_id, paused_until, paused_reason, handoff_active, updated_at)
       VALUES (@accountId, @leadId, @until, @reason, 0, @now)
       ON CONFLICT (account_id, lead_id) DO UPDATE SET paused_until = excluded.paused_until, paused_reason = excluded.paused_reason, updated_at = excluded.updated_at`,
    ),
    human: sqlite.prepare(
      `INSERT INTO lead_agent_state (account_id, lead_id, paused_until, paused_reason, handoff_active, human_replied_at, updated_at)
       VALUES (@accountId, @leadId, @until, 'human_replied', 0, @now, @now)
       ON CONFLICT (account_id, lead_id) DO UPDATE SET
         paused_until = CASE WHEN lead_agent_state.paused_until IS NOT NULL AND lead_agent_state.paused_until > excluded.paused_until THEN lead_agent_state.paused_until ELSE excluded.paused_until END,
         paused_reason = CASE WHEN lead_agent_state.paused_until IS NOT NULL AND lead_agent_state.paused_until > excluded.paused_until THEN lead_agent_state.paused_reason ELSE 'human_replied' END,
         human_replied_at = excluded.human_replied_at, updated_at = excluded.updated_at`,
    ),
    noteHuman: sqlite.prepare(
      `INSERT INTO lead_agent_state (account_id, lead_id, human_replied_at, updated_at) VALUES (@accountId, @leadId, @now, @now)
       ON CONFLICT (account_id, lead_id) DO UPDATE SET human_replied_at = excluded.human_replied_at, updated_at = excluded.updated_at`,
    ),
    handoff: sqlite.prepare(
      `INSERT INTO lead_agent_state (account_id, lead_id, handoff_active, handoff_reason, handoff_at, handoff_user_id, handoff_by, updated_at)
       VALUES (@accountId, @leadId, 1, @reason, @now, @to, @by, @now)
       ON CONFLICT (account_id, lead_id) DO UPDATE SET handoff_active = 1, handoff_reason = excluded.handoff_reason, handoff_at = excluded.handoff_at,
         handoff_user_id = excluded.handoff_user_id, handoff_by = excluded.handoff_by, updated_at = excluded.updated_at`,
    ),
    resume: sqlite.prepare(
      `INSERT INTO lead_agent_state (account_id, lead_id, handoff_active, updated_at) VALUES (@accountId, @leadId, 0, @now)
       ON CONFLICT (account_id, lead_id) DO UPDATE SET paused_until = NULL, paused_reason = NULL, handoff_active = 0, handoff_reason = NULL,
         handoff_at = NULL, handoff_user_id = NULL, handoff_by = NULL, updated_at = excluded.updated_at`,
    ),
  };
  return {
    get(accountId: number, leadId: number): LeadAgentState | undefined {
      const r = s.get.get(accountId, leadId) as (Omit<LeadAgentState, 'handoffActive'> & { handoffActive: number }) | undefined;
      return r ? { ...r, handoffActive: r.handoffActive === 1 } : undefined;
    },
    pause: (accountId: number, leadId: number, until: number, reason: string, now: number) => void s.pause.run({ accountId, leadId, until, reason, now }),
    /** Stop-on-human-reply: pause until `until`, never shortening a longer pause already set. */
    humanReplied: (accountId: number, leadId: number, until: number, now: number) => void s.human.run({ accountId, leadId, until, now }),
    /** Record a person's reply without pausing (an agent configured not to pause on human replies). */
    noteHumanReply: (accountId: number, leadId: number, now: number) => void s.noteHuman.run({ accountId, leadId, now }),
    handoff: (accountId: number, leadId: number, reason: string, now: number, who: { to?: number | null; by?: number | null } = {}) =>
      void s.handoff.run({ accountId, leadId, reason, now, to: who.to ?? null, by: who.by ?? null }),
    resume: (accountId: number, leadId: number, now: number) => void s.resume.run({ accountId, leadId, now }),
  };
}

export type LeadStateRepo = ReturnType<typeof createLeadStateRepo>;
