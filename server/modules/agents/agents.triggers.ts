import type { Db } from '../../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { EventBus } from '../../lib/bus.js';
import type { BusEvents } from '../../lib/events.js';
import type { Clock } from '../../lib/clock.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { agentForStage, getAgent, stageBinding } from './agents.repo.js';
import type { LeadStateRepo } from './lead-state.repo.js';
import { SALESBOT_RELEASE_QUEUE } from '../webhooks/triggers.service.js';
import { TURN_QUEUE, turnKeyOf, type TurnTrigger } from './turn.job.js';

export interface TriggerDeps {
  db: Db;
  clock: Clock;
  queue: JobQueue;
  accounts: AccountsRepo;
  crm: MirrorReadRepo;
  leadState: LeadStateRepo;
}

/**
 * Bus subscriptions. They run inside the publisher's transaction, so they only read and enqueue
 * (the human-reply pause is one row written in that same transaction). A lead whose stage (in the
 * mirror) has no bound agent gets nothing.
 */
export function subscribeAgentTriggers(bus: EventBus, deps: TriggerDeps) {
  /** Uninstalled or needing re-authorization: queued turns could only fail, so they end now with the reason. */
  const stopAccount = (accountId: number, reason: string) => deps.queue.cancelQueued(accountId, TURN_QUEUE, `stopped: ${reason}`);

  /**
   * Queue a turn for the lead. The agent is the one the trigger names (a DP or Salesbot agent_id, a rule's
   * or sequence's agent), else the one bound to the lead's stage. Returns why not when nothing was queued.
   */
  const enqueue = (accountId: number, leadId: number, trigger: TurnTrigger): { queued: true } | { queued: false; reason: string } => {
    if (!deps.accounts.isConnected(accountId)) return { queued: false, reason: 'the Kommo account is not connected' }; // agents stop with the connection
    const lead = deps.crm.lead(accountId, leadId);
    if (!lead || lead.pipelineId === null || lead.statusId === null) return { queued: false, reason: `lead ${leadId} is not synced yet` };
    const named = 'agentId' in trigger && trigger.agentId ? getAgent(deps.db, accountId, trigger.agentId) : undefined;
    const agent = named ?? agentForStage(deps.db, accountId, lead.pipelineId, lead.statusId);
    if (!agent) return { queued: false, reason: "no agent works this lead's stage" };
    const now = deps.clock.now();
    const turnKey = turnKeyOf(trigger, leadId, now);
    deps.queue.enqueue({
      queue: TURN_QUEUE,
      accountId,
      payload: { accountId, leadId, turnKey, trigger },
      idempotencyKey: `turn:${accountId}:${turnKey}`,
      serialKey: `lead:${accountId}:${leadId}`,
      runAt: now + agent.replyDelaySec * 1000,
      maxAttempts: 5,
    });
    return { queued: true };
  };

  /**
   * A lead entered a stage by any route but Digital Pipeline (a manager's drag, the API, another
   * integration, a rule): the binding's on-stage-enter setting decides. "wait" and "greet" resume an agent
   * paused on the lead (not a handoff: a person holds that); "greet" also has the agent write first.
   */
  const stageEntered = (e: BusEvents['lead_stage_entered']) => {
    const b = stageBinding(deps.db, e.accountId, e.pipelineId, e.statusId);
    if (!b || b.onStageEnter === 'off') return;
    const st = deps.leadState.get(e.accountId, e.leadId);
    if (st?.handoffActive) return;
    const now = deps.clock.now();
    if (st?.pausedUntil && st.pausedUntil > now) deps.leadState.resume(e.accountId, e.leadId, now);
    if (b.onStageEnter === 'greet' && e.source !== 'agent')
      enqueue(e.accountId, e.leadId, {
        kind: 'proactive',
        reason: 'greet',
        key: `greet:${e.leadId}:${e.pipelineId}:${e.statusId}:${e.eventKey ?? Math.floor(now / 60_000)}`.slice(0, 150),
      });
  };

  const offs = [
    bus.on('account.disconnected', (e) => void stopAccount(e.accountId, 'the Kommo integration was uninstalled')),
    bus.on('account.reauth_required', (e) => void stopAccount(e.accountId, `the Kommo connection needs re-authorization (${e.reason})`)),
    bus.on('message_received', (e) => {
      const { queued } = enqueue(e.accountId, e.leadId, {
        kind: 'message',
        messageIds: e.messageIds,
        channel: e.channel,
        contactId: e.contactId,
        ...(e.salesbot ? { salesbot: e.salesbot } : {}),
        ...(e.email ? { email: e.email } : {}),
        ...(e.agentId ? { agentId: e.agentId } : {}),
      });
      // A Salesbot waits for our continue: with no agent to answer, release it at once instead of letting it time out.
      if (!queued && e.salesbot) {
        deps.queue.enqueue({
          queue: SALESBOT_RELEASE_QUEUE,
          accountId: e.accountId,
          payload: { requestId: e.salesbot.requestId },
          idempotencyKey: `salesbot-release:${e.salesbot.requestId}`,
        });
      }
    }),
    bus.on('call_missed', (e) => {
      if (e.leadId !== null) enqueue(e.accountId, e.leadId, { kind: 'call_missed', callId: e.callId, phone: e.phone, contactId: e.contactId });
    }),
    bus.on('lead_stage_entered', (e) => {
      if (e.source !== 'dp') return stageEntered(e);
      // A DP action that only names a sequence enrolls the lead (the sequences module) and wakes no agent.
      if (e.sequenceId && !e.agentId) return;
      enqueue(e.accountId, e.leadId, { kind: 'stage_entered', pipelineId: e.pipelineId, statusId: e.statusId, ...(e.agentId ? { agentId: e.agentId } : {}) });
    }),
    bus.on('human_replied', (e) => {
      const lead = deps.crm.lead(e.accountId, e.leadId);
      const agent = lead?.pipelineId != null && lead.statusId != null ? agentForStage(deps.db, e.accountId, lead.pipelineId, lead.statusId) : undefined;
      const minutes = agent?.humanReplyPauseMinutes ?? 60;
      const now = deps.clock.now();
      if (minutes <= 0) deps.leadState.noteHumanReply(e.accountId, e.leadId, now);
      else deps.leadState.humanReplied(e.accountId, e.leadId, now + minutes * 60_000, now);
    }),
  ];
  return {
    off: () => {
      for (const off of offs) off();
    },
    /**
     * A rule's agent_reply or a sequence's follow-up: the agent writes to the client first. Joins the
     * caller's transaction; `key` makes it once per rule run or step run.
     */
    proactive(accountId: number, leadId: number, input: { reason: 'followup' | 'rule'; key: string; agentId?: number; instruction?: string }) {
      const st = deps.leadState.get(accountId, leadId);
      if (st?.handoffActive) return { queued: false, reason: 'a person has taken over this lead' };
      if (st?.pausedUntil && st.pausedUntil > deps.clock.now()) return { queued: false, reason: 'the agent is paused on this lead' };
      if (input.agentId && !getAgent(deps.db, accountId, input.agentId)) return { queued: false, reason: `agent ${input.agentId} does not exist` };
      return enqueue(accountId, leadId, {
        kind: 'proactive',
        reason: input.reason,
        key: input.key.slice(0, 150),
        ...(input.agentId ? { agentId: input.agentId } : {}),
        ...(input.instruction ? { instruction: input.instruction } : {}),
      });
    },
  };
}

export type AgentTriggers = ReturnType<typeof subscribeAgentTriggers>;
