import type { Db } from '../../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { agentForStage } from './agents.repo.js';
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
export function subscribeAgentTriggers(bus: EventBus, deps: TriggerDeps): () => void {
  /** Uninstalled or needing re-authorization: queued turns could only fail, so they end now with the reason. */
  const stopAccount = (accountId: number, reason: string) => deps.queue.cancelQueued(accountId, TURN_QUEUE, `stopped: ${reason}`);

  const enqueue = (accountId: number, leadId: number, trigger: TurnTrigger): boolean => {
    if (!deps.accounts.isConnected(accountId)) return false; // agents stop with the connection
    const lead = deps.crm.lead(accountId, leadId);
    if (!lead || lead.pipelineId === null || lead.statusId === null) return false;
    const agent = agentForStage(deps.db, accountId, lead.pipelineId, lead.statusId);
    if (!agent) return false;
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
    return true;
  };

  const offs = [
    bus.on('account.disconnected', (e) => void stopAccount(e.accountId, 'the Kommo integration was uninstalled')),
    bus.on('account.reauth_required', (e) => void stopAccount(e.accountId, `the Kommo connection needs re-authorization (${e.reason})`)),
    bus.on('message_received', (e) => {
      const queued = enqueue(e.accountId, e.leadId, {
        kind: 'message',
        messageIds: e.messageIds,
        channel: e.channel,
        contactId: e.contactId,
        ...(e.salesbot ? { salesbot: e.salesbot } : {}),
        ...(e.email ? { email: e.email } : {}),
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
      if (e.source === 'dp') enqueue(e.accountId, e.leadId, { kind: 'stage_entered', pipelineId: e.pipelineId, statusId: e.statusId });
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
  return () => {
    for (const off of offs) off();
  };
}
