import type { Db } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { ModelPolicy } from '../../llm/models.js';
import type { ActivityService } from '../activity/activity.service.js';
import { listLeadActions } from '../actions/actions.repo.js';
import { UNDOABLE } from '../actions/actions.execute.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { agentForStage } from './agents.repo.js';
import type { BudgetService } from './budget.service.js';
import { PAUSED_INDEFINITELY, type LeadStateRepo } from './lead-state.repo.js';
import { pendingDrafts, recentReplies } from './turns.repo.js';

const iso = (ms: number) => new Date(ms).toISOString();
const ACTION_STATUS: Record<string, 'done' | 'undone' | 'failed' | 'pending_approval'> = {
  done: 'done',
  undone: 'undone',
  failed: 'failed',
  rejected: 'failed',
  pending_approval: 'pending_approval',
  running: 'done',
};

/** The agent panel of a lead card: who answers this lead, whether it is paused, drafts, actions and replies. */
export function createLeadAgentService(deps: {
  db: Db;
  clock: Clock;
  crm: MirrorReadRepo;
  leadState: LeadStateRepo;
  activity: ActivityService;
  budget: Pick<BudgetService, 'state'>;
  models: ModelPolicy;
  tx<T>(fn: () => T): T;
}) {
  const { db, clock, crm } = deps;

  function view(accountId: number, leadId: number) {
    const lead = crm.lead(accountId, leadId);
    const agent = lead?.pipelineId != null && lead.statusId != null ? agentForStage(db, accountId, lead.pipelineId, lead.statusId) : undefined;
    const stage = lead?.pipelineId != null && lead.statusId != null ? crm.stage(accountId, lead.pipelineId, lead.statusId) : undefined;
    const st = deps.leadState.get(accountId, leadId);
    const paused = st?.pausedUntil != null && st.pausedUntil > clock.now();
    const runsOn = agent ? deps.models.effective(agent.model) : null;
    const budget = deps.budget.state(accountId);
    return {
      leadId,
      agent:
        agent && runsOn
          ? {
              id: agent.id,
              name: agent.name,
              mode: agent.mode as 'draft' | 'autopilot',
              model: runsOn.model,
              // The agent's model has left the operator's list: the default answers, and the panel says so.
              modelFallback: runsOn.fallback ? { configured: agent.model, used: runsOn.model } : null,
            }
          : null,
      /** When the account's monthly AI budget is used up, no agent replies until `resetsAt` (or a higher limit). */
      budget: { exhausted: budget.exhausted, resetsAt: budget.resetsAt },
      stage: stage ? { pipelineId: stage.pipelineId, statusId: stage.statusId, name: stage.name } : null,
      paused,
      pausedUntil: paused && st!.pausedUntil! < PAUSED_INDEFINITELY ? iso(st!.pausedUntil!) : null,
      handoff: { active: st?.handoffActive ?? false, reason: st?.handoffReason ?? null },
      drafts: pendingDrafts(db, accountId, leadId).map((d) => ({ id: d.id, text: d.text, createdAt: iso(d.createdAt) })),
      actions: listLeadActions(db, accountId, leadId).map((a) => ({
        id: a.id,
        type: a.type,
        summary: a.summary,
        status: ACTION_STATUS[a.status] ?? 'failed',
        undoable: a.status === 'done' && UNDOABLE.has(a.type),
        createdAt: iso(a.createdAt),
      })),
      // `model` names what wrote the reply (e.g. the demo model), so the panel can say so.
      replies: recentReplies(db, accountId, leadId).map((r) => ({ id: r.id, text: r.text, createdAt: iso(r.at), model: r.model })),
    };
  }

  return {
    view,
    /** Pause the agent on this lead for `minutes`, or until resumed. */
    pause(accountId: number, leadId: number, userId: number, minutes?: number) {
      const now = clock.now();
      const until = minutes ? now + minutes * 60_000 : PAUSED_INDEFINITELY;
      deps.tx(() => {
        deps.leadState.pause(accountId, leadId, until, 'manual', now);
        deps.activity.write({
          accountId,
          leadId,
          userId,
          type: 'agent.paused',
          title: minutes ? `AI agent paused for ${minutes} min` : 'AI agent paused until resumed',
          metadata: { until: minutes ? iso(until) : null },
        });
      });
      return view(accountId, leadId);
    },
    /** Resume: clears a pause and an active handoff. */
    resume(accountId: number, leadId: number, userId: number) {
      deps.tx(() => {
        deps.leadState.resume(accountId, leadId, clock.now());
        deps.activity.write({ accountId, leadId, userId, type: 'agent.resumed', title: 'AI agent resumed on this lead' });
      });
      return view(accountId, leadId);
    },
  };
}

export type LeadAgentService = ReturnType<typeof createLeadAgentService>;
