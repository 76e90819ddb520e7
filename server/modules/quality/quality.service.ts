import type { Clock } from '../../lib/clock.js';
import { type AgentFigures, type Cell, emptyFigures, type QualityRepo } from './quality.repo.js';

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

export interface StageInfo {
  pipelineId: number;
  statusId: number;
  name: string;
  pipelineName: string;
}

/** The last `days` days up to now, or one calendar month (UTC). */
export type QualityQuery = { days: number; month?: string; leadId?: number };

const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const share = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 1000 : null);
const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000 : null);

/** Two sets of figures as one (per agent, per stage, per day or for the account). */
export function addFigures(a: AgentFigures, b: AgentFigures): AgentFigures {
  const reasons = { ...a.discardReasons };
  for (const [k, n] of Object.entries(b.discardReasons)) reasons[k] = (reasons[k] ?? 0) + n;
  return {
    agentId: a.agentId,
    turns: a.turns + b.turns,
    tokens: a.tokens + b.tokens,
    costUsd: a.costUsd + b.costUsd,
    replied: a.replied + b.replied,
    drafted: a.drafted + b.drafted,
    approvedUnchanged: a.approvedUnchanged + b.approvedUnchanged,
    approvedEdited: a.approvedEdited + b.approvedEdited,
    editRatios: [...a.editRatios, ...b.editRatios],
    discarded: a.discarded + b.discarded,
    discardReasons: reasons,
    handoffs: a.handoffs + b.handoffs,
    actionsDone: a.actionsDone + b.actionsDone,
    actionsUndone: a.actionsUndone + b.actionsUndone,
    replyMs: [...a.replyMs, ...b.replyMs],
    advanced: a.advanced + b.advanced,
  };
}

function fold<K>(cells: Cell[], key: (c: Cell) => K, id: (c: Cell) => string): { key: K; f: AgentFigures }[] {
  const by = new Map<string, { key: K; f: AgentFigures }>();
  for (const c of cells) {
    const k = id(c);
    const cur = by.get(k);
    by.set(k, { key: key(c), f: addFigures(cur?.f ?? emptyFigures(c.agentId), c) });
  }
  return [...by.values()];
}

/** The window a query names: `month` (YYYY-MM, UTC) wins over `days`. */
export function windowOf(now: number, q: QualityQuery): { from: number; to: number } {
  if (q.month) {
    const [y, m] = q.month.split('-').map(Number) as [number, number];
    return { from: Date.UTC(y, m - 1, 1), to: Math.min(Date.UTC(y, m, 1), now + 1) };
  }
  // The window ends after this millisecond: a draft decided in the same millisecond as the request counts.
  return { from: now - q.days * DAY, to: now + 1 };
}

/**
 * Cost and quality per agent, per stage and agent, per day and for the account: what the model cost, how
 * often managers send drafts unchanged, edit them or discard them (and why), handoffs, undone actions, the
 * time to a reply and the leads that advanced a stage with no human reply; and, from those, whether a stage
 * may go to autopilot (an admin confirms) or should go back to draft.
 */
export function createQualityService(d: {
  repo: QualityRepo;
  clock: Clock;
  agents: (accountId: number) => AgentInfo[];
  stages: (accountId: number) => StageInfo[];
  thresholds: QualityThresholds;
}) {
  function figures(f: AgentFigures, agent: AgentInfo | undefined) {
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
      turns: f.turns,
      tokens: f.tokens,
      costUsd: Math.round(f.costUsd * 10_000) / 10_000,
      replies: f.replied,
      drafts: {
        made: f.drafted,
        decided,
        unchanged: f.approvedUnchanged,
        edited: f.approvedEdited,
        editRatioMean: mean(f.editRatios),
        discarded: f.discarded,
        discardReasons: f.discardReasons,
      },
      acceptance: { unchanged: unchangedShare, discarded: discardShare },
      handoffs: f.handoffs,
      actions: { done: f.actionsDone, undone: f.actionsUndone, undoneShare: undoShare },
      replyMs: { p50: pct(f.replyMs, 50), p95: pct(f.replyMs, 95), configuredDelaySec: agent?.replyDelaySec ?? 0 },
      advanced: f.advanced,
      suggestion,
    };
  }

  return {
    /**
     * One stage's agent over the last 30 days, for the stage's settings: how many drafts were decided, the
     * share sent unchanged, and whether to go to autopilot or back to draft (with the thresholds behind it).
     */
    stage(accountId: number, at: { pipelineId: number; statusId: number }, agentId: number) {
      const { from, to } = windowOf(d.clock.now(), { days: 30 });
      const mine = d.repo.cells({ accountId, from, to }).filter((c) => c.agentId === agentId && c.pipelineId === at.pipelineId && c.statusId === at.statusId);
      const f = figures(
        mine.reduce<AgentFigures>((acc, c) => addFigures(acc, c), emptyFigures(agentId)),
        d.agents(accountId).find((a) => a.id === agentId),
      );
      return {
        days: 30,
        decided: f.drafts.decided,
        acceptance: f.acceptance,
        undoneShare: f.actions.undoneShare,
        advanced: f.advanced,
        suggestion: f.suggestion,
        thresholds: { autopilotMinDrafts: d.thresholds.autopilotMinDrafts, autopilotMinUnchanged: d.thresholds.autopilotMinUnchanged },
      };
    },

    /** The window's figures: for the account, per agent, per stage and agent, and per UTC day (the chart). */
    summary(accountId: number, q: QualityQuery) {
      const now = d.clock.now();
      const { from, to } = windowOf(now, q);
      const agents = new Map(d.agents(accountId).map((a) => [a.id, a]));
      const stages = new Map(d.stages(accountId).map((s) => [`${s.pipelineId}|${s.statusId}`, s]));
      const cells = d.repo.cells({ accountId, from, to, leadId: q.leadId });
      const agentRows = fold(
        cells,
        (c) => c.agentId,
        (c) => String(c.agentId),
      )
        .filter((r) => r.key !== 0)
        .sort((a, b) => a.key - b.key)
        .map(({ key, f }) => ({ agentId: key, name: agents.get(key)?.name ?? null, mode: agents.get(key)?.mode ?? null, ...figures(f, agents.get(key)) }));
      const stageRows = fold(
        cells,
        (c) => ({ agentId: c.agentId, pipelineId: c.pipelineId, statusId: c.statusId }),
        (c) => `${c.agentId}|${c.pipelineId}|${c.statusId}`,
      )
        .filter((r) => r.key.agentId !== 0)
        .map(({ key, f }) => {
          const s = stages.get(`${key.pipelineId}|${key.statusId}`);
          const a = agents.get(key.agentId);
          return { ...key, stageName: s?.name ?? null, pipelineName: s?.pipelineName ?? null, name: a?.name ?? null, mode: a?.mode ?? null, ...figures(f, a) };
        })
        .sort((a, b) => (a.pipelineId ?? 0) - (b.pipelineId ?? 0) || (a.statusId ?? 0) - (b.statusId ?? 0) || a.agentId - b.agentId);
      const byDay = new Map(
        fold(
          cells,
          (c) => c.day,
          (c) => c.day,
        ).map((r) => [r.key, r.f]),
      );
      const daily = [];
      for (let t = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate()); t < to; t += DAY) {
        const dayKey = new Date(t).toISOString().slice(0, 10);
        const f = byDay.get(dayKey) ?? emptyFigures(0);
        daily.push({
          day: dayKey,
          costUsd: Math.round(f.costUsd * 10_000) / 10_000,
          tokens: f.tokens,
          replies: f.replied,
          unchanged: f.approvedUnchanged,
          edited: f.approvedEdited,
          discarded: f.discarded,
          advanced: f.advanced,
        });
      }
      const { suggestion: _s, ...totals } = figures(
        cells.reduce<AgentFigures>((acc, c) => addFigures(acc, c), emptyFigures(0)),
        undefined,
      );
      return {
        from: new Date(from).toISOString(),
        to: new Date(Math.min(to, now)).toISOString(),
        month: q.month ?? null,
        leadId: q.leadId ?? null,
        thresholds: { autopilotMinDrafts: d.thresholds.autopilotMinDrafts, autopilotMinUnchanged: d.thresholds.autopilotMinUnchanged },
        totals,
        agents: agentRows,
        stages: stageRows,
        daily,
      };
    },
  };
}

export type QualityService = ReturnType<typeof createQualityService>;
