import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { defineHandler, leadKey, openLeadOfContact, preview, userName, type HandlerCtx } from './context.js';

export const BURST_QUEUE = 'conversation.burst';

type MessageEvent = KommoEventOf<'message'>;
const leadOf = (m: MessageEvent['message']) => (m.elementType === 2 ? m.elementId : m.entityType === 'lead' ? m.entityId : undefined);

/**
 * Chat messages. Incoming ones join the lead's open burst; when the burst window closes one
 * `message_received` goes out (several quick messages are one agent turn). An outgoing message from a
 * person announces `human_replied` (the agents pause on that lead); our own bot's replies are
 * recognised and do not.
 */
export const messagesHandler = defineHandler({
  kinds: ['message'] as const,
  serialKey(accountId, e) {
    const leadId = leadOf(e.message);
    return leadId ? leadKey(accountId, leadId) : e.message.contactId ? `contact:${accountId}:${e.message.contactId}` : undefined;
  },
  entityId: (e) => e.message.id,
  handle(ctx: HandlerCtx, e: MessageEvent): void {
    const { deps, accountId } = ctx;
    const m = e.message;
    const leadId = leadOf(m) ?? (m.elementType === 2 || m.entityType === 'lead' ? null : openLeadOfContact(ctx, m.contactId));
    const incoming = e.direction === 'incoming' && m.sender !== 'user' && m.sender !== 'bot';
    const ownEcho = !incoming && deps.ownWrites.isOwn(accountId, ownKeys.message(m.text));
    const human = !incoming && !ownEcho && m.sender === 'user';
    const channel = m.origin || 'chat';
    const messageId = deps.conversations.insertMessage({
      accountId,
      leadId,
      contactId: m.contactId ?? null,
      direction: incoming ? 'inbound' : 'outbound',
      author: incoming ? 'client' : ownEcho ? 'agent' : human ? 'user' : 'bot',
      channel,
      chatId: m.chatId ?? null,
      talkId: m.talkId ?? null,
      externalId: m.id,
      text: m.text,
      metadata: { kommoMessageId: m.id, authorName: m.author?.name ?? null, authorType: m.author?.type ?? null },
    });
    if (messageId === null) return;
    const who = incoming ? (m.author?.name ?? 'client') : human ? (m.author?.name ?? userName(ctx, Number(m.author?.id) || null)) : 'bot';
    deps.activity.write({
      accountId,
      leadId,
      type: incoming ? 'message.received' : human ? 'message.sent_by_user' : 'message.sent_by_bot',
      title: incoming ? `Message from ${who} via ${channel}` : human ? `Reply by ${who} via ${channel}` : `Bot reply via ${channel}`,
      params: { who, channel },
      // Managers reading the feed need a preview; logs never carry message texts.
      metadata: {
        kommo: { messageId: m.id, chatId: m.chatId, talkId: m.talkId, contactId: m.contactId, leadId },
        preview: preview(m.text),
        eventId: ctx.eventId,
      },
    });
    // A person's reply pauses agents inside this same transaction (the bus is synchronous), so a turn
    // already queued for this lead cannot answer first.
    if (human && leadId) {
      deps.bus.emit('human_replied', { accountId, leadId, userId: Number(m.author?.id) || null });
      deps.bus.emit('message_sent', { accountId, leadId, channel, by: 'user', eventKey: `wh:${ctx.eventId}` });
    }
    // Kommo also hands this message to the Salesbot on the lead; when its request came first, that turn answers it.
    if (incoming && leadId && !answeredBySalesbot(ctx, leadId, m.text)) joinBurst(ctx, leadId, messageId);
  },
});

/** How far apart the add_message webhook and the Salesbot widget_request of one client message may arrive. */
export const SALESBOT_TWIN_WINDOW_MS = 120_000;
const same = (a: string | null | undefined) => (a ?? '').replace(/\s+/g, ' ').trim();

/** A Salesbot request for the same text on this lead arrived recently (it made its own turn). */
function answeredBySalesbot(ctx: HandlerCtx, leadId: number, text: string | undefined): boolean {
  const t = same(text);
  if (!t) return false;
  const since = ctx.deps.clock.now() - SALESBOT_TWIN_WINDOW_MS;
  return ctx.deps.conversations.salesbotTextsSince(ctx.accountId, leadId, since).some((r) => same(r) === t);
}

/**
 * The Salesbot request for a message that add_message already brought: take that message out of the lead's
 * open burst (the Salesbot turn answers it, through continue) and return its id. Undefined when no message
 * with this text waits in the burst.
 */
export function takeFromBurst(ctx: HandlerCtx, leadId: number, text: string): number | undefined {
  const { deps, accountId } = ctx;
  const t = same(text);
  if (!t) return undefined;
  const twin = deps.bursts.waiting(accountId, leadId).find((id) => same(deps.conversations.inboundText(accountId, id)) === t);
  if (twin !== undefined) deps.bursts.drop(accountId, leadId, twin);
  return twin;
}

/** Open or extend the lead's burst. The first message schedules the flush; later ones only join it. */
function joinBurst(ctx: HandlerCtx, leadId: number, messageId: number) {
  const { deps, accountId } = ctx;
  const now = deps.clock.now();
  if (!deps.bursts.join(accountId, leadId, messageId, now)) return;
  deps.queue.enqueue({
    queue: BURST_QUEUE,
    accountId,
    payload: { leadId, firstAt: now },
    idempotencyKey: `burst:${accountId}:${leadId}:${now}`,
    runAt: now + deps.env.WEBHOOK_BURST_WINDOW_MS,
  });
}

/** The window closed: one `message_received` for everything the client wrote in it. */
export function flushBurst(ctx: HandlerCtx, leadId: number, firstAt: number) {
  const { deps, accountId } = ctx;
  deps.tx(() => {
    const messageIds = deps.bursts.take(accountId, leadId, firstAt);
    if (!messageIds) return; // already flushed
    const first = deps.conversations.head(accountId, messageIds[0]!);
    deps.bus.emit('message_received', {
      accountId,
      leadId,
      contactId: first?.contactId ?? null,
      messageIds,
      channel: first?.channel ?? 'chat',
      eventKey: `burst:${messageIds[0]}`,
    });
  });
}
