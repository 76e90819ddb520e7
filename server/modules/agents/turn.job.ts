import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import type { TurnService } from './turn.service.js';

export const TURN_QUEUE = 'agents.turn';

const id = z.number().int();
export const turnTrigger = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    messageIds: z.array(id).min(1),
    channel: z.string(),
    contactId: id.nullable(),
    salesbot: z.object({ returnUrl: z.string(), requestId: id }).optional(),
    email: z.object({ messageId: z.string(), from: z.string(), subject: z.string(), references: z.array(z.string()) }).optional(),
    /** The Salesbot step's agent_id setting: this agent answers instead of the stage's. */
    agentId: id.optional(),
  }),
  z.object({ kind: z.literal('call_missed'), callId: id, phone: z.string().nullable(), contactId: id.nullable() }),
  /** A Digital Pipeline trigger; its agent_id setting names the agent (else the stage's). */
  z.object({ kind: z.literal('stage_entered'), pipelineId: id, statusId: id, agentId: id.optional() }),
  /**
   * The agent writes first: a greeting when a lead enters a "greet" stage, a sequence's follow-up, or a
   * rule's agent_reply. `key` is the caller's idempotency key (one message per key).
   */
  z.object({
    kind: z.literal('proactive'),
    reason: z.enum(['greet', 'followup', 'rule']),
    key: z.string().min(1).max(150),
    agentId: id.optional(),
    instruction: z.string().max(1000).optional(),
  }),
]);
export const turnPayload = z.object({ accountId: id, leadId: id, turnKey: z.string().min(1).max(200), trigger: turnTrigger });
export type TurnTrigger = z.infer<typeof turnTrigger>;
export type TurnPayload = z.infer<typeof turnPayload>;

/** The idempotency key of a trigger: the same messages (or call, or stage entry) never make a second turn. */
export function turnKeyOf(t: TurnTrigger, leadId: number, now: number): string {
  if (t.kind === 'message') {
    const ids = [...t.messageIds].sort((a, b) => a - b).join(',');
    return ids.length <= 120 ? `msg:${ids}` : `msg:sha1:${createHash('sha1').update(ids).digest('hex')}`;
  }
  if (t.kind === 'call_missed') return `call:${t.callId}`;
  if (t.kind === 'proactive') return `pro:${t.key}`;
  // A Digital Pipeline trigger carries no id: one turn per lead, stage and minute absorbs Kommo's redeliveries
  // (the lead id is in the key: without it, only one lead per stage and minute got a turn).
  return `stage:${leadId}:${t.pipelineId}:${t.statusId}:${Math.floor(now / 60_000)}`;
}

export const turnJob = (turns: TurnService) =>
  defineJob({
    queue: TURN_QUEUE,
    payload: turnPayload,
    leaseMs: 120_000,
    backoff: { baseMs: 2000, capMs: 60_000 },
    // A model call takes seconds: one account's burst of turns never holds more than half the slots.
    share: 0.5,
    handle: (payload, ctx) => turns.run(payload, ctx),
  });
