/**
 * The internal event bus contract between modules. Publishers: the webhook handlers (issue: webhooks),
 * the Digital Pipeline and Salesbot endpoints, the IMAP watcher. Subscribers: agents, rules and
 * notifications. Handlers run synchronously inside the publisher's transaction and react by
 * enqueueing jobs, so nothing is lost on a crash.
 */
/**
 * Where an event came from, for rules: `eventKey` is stable across redeliveries of the same change (a rule
 * runs once per key), and `depth` counts how many rule actions led to it (0 = the outside world).
 */
export interface EventOrigin {
  eventKey?: string;
  depth?: number;
}

/** What a lead looked like, for rules that react to a change of it. */
export interface LeadSnapshot {
  statusId: number | null;
  pipelineId: number | null;
  responsibleUserId: number | null;
  tags: string[];
  /** Field id → its values as text. */
  fields: Record<number, string>;
}

export interface BusEvents {
  /**
   * A client wrote and the burst window has closed: one event per burst (several messages within
   * WEBHOOK_BURST_WINDOW_MS become one). `messageIds` are conversation_messages ids, oldest first.
   */
  message_received: EventOrigin & {
    accountId: number;
    leadId: number;
    contactId: number | null;
    messageIds: number[];
    channel: string;
    /** Set when the turn must be answered through Salesbot continue (docs/kommo.md §5). */
    salesbot?: { returnUrl: string; requestId: number };
    /** Set for email: reply through the outbox with threading headers. */
    email?: { messageId: string; from: string; subject: string; references: string[] };
    /** The Salesbot step's agent_id setting: this agent answers instead of the stage's. */
    agentId?: number;
  };
  /** An inbound call was missed (call_in note with a missed status). */
  call_missed: EventOrigin & { accountId: number; leadId: number | null; contactId: number | null; callId: number; phone: string | null };
  /** Digital Pipeline trigger or a status change put the lead into a stage. */
  lead_stage_entered: EventOrigin & {
    accountId: number;
    leadId: number;
    pipelineId: number;
    statusId: number;
    /** The stage it left, when known. */
    prevPipelineId?: number | null;
    prevStatusId?: number | null;
    source: 'dp' | 'webhook' | 'rule' | 'agent';
    /** A Digital Pipeline action's settings: the agent to wake (else the stage's), the sequence to enroll the lead in. */
    agentId?: number;
    sequenceId?: number;
  };
  /** A human (a Kommo user, not our integration) wrote to the client: agents must not talk over them. */
  human_replied: { accountId: number; leadId: number; userId: number | null };
  /** Any lead change the mirror applied, for rules. */
  lead_changed: EventOrigin & {
    accountId: number;
    leadId: number;
    action: string;
    statusId?: number | null;
    pipelineId?: number | null;
    /** The lead before and after the change, when the publisher knows both. */
    prev?: LeadSnapshot | null;
    next?: LeadSnapshot;
  };
  /** Task add/update/delete from Kommo, for rules and notifications. */
  task_changed: EventOrigin & {
    accountId: number;
    taskId: number;
    action: string;
    leadId: number | null;
    responsibleUserId: number | null;
    text: string | null;
    completeTill: number | null;
    completed?: boolean;
    /** Completed before this change (so a completion is seen once). */
    wasCompleted?: boolean;
  };
  /** We or a person wrote to the client (agent reply, a user's message, a rule's or sequence's email). */
  message_sent: EventOrigin & { accountId: number; leadId: number; channel: string; by: 'agent' | 'user' | 'rule' | 'sequence' };
  /**
   * An agent's own move_to_stage ran in Kommo. Kommo's webhook for it is our echo and publishes nothing, so
   * this is how the quality figures learn that the agent moved the lead (`lead_stage_entered` stays the
   * event of moves by others: rules and sequences react to that one).
   */
  lead_moved_by_agent: {
    accountId: number;
    leadId: number;
    agentId: number;
    actionId: number;
    from: { pipelineId: number; statusId: number };
    to: { pipelineId: number; statusId: number };
  };
  /** The account was uninstalled, or its tokens died. */
  'account.disconnected': { accountId: number };
  'account.reauth_required': { accountId: number; reason: string };
}

export type BusEventName = keyof BusEvents;
