/**
 * The internal event bus contract between modules. Publishers: the webhook handlers (issue: webhooks),
 * the Digital Pipeline and Salesbot endpoints, the IMAP watcher. Subscribers: agents, rules and
 * notifications. Handlers run synchronously inside the publisher's transaction and react by
 * enqueueing jobs, so nothing is lost on a crash.
 */
export interface BusEvents {
  /**
   * A client wrote and the burst window has closed: one event per burst (several messages within
   * WEBHOOK_BURST_WINDOW_MS become one). `messageIds` are conversation_messages ids, oldest first.
   */
  message_received: {
    accountId: number;
    leadId: number;
    contactId: number | null;
    messageIds: number[];
    channel: string;
    /** Set when the turn must be answered through Salesbot continue (docs/kommo.md §5). */
    salesbot?: { returnUrl: string; requestId: number };
    /** Set for email: reply through the outbox with threading headers. */
    email?: { messageId: string; from: string; subject: string; references: string[] };
  };
  /** An inbound call was missed (call_in note with a missed status). */
  call_missed: { accountId: number; leadId: number | null; contactId: number | null; callId: number; phone: string | null };
  /** Digital Pipeline trigger or a status change put the lead into a stage. */
  lead_stage_entered: { accountId: number; leadId: number; pipelineId: number; statusId: number; source: 'dp' | 'webhook' };
  /** A human (a Kommo user, not our integration) wrote to the client: agents must not talk over them. */
  human_replied: { accountId: number; leadId: number; userId: number | null };
  /** Any lead change the mirror applied, for rules. */
  lead_changed: { accountId: number; leadId: number; action: string; statusId?: number | null; pipelineId?: number | null };
  /** Task add/update/delete from Kommo, for rules and notifications. */
  task_changed: {
    accountId: number;
    taskId: number;
    action: string;
    leadId: number | null;
    responsibleUserId: number | null;
    text: string | null;
    completeTill: number | null;
  };
  /** The account was uninstalled, or its tokens died. */
  'account.disconnected': { accountId: number };
  'account.reauth_required': { accountId: number; reason: string };
}

export type BusEventName = keyof BusEvents;
