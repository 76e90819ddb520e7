import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../own-writes.js';
import { openLeadOfContact, preview, userName, type HandlerCtx } from './context.js';

export const BURST_QUEUE = 'conversation.burst';

/**
 * Chat messages. Incoming ones join the lead's open burst; when the burst window closes one
 * `message_received` goes out (several quick messages are one agent turn). An outgoing message from a
 * person pauses the agents on that lead; our own bot's replies are recognised and do not.
 */
export function handleMessageEvent(ctx: HandlerCtx, e: KommoEventOf<'message'>): void {
  const { deps, accountId } = ctx;
  const m = e.message;
  const now = deps.clock.now();
  const leadId = m.elementType === 2 ? (m.elementId ?? null) : m.entityType === 'lead' ? (m.entityId ?? null) : openLeadOfContact(ctx, m.contactId);
  const incoming = e.direction === 'incoming' && m.sender !== 'user' && m.sender !== 'bot';
  const ownEcho = !incoming && deps.kommo.ownWrites.isOwn(accountId, ownKeys.message(m.text));
  const human = !incoming && !ownEcho && m.sender === 'user';
  const author = incoming ? 'client' : ownEcho ? 'agent' : human ? 'user' : 'bot';
  const channel = m.origin || 'chat';
  const ins = deps.stmt(
      `INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, channel, chat_id, talk_id, external_id, text, metadata, created_at)
       VALUES (@accountId, @leadId, @contactId, @direction, @author, @channel, @chatId, @talkId, @externalId, @text, @metadata, @now)
       ON CONFLICT (account_id, channel, external_id) DO NOTHING`,
    )
    .run({
      accountId,
      leadId,
      contactId: m.contactId ?? null,
      direction: incoming ? 'inbound' : 'outbound',
      author,
      channel,
      chatId: m.chatId ?? null,
      talkId: m.talkId ?? null,
      externalId: m.id,
      text: m.text,
      metadata: JSON.stringify({ kommoMessageId: m.id, authorName: m.author?.name ?? null, authorType: m.author?.type ?? null }),
      now,
    });
  if (ins.changes === 0) return;
  const messageId = Number(ins.lastInsertRowid);
  const who = incoming ? (m.author?.name ?? 'client') : human ? (m.author?.name ?? userName(ctx, Number(m.author?.id) || null)) : 'bot';
  deps.activity.write({
    accountId,
    leadId,
    type: incoming ? 'message.received' : human ? 'message.sent_by_user' : 'message.sent_by_bot',
    title: incoming ? `Message from ${who} via ${channel}` : human ? `Reply by ${who} via ${channel}` : `Bot reply via ${channel}`,
    // Managers reading the feed need a preview; logs never carry message texts.
    metadata: { kommo: { messageId: m.id, chatId: m.chatId, talkId: m.talkId, contactId: m.contactId, leadId }, preview: preview(m.text), eventId: ctx.eventId },
  });

  if (human && leadId) {
    deps.stmt(
        `INSERT INTO lead_agent_state (account_id, lead_id, human_replied_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, lead_id) DO UPDATE SET human_replied_at = excluded.human_replied_at, updated_at = excluded.updated_at`,
      )
      .run(accountId, leadId, now, now);
    deps.bus.emit('human_replied', { accountId, leadId, userId: Number(m.author?.id) || null });
  }
  // Kommo also hands this message to the Salesbot on the lead; when its request came first, that turn answers it.
  if (incoming && leadId && !answeredBySalesbot(ctx, leadId, m.text)) joinBurst(ctx, leadId, messageId);
}

/** How far apart the add_message webhook and the Salesbot widget_request of one client message may arrive. */
export const SALESBOT_TWIN_WINDOW_MS = 120_000;
const same = (a: string | null | undefined) => (a ?? '').replace(/\s+/g, ' ').trim();

/** A Salesbot request for the same text on this lead arrived recently (it made its own turn). */
function answeredBySalesbot(ctx: HandlerCtx, leadId: number, text: string | undefined): boolean {
  const t = same(text);
  if (!t) return false;
  const rows = ctx.deps
    .stmt(
      `SELECT text FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND direction = 'inbound' AND external_id LIKE 'salesbot:%' AND created_at >= ?`,
    )
    .all(ctx.accountId, leadId, ctx.deps.clock.now() - SALESBOT_TWIN_WINDOW_MS) as { text: string }[];
  return rows.some((r) => same(r.text) === t);
}

/**
 * The Salesbot request for a message that add_message already brought: take that message out of the lead's
 * open burst (the Salesbot turn answers it, through continue) and return its id. Undefined when no message
 * with this text waits in the burst.
 */
export function takeFromBurst(ctx: HandlerCtx, leadId: number, text: string): number | undefined {
  const { deps, accountId } = ctx;
  const t = same(text);
  const burst = deps.stmt('SELECT message_ids FROM pending_bursts WHERE account_id = ? AND lead_id = ?').get(accountId, leadId) as { message_ids: string } | undefined;
  if (!t || !burst) return undefined;
  const ids = JSON.parse(burst.message_ids) as number[];
  const twin = ids.find((id) => {
    const row = deps.stmt("SELECT text FROM conversation_messages WHERE account_id = ? AND id = ? AND direction = 'inbound'").get(accountId, id) as { text: string } | undefined;
    return row !== undefined && same(row.text) === t;
  });
  if (twin === undefined) return undefined;
  const rest = ids.filter((id) => id !== twin);
  if (rest.length) deps.stmt('UPDATE pending_bursts SET message_ids = ? WHERE account_id = ? AND lead_id = ?').run(JSON.stringify(rest), accountId, leadId);
  else deps.stmt('DELETE FROM pending_bursts WHERE account_id = ? AND lead_id = ?').run(accountId, leadId);
  return twin;
}

/** Open or extend the lead's burst. The first message schedules the flush; later ones only join it. */
export function joinBurst(ctx: HandlerCtx, leadId: number, messageId: number) {
  const { deps, accountId } = ctx;
  const now = deps.clock.now();
  const existing = deps.stmt('SELECT message_ids FROM pending_bursts WHERE account_id = ? AND lead_id = ?').get(accountId, leadId) as { message_ids: string } | undefined;
  if (existing) {
    const ids = [...(JSON.parse(existing.message_ids) as number[]), messageId];
    deps.stmt('UPDATE pending_bursts SET message_ids = ? WHERE account_id = ? AND lead_id = ?').run(JSON.stringify(ids), accountId, leadId);
    return;
  }
  deps.stmt('INSERT INTO pending_bursts (account_id, lead_id, first_at, message_ids) VALUES (?, ?, ?, ?)').run(accountId, leadId, now, JSON.stringify([messageId]));
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
    const row = deps.stmt('SELECT message_ids FROM pending_bursts WHERE account_id = ? AND lead_id = ? AND first_at = ?').get(accountId, leadId, firstAt) as { message_ids: string } | undefined;
    if (!row) return; // already flushed
    deps.stmt('DELETE FROM pending_bursts WHERE account_id = ? AND lead_id = ?').run(accountId, leadId);
    const messageIds = JSON.parse(row.message_ids) as number[];
    const first = deps.stmt('SELECT contact_id, channel FROM conversation_messages WHERE account_id = ? AND id = ?').get(accountId, messageIds[0]) as { contact_id: number | null; channel: string } | undefined;
    deps.bus.emit('message_received', { accountId, leadId, contactId: first?.contact_id ?? null, messageIds, channel: first?.channel ?? 'chat' });
  });
}
