import type { Db } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { conflict } from '../../lib/errors.js';
import type { ModelPolicy } from '../../llm/models.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActionsService } from '../actions/actions.service.js';
import { listLeadActions } from '../actions/actions.repo.js';
import { UNDOABLE } from '../actions/actions.execute.js';
import { toolInput } from '../actions/actions.proposals.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { ReplyTarget } from './delivery.types.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { agentForStage } from './agents.repo.js';
import type { BudgetService } from './budget.service.js';
import type { HandoffService } from './handoff.service.js';
import { accountLang, handoffText } from './handoff.texts.js';
import { PAUSED_INDEFINITELY, type LeadStateRepo } from './lead-state.repo.js';
import { pendingDrafts, recentReplies, turnsOf } from './turns.repo.js';

const iso = (ms: number) => new Date(ms).toISOString();
const ACTION_STATUS: Record<string, 'done' | 'undone' | 'failed' | 'pending_approval'> = {
  done: 'done',
  undone: 'undone',
  failed: 'failed',
  rejected: 'failed',
  pending_approval: 'pending_approval',
  running: 'done',
};

/**
 * The agent's state on a lead, exactly one of four: no agent works its stage; handed to a person (to whom,
 * by whom, why, since when); paused (until when, or until resumed, and why); or active.
 */
export type AgentLeadState =
  | { kind: 'not_configured' }
  | {
      kind: 'handed_off';
      to: { userId: number; name: string | null } | null;
      by: { userId: number; name: string | null } | null;
      reason: string | null;
      since: string | null;
    }
  | { kind: 'paused'; until: string | null; reason: string | null }
  | { kind: 'active' };

/** The agent panel of a lead card: who answers this lead, its state there, drafts with their proposed actions, actions and replies. */
export function createLeadAgentService(deps: {
  db: Db;
  clock: Clock;
  crm: MirrorReadRepo;
  leadState: LeadStateRepo;
  activity: ActivityService;
  budget: Pick<BudgetService, 'state'>;
  models: ModelPolicy;
  handoff: Pick<HandoffService, 'run'>;
  actions: Pick<ActionsService, 'ofDrafts'>;
  conversations: Pick<ConversationsRepo, 'history' | 'texts'>;
  salesbot: Pick<SalesbotRequestsRepo, 'isPending'>;
  accounts: Pick<AccountsRepo, 'settings'>;
  tx<T>(fn: () => T): T;
}) {
  const { db, clock, crm } = deps;
  const user = (accountId: number, id: number | null) => (id === null ? null : { userId: id, name: crm.userName(accountId, id) });
  const agentOn = (accountId: number, leadId: number) => {
    const lead = crm.lead(accountId, leadId);
    return lead?.pipelineId != null && lead.statusId != null ? agentForStage(db, accountId, lead.pipelineId, lead.statusId) : undefined;
  };

  function stateOf(accountId: number, leadId: number, configured: boolean): AgentLeadState {
    if (!configured) return { kind: 'not_configured' };
    const st = deps.leadState.get(accountId, leadId);
    if (st?.handoffActive)
      return {
        kind: 'handed_off',
        to: user(accountId, st.handoffUserId),
        by: user(accountId, st.handoffBy),
        reason: st.handoffReason,
        since: st.handoffAt !== null ? iso(st.handoffAt) : null,
      };
    if (st?.pausedUntil != null && st.pausedUntil > clock.now())
      return { kind: 'paused', until: st.pausedUntil < PAUSED_INDEFINITELY ? iso(st.pausedUntil) : null, reason: st.pausedReason };
    return { kind: 'active' };
  }

  function view(accountId: number, leadId: number) {
    const lead = crm.lead(accountId, leadId);
    const agent = agentOn(accountId, leadId);
    const stage = lead?.pipelineId != null && lead.statusId != null ? crm.stage(accountId, lead.pipelineId, lead.statusId) : undefined;
    const st = deps.leadState.get(accountId, leadId);
    const paused = st?.pausedUntil != null && st.pausedUntil > clock.now();
    const drafts = pendingDrafts(db, accountId, leadId);
    /**
     * How an approved draft will reach the client, said before the click (the same order approval follows):
     * the Salesbot request still waiting for it, an email reply or a first email, a Salesbot we launch; else a
     * note for a person to send, with why.
     */
    const reachOf = (accountId: number, t: ReplyTarget | null): { via: 'salesbot' | 'email' | 'note'; why: 'no_channel' | 'salesbot_closed' | null } => {
      if (t?.salesbot && deps.salesbot.isPending(accountId, t.salesbot.requestId)) return { via: 'salesbot', why: null };
      if (t?.email || t?.newEmail) return { via: 'email', why: null };
      if (t?.launch) return { via: 'salesbot', why: null };
      return { via: 'note', why: t?.salesbot ? 'salesbot_closed' : 'no_channel' };
    };
    // What each draft answers (the client's messages that started its turn) and, when a guardrail replaced
    // the model's reply, the original and why: a manager decides with both in front of them.
    const turns = new Map(
      turnsOf(
        db,
        accountId,
        drafts.map((d) => d.turnId),
      ).map((t) => [t.id, t]),
    );
    const answers = (turnId: number) => {
      const t = turns.get(turnId);
      const ids = (t?.trigger as { kind?: string; messageIds?: unknown } | undefined)?.messageIds;
      const messageIds = Array.isArray(ids) ? ids.filter((x): x is number => Number.isSafeInteger(x)).slice(-5) : [];
      const plan = (t?.plan ?? null) as { guardrail?: string | null; guardrailOriginal?: string | null; guardrailRule?: string } | null;
      return {
        repliesTo: messageIds.length ? deps.conversations.texts(accountId, messageIds).map((x) => (x.length > 1000 ? `${x.slice(0, 999)}…` : x)) : [],
        guardrail: plan?.guardrail
          ? { rule: plan.guardrailRule ?? 'price_not_in_knowledge', reason: plan.guardrail, original: plan.guardrailOriginal ?? null }
          : null,
      };
    };
    const proposed = deps.actions.ofDrafts(
      accountId,
      drafts.map((d) => d.id),
    );
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
      /** The one state the badge shows; `paused` and `handoff` below say the same for older widgets. */
      state: stateOf(accountId, leadId, agent !== undefined),
      paused,
      pausedUntil: paused && st!.pausedUntil! < PAUSED_INDEFINITELY ? iso(st!.pausedUntil!) : null,
      handoff: { active: st?.handoffActive ?? false, reason: st?.handoffReason ?? null },
      drafts: drafts.map((d) => ({
        id: d.id,
        text: d.text,
        createdAt: iso(d.createdAt),
        ...answers(d.turnId),
        reach: reachOf(accountId, (d.delivery ?? null) as ReplyTarget | null),
        /** CRM actions proposed with this draft: they run only when it is approved (`input`: the editable tool arguments). */
        actions: proposed
          .filter((a) => a.draftId === d.id && a.status === 'proposed')
          .map((a) => ({ id: a.id, type: a.type, summary: a.summary, input: toolInput(a.type, a.args) })),
      })),
      // Proposals that never ran (still waiting with a draft, or discarded) are not part of the action log shown here.
      actions: listLeadActions(db, accountId, leadId)
        .filter((a) => a.status !== 'proposed' && a.status !== 'discarded')
        .map((a) => ({
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
          params: minutes ? { variant: 'minutes', minutes } : { variant: 'until_resumed' },
        });
      });
      return view(accountId, leadId);
    },
    /** "Hand off" from the card: the same task, brief and notification as the agent's own handoff. */
    async handoff(accountId: number, leadId: number, userId: number, reason?: string) {
      const agent = agentOn(accountId, leadId);
      if (!agent) throw conflict(`No AI agent works the stage of lead ${leadId}, so there is nothing to hand off`);
      if (deps.leadState.get(accountId, leadId)?.handoffActive) throw conflict(`Lead ${leadId} is already handed off to a person`);
      const lang = accountLang(deps.accounts.settings(accountId));
      const lastClient = deps.conversations.history(accountId, leadId, null, 20).find((h) => h.direction === 'inbound');
      await deps.handoff.run({
        accountId,
        leadId,
        agentId: agent.id,
        agentName: agent.name,
        turnId: null,
        reason: reason ?? handoffText(lang, 'manualReason', { user: crm.userName(accountId, userId) ?? `#${userId}` }),
        lastClientText: lastClient?.text,
        by: userId,
      });
      return view(accountId, leadId);
    },
    /** "Return to agent": the handoff (and any pause) ends, and the agent answers this lead again. */
    returnToAgent(accountId: number, leadId: number, userId: number) {
      const lang = accountLang(deps.accounts.settings(accountId));
      deps.tx(() => {
        deps.leadState.resume(accountId, leadId, clock.now());
        deps.activity.write({ accountId, leadId, userId, type: 'agent.returned', title: handoffText(lang, 'returned'), params: {} });
      });
      return view(accountId, leadId);
    },
    /** Resume: clears a pause and an active handoff. */
    resume(accountId: number, leadId: number, userId: number) {
      deps.tx(() => {
        deps.leadState.resume(accountId, leadId, clock.now());
        deps.activity.write({ accountId, leadId, userId, type: 'agent.resumed', title: 'AI agent resumed on this lead', params: {} });
      });
      return view(accountId, leadId);
    },
  };
}

export type LeadAgentService = ReturnType<typeof createLeadAgentService>;
