import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { conflict } from '../../lib/errors.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { agentForStage } from './agents.repo.js';
import type { DeliveryService } from './delivery.service.js';
import type { ReplyTarget } from './delivery.types.js';
import { insertTurn, lastMessageTrigger, updateTurn } from './turns.repo.js';

/**
 * "Insert as draft" on a lead card's suggestion: the text becomes a draft of the stage's agent, exactly like one
 * the agent wrote in draft mode, so a person approves (or edits, or discards) it the same way. It answers where
 * the client last wrote (their Salesbot request, their email thread), or where the agent would write first.
 */
export function createSuggestionService(deps: {
  db: Db;
  clock: Clock;
  crm: Pick<MirrorReadRepo, 'lead'>;
  delivery: Pick<DeliveryService, 'deliver' | 'firstContactTarget'>;
  tx<T>(fn: () => T): T;
}) {
  const { db, clock } = deps;

  function targetFor(accountId: number, leadId: number): ReplyTarget | null {
    const trigger = lastMessageTrigger(db, accountId, leadId) as
      | { channel?: string; contactId?: number | null; salesbot?: ReplyTarget['salesbot']; email?: ReplyTarget['email'] }
      | undefined;
    if (trigger?.channel)
      return {
        channel: trigger.channel,
        contactId: trigger.contactId ?? null,
        ...(trigger.salesbot ? { salesbot: trigger.salesbot } : {}),
        ...(trigger.email ? { email: trigger.email } : {}),
      };
    return deps.delivery.firstContactTarget(accountId, leadId);
  }

  return {
    async insertAsDraft(accountId: number, leadId: number, userId: number, text: string): Promise<{ draftId: number }> {
      const lead = deps.crm.lead(accountId, leadId);
      const agent = lead?.pipelineId != null && lead.statusId != null ? agentForStage(db, accountId, lead.pipelineId, lead.statusId) : undefined;
      if (!agent) throw conflict(`No AI agent works the stage of lead ${leadId}, so a suggestion cannot become its draft`);
      const now = clock.now();
      // A turn of its own (the draft belongs to one): it was asked for by a person, and it is finished once drafted.
      const turn = deps.tx(() =>
        insertTurn(db, { accountId, leadId, agentId: agent.id, turnKey: `suggestion:${randomUUID()}`, trigger: { kind: 'suggestion', by: userId } }, now),
      );
      try {
        const d = await deps.delivery.deliver({
          accountId,
          leadId,
          agentId: agent.id,
          agentName: agent.name,
          turnId: turn.id,
          mode: 'draft',
          text,
          target: targetFor(accountId, leadId),
          meta: { source: 'suggestion', by: userId },
        });
        deps.tx(() => updateTurn(db, accountId, turn.id, { status: 'drafted', reply: text, finishedAt: clock.now() }));
        return { draftId: Number(d.ids.draftId) };
      } catch (err) {
        deps.tx(() => updateTurn(db, accountId, turn.id, { status: 'failed', reason: 'suggestion_not_drafted', finishedAt: clock.now() }));
        throw err;
      }
    },
  };
}

export type SuggestionService = ReturnType<typeof createSuggestionService>;
