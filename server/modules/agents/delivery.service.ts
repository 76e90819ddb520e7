import { editRatio } from '../../lib/edit-distance.js';
import type { DiscardReason } from './agents.schemas.js';
import type { AgentDraftRow } from '../../../db/schema/index.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { KeptAction } from '../actions/actions.proposals.js';
import { getAgent } from './agents.repo.js';
import { accountLang, handoffText } from './handoff.texts.js';
import { draftForTurn, getDraft, insertDraft, swapDraftStatus, updateDraft } from './turns.repo.js';
import { createDeliveryChannels } from './delivery.channels.js';

import type { DeliverInput, Delivered, DeliveryDeps, ReplyTarget } from './delivery.types.js';

export type { DeliverInput, Delivered, DeliveryDeps, EmailTarget, ReplyTarget, SalesbotTarget } from './delivery.types.js';

export function createDeliveryService(deps: DeliveryDeps) {
  const { db, clock, activity, conversations, salesbot } = deps;

  const { recordOutbound, continueSalesbot, queueEmail, queueNewEmail, launch, note } = createDeliveryChannels(deps);

  /** A draft row (carrying the turn's proposed actions) and a `common` note on the lead for a human to send. Idempotent per turn. */
  async function draft(input: DeliverInput, why: string): Promise<Delivered> {
    const { accountId, leadId } = input;
    const d =
      draftForTurn(db, accountId, input.turnId) ??
      deps.tx(() => {
        const row = insertDraft(
          db,
          {
            accountId,
            leadId,
            agentId: input.agentId,
            turnId: input.turnId,
            text: input.text,
            channel: input.target?.channel ?? null,
            delivery: input.target ? { ...input.target } : null,
          },
          clock.now(),
        );
        deps.actions.attachToDraft(accountId, input.turnId, row.id);
        return row;
      });
    if (d.noteId === null) {
      const lang = accountLang(deps.accounts.settings(accountId));
      const text = input.text ? handoffText(lang, 'draftReply', { text: input.text }) : handoffText(lang, 'draftActionsOnly');
      const noteId = await note(accountId, leadId, text);
      deps.tx(() => {
        updateDraft(db, accountId, d.id, { noteId });
        activity.write({
          accountId,
          agentId: input.agentId,
          leadId,
          type: 'agent.draft',
          title: `${input.agentName} drafted a reply`,
          description: input.text,
          params: { agent: input.agentName },
          metadata: { ...input.meta, draftId: d.id, turnId: input.turnId, why, kommoIds: { leadId, noteId } },
        });
      });
    }
    return { status: 'drafted', via: 'note', ids: { draftId: d.id } };
  }

  return {
    /**
     * Where the agent's first message goes when nobody asked: email when the client last wrote by email
     * (or there is no chat but an address), else through the account's Salesbot (the one whose widget step
     * reached us, or the one an admin chose), else nowhere (a draft for a person).
     */
    firstContactTarget(accountId: number, leadId: number): ReplyTarget | null {
      const lead = deps.crm.lead(accountId, leadId);
      const contact = lead?.mainContactId ? deps.crm.contact(accountId, lead.mainContactId) : undefined;
      const email = contact?.emails[0];
      const last = conversations.lastInbound(accountId, leadId);
      const subject = deps.crm.accountName(accountId) || lead?.name || '';
      const contactId = contact?.id ?? null;
      if (email && last?.channel === 'email') return { channel: 'email', contactId, newEmail: { to: email, subject } };
      const botId = Number(deps.accounts.settings(accountId).salesbotBotId);
      if (Number.isSafeInteger(botId) && botId > 0) return { channel: last?.channel ?? 'salesbot', contactId, launch: { botId } };
      if (email) return { channel: 'email', contactId, newEmail: { to: email, subject } };
      return null;
    },

    /** Deliver a turn's reply: Salesbot continue, the email outbox, or else a draft. */
    async deliver(input: DeliverInput): Promise<Delivered> {
      const { accountId, leadId, target } = input;
      if (input.mode !== 'autopilot') return draft(input, input.draftWhy ?? 'draft mode');
      const wrote = (via: 'salesbot' | 'email', ids: Record<string, unknown>) => {
        recordOutbound(accountId, leadId, target?.contactId ?? null, target?.channel ?? via, `agent-turn:${input.turnId}`, input.text, {
          turnId: input.turnId,
          via,
        });
        deps.bus?.emit('message_sent', { accountId, leadId, channel: target?.channel ?? via, by: 'agent', eventKey: `agent-turn:${input.turnId}` });
        activity.write({
          accountId,
          agentId: input.agentId,
          leadId,
          type: 'agent.reply',
          title: `${input.agentName} replied by ${via === 'salesbot' ? 'Salesbot' : 'email'}`,
          description: input.text,
          params: { agent: input.agentName, variant: via },
          metadata: { ...input.meta, turnId: input.turnId, via, kommoIds: { leadId, ...ids } },
        });
      };
      if (target?.salesbot) {
        const r = await continueSalesbot(accountId, target.salesbot, input.text);
        if (r === 'closed') return draft(input, 'the Salesbot request is no longer open');
        deps.tx(() => wrote('salesbot', { salesbotRequestId: target.salesbot!.requestId }));
        return { status: 'replied', via: 'salesbot', ids: { salesbotRequestId: target.salesbot.requestId } };
      }
      if (target?.email) {
        const queued = deps.tx(() => {
          const q = queueEmail({ accountId, leadId, email: target.email!, text: input.text, key: `agent-turn:${accountId}:${input.turnId}` });
          if (q) wrote('email', { outboxId: q.outboxId });
          return q;
        });
        if (!queued) return draft(input, 'email to clients is not configured');
        return { status: 'replied', via: 'email', ids: { outboxId: queued.outboxId } };
      }
      if (target?.newEmail) {
        const queued = deps.tx(() => {
          const q = queueNewEmail({ accountId, leadId, ...target.newEmail!, text: input.text, key: `agent-turn:${accountId}:${input.turnId}` });
          if (q) wrote('email', { outboxId: q.outboxId });
          return q;
        });
        if (!queued) return draft(input, "email to clients is not configured (the account's mailbox)");
        return { status: 'replied', via: 'email', ids: { outboxId: queued.outboxId } };
      }
      if (target?.launch) {
        const r = await launch(accountId, leadId, target.launch.botId, `turn:${input.turnId}`, input.text, { turnId: input.turnId });
        if (r === 'failed') return draft(input, `Kommo refused to start Salesbot ${target.launch.botId}`);
        deps.tx(() => {
          deps.bus?.emit('message_sent', { accountId, leadId, channel: target.channel, by: 'agent', eventKey: `agent-turn:${input.turnId}` });
          activity.write({
            accountId,
            agentId: input.agentId,
            leadId,
            type: 'agent.reply',
            title: `${input.agentName} wrote first: Salesbot ${target.launch!.botId} started to deliver it`,
            description: input.text,
            params: { agent: input.agentName, variant: 'first_salesbot', botId: target.launch!.botId },
            metadata: { ...input.meta, turnId: input.turnId, via: 'salesbot', botId: target.launch!.botId, kommoIds: { leadId } },
          });
        });
        return { status: 'replied', via: 'salesbot', ids: { botId: target.launch.botId } };
      }
      return draft(input, `the ${target?.channel ?? 'CRM'} channel cannot be answered directly`);
    },

    /** The lead a draft belongs to (the caller checks the user's rights on it first). */
    draftLead(accountId: number, id: number): number {
      const d = getDraft(db, accountId, id);
      if (!d) throw notFound(`Draft ${id}`);
      return d.leadId;
    },

    /**
     * POST /api/drafts/:id/approve: first the CRM actions proposed with it (as the person kept and edited
     * them), then the reply through the open Salesbot request, the email thread, or as a note to paste.
     * A draft of actions only (the model wrote no reply) sends nothing.
     */
    async approve(
      accountId: number,
      id: number,
      userId: number,
      text?: string,
      keep?: KeptAction[],
    ): Promise<{ status: 'sent'; via: 'salesbot' | 'email' | 'note' | 'none' }> {
      const d = getDraft(db, accountId, id);
      if (!d) throw notFound(`Draft ${id}`);
      if (!swapDraftStatus(db, accountId, id, 'pending', 'sending')) throw conflict(`Draft ${id} is ${d.status}; only a pending draft can be approved`);
      const finalText = text?.trim() || d.text;
      const target = (d.delivery ?? null) as ReplyTarget | null;
      try {
        const lead = deps.crm.lead(accountId, d.leadId);
        await deps.actions.approveDraft({
          accountId,
          leadId: d.leadId,
          draftId: d.id,
          userId,
          keep,
          ctx: {
            catalog: deps.crm.catalog(accountId),
            lead: { pipelineId: lead?.pipelineId ?? null, statusId: lead?.statusId ?? null, responsibleUserId: lead?.responsibleUserId ?? null },
            approvalRequired: getAgent(db, accountId, d.agentId)?.approvalRequired ?? [],
          },
        });
        if (!finalText) {
          deps.tx(() => updateDraft(db, accountId, d.id, { status: 'sent', via: 'none', decidedAt: clock.now(), decidedBy: userId }));
          return { status: 'sent', via: 'none' };
        }
        let via: 'salesbot' | 'email' | 'note' = 'note';
        let ids: Record<string, unknown> = {};
        if (target?.salesbot && (await continueSalesbot(accountId, target.salesbot, finalText)) === 'sent') {
          via = 'salesbot';
          ids = { salesbotRequestId: target.salesbot.requestId };
        } else if (target?.email) {
          const q = deps.tx(() => queueEmail({ accountId, leadId: d.leadId, email: target.email!, text: finalText, key: `agent-draft:${accountId}:${d.id}` }));
          if (q) {
            via = 'email';
            ids = { outboxId: q.outboxId };
          }
        } else if (target?.newEmail) {
          const q = deps.tx(() =>
            queueNewEmail({ accountId, leadId: d.leadId, ...target.newEmail!, text: finalText, key: `agent-draft:${accountId}:${d.id}` }),
          );
          if (q) {
            via = 'email';
            ids = { outboxId: q.outboxId };
          }
        } else if (target?.launch && (await launch(accountId, d.leadId, target.launch.botId, `draft:${d.id}`, finalText, { draftId: d.id })) === 'launched') {
          via = 'salesbot';
          ids = { botId: target.launch.botId };
        }
        if (via === 'note') {
          const lang = accountLang(deps.accounts.settings(accountId));
          ids = { noteId: await note(accountId, d.leadId, handoffText(lang, 'approvedNote', { text: finalText })) };
        }
        deps.tx(() => finishApproved(d, finalText, via, ids, userId));
        return { status: 'sent', via };
      } catch (err) {
        swapDraftStatus(db, accountId, id, 'sending', 'pending');
        if (err instanceof AppError) throw err;
        throw new AppError('UPSTREAM_FAILED', `The draft could not be sent: ${err instanceof Error ? err.message : String(err)}`);
      }
    },

    discard(accountId: number, id: number, userId: number, why: { reason?: DiscardReason; note?: string } = {}): { status: 'discarded' } {
      const d = getDraft(db, accountId, id);
      if (!d) throw notFound(`Draft ${id}`);
      deps.tx(() => {
        if (!swapDraftStatus(db, accountId, id, 'pending', 'discarded')) throw conflict(`Draft ${id} is ${d.status}; only a pending draft can be discarded`);
        updateDraft(db, accountId, id, { decidedAt: clock.now(), decidedBy: userId });
        deps.actions.discardDraft(accountId, id, userId);
        activity.write({
          accountId,
          agentId: d.agentId,
          leadId: d.leadId,
          userId,
          type: 'agent.draft_discarded',
          title: 'AI draft discarded',
          description: d.text,
          params: { reason: why.reason ?? null },
          metadata: { draftId: d.id, turnId: d.turnId, reason: why.reason ?? null, note: why.note ?? null },
        });
      });
      return { status: 'discarded' };
    },
  };

  function finishApproved(d: AgentDraftRow, text: string, via: 'salesbot' | 'email' | 'note', ids: Record<string, unknown>, userId: number) {
    updateDraft(db, d.accountId, d.id, { status: 'sent', via, text, decidedAt: clock.now(), decidedBy: userId });
    if (via !== 'note' && !(d.delivery as ReplyTarget | null)?.launch)
      recordOutbound(d.accountId, d.leadId, null, d.channel ?? via, `agent-draft:${d.id}`, text, { draftId: d.id, via });
    if (via !== 'note')
      deps.bus?.emit('message_sent', { accountId: d.accountId, leadId: d.leadId, channel: d.channel ?? via, by: 'user', eventKey: `agent-draft:${d.id}` });
    activity.write({
      accountId: d.accountId,
      agentId: d.agentId,
      leadId: d.leadId,
      userId,
      type: 'agent.reply',
      title: via === 'note' ? 'Approved AI reply saved as a note to send' : `Approved AI reply sent by ${via === 'salesbot' ? 'Salesbot' : 'email'}`,
      description: text,
      params: { variant: `approved_${via}` },
      // What the person changed (0: sent as the agent wrote it), for the acceptance figures.
      metadata: { draftId: d.id, turnId: d.turnId, via, approvedBy: userId, editRatio: editRatio(d.text, text), kommoIds: { leadId: d.leadId, ...ids } },
    });
  }
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
