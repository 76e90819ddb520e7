import type { Db } from '../../../db/client.js';
import { editRatio } from '../../lib/edit-distance.js';
import type { DiscardReason } from './agents.schemas.js';
import type { AgentDraftRow } from '../../../db/schema/index.js';
import { KommoError, KommoRateLimitedError } from '../../kommo/client/errors.js';
import type { KommoApi } from '../../kommo/client/types.js';
import { RetryAfterError } from '../../jobs/errors.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { ClientMailer } from '../../lib/ports.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { EventBus } from '../../lib/bus.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import { salesbotBody } from '../../kommo/salesbot-body.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { KeptAction } from '../actions/actions.proposals.js';
import { getAgent } from './agents.repo.js';
import { accountLang, handoffText } from './handoff.texts.js';
import { draftForTurn, getDraft, insertDraft, swapDraftStatus, updateDraft } from './turns.repo.js';

export interface SalesbotTarget {
  returnUrl: string;
  requestId: number;
}
export interface EmailTarget {
  messageId: string;
  from: string;
  subject: string;
  references: string[];
}
/** Where a reply can go: the channel the client wrote on, if we can reach it. */
export interface ReplyTarget {
  channel: string;
  contactId: number | null;
  salesbot?: SalesbotTarget;
  email?: EmailTarget;
  /** The agent writes first in a messenger: we launch this Salesbot (its widget step asks us for the text). */
  launch?: { botId: number };
  /** The agent writes first by email: a new message to the contact. */
  newEmail?: { to: string; subject: string };
}

export interface DeliveryDeps {
  db: Db;
  conversations: ConversationsRepo;
  salesbot: SalesbotRequestsRepo;
  clock: Clock;
  activity: ActivityService;
  clientMail: ClientMailer;
  kommo: { api(accountId: number): KommoApi };
  tx<T>(fn: () => T): T;
  crm: MirrorReadRepo;
  accounts: Pick<AccountsRepo, 'settings'>;
  /** Draft mode: the CRM actions proposed with a draft run when it is approved, and are discarded with it. */
  actions: Pick<ActionsService, 'attachToDraft' | 'approveDraft' | 'discardDraft'>;
  /** Announces what we wrote (rules wait for client replies from then on). */
  bus?: Pick<EventBus, 'emit'>;
}

export interface DeliverInput {
  accountId: number;
  leadId: number;
  agentId: number;
  agentName: string;
  turnId: number;
  mode: string;
  text: string;
  target: ReplyTarget | null;
  /** Tokens, cost, citations: goes into the activity entry. */
  meta: Record<string, unknown>;
}

export type Delivered = { status: 'replied' | 'drafted'; via: 'salesbot' | 'email' | 'note'; ids: Record<string, unknown> };

const reSubject = (s: string) => (/^re:/i.test(s.trim()) ? s.trim() : `Re: ${s.trim()}`);

export function createDeliveryService(deps: DeliveryDeps) {
  const { db, clock, activity, conversations, salesbot } = deps;

  /** The agent's message in the lead's conversation, so the next turn sees what was said. */
  function recordOutbound(
    accountId: number,
    leadId: number,
    contactId: number | null,
    channel: string,
    key: string,
    text: string,
    meta: Record<string, unknown>,
  ) {
    conversations.insertMessage({ accountId, leadId, contactId, direction: 'outbound', author: 'agent', channel, externalId: key, text, metadata: meta });
  }

  async function continueSalesbot(accountId: number, sb: SalesbotTarget, text: string): Promise<'sent' | 'closed'> {
    if (!salesbot.isPending(accountId, sb.requestId)) return 'closed';
    try {
      await deps.kommo.api(accountId).salesbotContinue(sb.returnUrl, salesbotBody(text));
    } catch (err) {
      if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
      // A 4xx means the bot no longer waits on this request: a human sends the reply instead.
      if (err instanceof KommoError && err.status !== undefined && err.status >= 400 && err.status < 500) return 'closed';
      throw err;
    }
    salesbot.markContinued(accountId, sb.requestId);
    return 'sent';
  }

  /** Queue an email reply in the outbox; null when email to clients is not configured yet. */
  function queueEmail(input: { accountId: number; leadId: number; email: EmailTarget; text: string; key: string }): { outboxId: number } | null {
    try {
      return deps.clientMail.queue({
        accountId: input.accountId,
        leadId: input.leadId,
        to: [input.email.from],
        subject: reSubject(input.email.subject || 'your message'),
        text: input.text,
        inReplyTo: input.email.messageId,
        references: [...input.email.references, input.email.messageId],
        idempotencyKey: input.key,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_CONFIGURED') return null;
      throw err;
    }
  }

  /** A new email to the contact (the agent writes first); null when email to clients is not configured. */
  function queueNewEmail(input: { accountId: number; leadId: number; to: string; subject: string; text: string; key: string }): { outboxId: number } | null {
    try {
      return deps.clientMail.queue({
        accountId: input.accountId,
        leadId: input.leadId,
        to: [input.to],
        subject: input.subject,
        text: input.text,
        idempotencyKey: input.key,
      });
    } catch (err) {
      if (err instanceof AppError && (err.code === 'NOT_CONFIGURED' || err.code === 'CONFLICT')) return null;
      throw err;
    }
  }

  /**
   * Launch the account's Salesbot for the lead, holding the text for its widget step (the webhooks module
   * answers the bot's request with it). The message is stored first, so a retry launches at most once more
   * only if the process died between Kommo's 202 and our note of it. 'failed': Kommo refused the run.
   */
  async function launch(
    accountId: number,
    leadId: number,
    botId: number,
    key: string,
    text: string,
    meta: Record<string, unknown>,
  ): Promise<'launched' | 'failed'> {
    const externalId = `launch:${key}`;
    deps.tx(() =>
      conversations.insertMessage({
        accountId,
        leadId,
        contactId: null,
        direction: 'outbound',
        author: 'agent',
        channel: 'salesbot',
        externalId,
        text,
        metadata: { ...meta, launch: { botId, state: 'waiting' } },
      }),
    );
    const row = conversations.byExternalId(accountId, 'salesbot', externalId);
    if (!row) return 'failed';
    const state = conversations.launchState(accountId, row.id);
    if (state && state !== 'waiting') return state === 'failed' ? 'failed' : 'launched';
    try {
      await deps.kommo.api(accountId).runSalesbot(botId, leadId);
    } catch (err) {
      if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
      if (err instanceof KommoError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401) {
        deps.tx(() => conversations.setLaunchState(accountId, row.id, 'failed'));
        return 'failed';
      }
      throw err;
    }
    deps.tx(() => conversations.setLaunchState(accountId, row.id, 'launched'));
    return 'launched';
  }

  async function note(accountId: number, leadId: number, text: string): Promise<number> {
    const [id] = await deps.kommo.api(accountId).createNotes('leads', [{ entity_id: leadId, note_type: 'common', params: { text } }]);
    return id!;
  }

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
      const text = input.text ? `AI draft reply: ${input.text}` : handoffText(accountLang(deps.accounts.settings(accountId)), 'draftActionsOnly');
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
      if (input.mode !== 'autopilot') return draft(input, 'draft mode');
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
        if (via === 'note') ids = { noteId: await note(accountId, d.leadId, `Approved AI reply — send this to the client: ${finalText}`) };
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
      // What the person changed (0: sent as the agent wrote it), for the acceptance figures.
      metadata: { draftId: d.id, turnId: d.turnId, via, approvedBy: userId, editRatio: editRatio(d.text, text), kommoIds: { leadId: d.leadId, ...ids } },
    });
  }
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
