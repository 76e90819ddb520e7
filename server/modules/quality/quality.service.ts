import type { Clock } from '../../lib/clock.js';
import { type AgentFigures, emptyFigures, type QualityRepo } from './quality.repo.js';

const DAY = 86_400_000;

export interface QualityThresholds {
  /** Decided drafts (approved or discarded) before autopilot is suggested. */
  autopilotMinDrafts: number;
  /** Share of decided drafts sent unchanged, 0–1. */
  autopilotMinUnchanged: number;
  /** An autopilot agent whose undone share of actions reaches this (0–1, over at least 10 actions) is suggested back to draft. */
  draftUndoRate: number;
  /** A draft agent whose discarded share reaches this (0–1, over at least 10 decided drafts) is told so. */
  draftDiscardRate: number;
}

export interface AgentInfo {
  id: number;
  name: string;
  mode: 'draft' | 'autopilot';
  replyDelaySec: number;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const share = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 1000 : null);

/**
 * Cost and quality per agent: what the model cost, how often managers send drafts unchanged, edit them or
 * discard them (and why), handoffs, undone actions and the time to a reply; and, from those, whether a stage
 * may go to autopilot (an admin confirms) or should go back to draft.
 */
export function createQualityService(d: { repo: QualityRepo; clock: Clock; agents: (accountId: number) => AgentInfo[]; thresholds: QualityThresholds }) {
  function view(f: AgentFigures, agent: AgentInfo | undefined) {
    const approved = f.approvedUnchanged + f.approvedEdited;
    const decided = approved + f.discarded;
    const unchangedShare = share(f.approvedUnchanged, decided);
    const discardShare = share(f.discarded, decided);
    const undoShare = share(f.actionsUndone, f.actionsDone);
    const t = d.thresholds;
    let suggestion: { mode: 'autopilot' | 'draft'; reason: string } | null = null;
    if (agent?.mode === 'draft' && decided >= t.autopilotMinDrafts && (unchangedShare ?? 0) >= t.autopilotMinUnchanged)
      suggestion = { mode: 'autopilot', reason: 'drafts_accepted' };
    else if (agent?.mode === 'autopilot' && f.actionsDone >= 10 && (undoShare ?? 0) >= t.draftUndoRate) suggestion = { mode: 'draft', reason: 'undo_rate' };
    else if (agent?.mode === 'draft' && decided >= 10 && (discardShare ?? 0) >= t.draftDiscardRate) suggestion = { mode: 'draft', reason: 'discard_rate' };
    return {
      agentId: f.agentId,
      name: agent?.name ?? null,
      mode: agent?.mode ?? null,
      turns: f.turns,
      tokens: f.tokens,
      costUsd: Math.round(f.costUsd * 10_000) / 10_000,
      replies: f.replied,
      drafts: {
        made: f.drafted,
        decided,
        unchanged: f.approvedUnchanged,
        edited: f.approvedEdited,
        editRatioMean: f.editRatioMean,
        discarded: f.discarded,
        discardReasons: f.discardReasons,
      },
      acceptance: { unchanged: unchangedShare, discarded: discardShare },
      handoffs: f.handoffs,
      actions: { done: f.actionsDone, undone: f.actionsUndone, undoneShare: undoShare },
      replyMs: { p50: pct(f.replyMs, 50), p95: pct(f.replyMs, 95), configuredDelaySec: agent?.replyDelaySec ?? 0 },
      suggestion,
    };
  }

  return {
    /** The last `days` days (default 30), per agent and for the account; or one lead's. */
    summary(accountId: number, q: { days: number; leadId?: number }) {
      const to = d.clock.now();
      const from = to - q.days * DAY;
      const agents = new Map(d.agents(accountId).map((a) => [a.id, a]));
      // The window ends after this millisecond: a draft decided in the same millisecond as the request counts.
      const figures = d.repo.figures({ accountId, from, to: to + 1, leadId: q.leadId });
      const rows = figures.map((f) => view(f, agents.get(f.agentId)));
      const total = figures.reduce<AgentFigures>(
        (acc, f) => ({
          ...acc,
          turns: acc.turns + f.turns,
          tokens: acc.tokens + f.tokens,
          costUsd: acc.costUsd + f.costUsd,
          replied: acc.replied + f.replied,
          drafted: acc.drafted + f.drafted,
          approvedUnchanged: acc.approvedUnchanged + f.approvedUnchanged,
          approvedEdited: acc.approvedEdited + f.approvedEdited,
          discarded: acc.discarded + f.discarded,
          discardReasons: Object.fromEntries(
            [...new Set([...Object.keys(acc.discardReasons), ...Object.keys(f.discardReasons)])].map((k) => [
              k,
              (acc.discardReasons[k] ?? 0) + (f.discardReasons[k] ?? 0),
            ]),
          ),
          handoffs: acc.handoffs + f.handoffs,
          actionsDone: acc.actionsDone + f.actionsDone,
          actionsUndone: acc.actionsUndone + f.actionsUndone,
          replyMs: [...acc.replyMs, ...f.replyMs],
          editRatioMean: null,
        }),
        emptyFigures(0),
      );
      const { agentId: _a, name: _n, mode: _m, suggestion: _s, ...totals } = view(total, undefined);
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        leadId: q.leadId ?? null,
        totals,
        agents: rows.filter((r) => r.agentId !== 0),
      };
    },
  };
}

export type QualityService = ReturnType<typeof createQualityService>;
