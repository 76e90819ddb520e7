import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import type { HandlerCtx } from './context.js';

/** Talks (chat threads in Kommo's inbox): keep the mirror. */
export function handleTalkEvent(ctx: HandlerCtx, e: KommoEventOf<'talk'>): void {
  const { deps, accountId } = ctx;
  const t = e.talk;
  const leadId = t.entityType === 'lead' ? (t.entityId ?? null) : null;
  deps.stmt(
      `INSERT INTO talks (account_id, id, chat_id, contact_id, lead_id, origin, is_in_work, is_read, kommo_updated_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, id) DO UPDATE SET chat_id = coalesce(excluded.chat_id, talks.chat_id), contact_id = coalesce(excluded.contact_id, talks.contact_id),
         lead_id = coalesce(excluded.lead_id, talks.lead_id), origin = coalesce(excluded.origin, talks.origin), is_in_work = excluded.is_in_work, is_read = excluded.is_read,
         kommo_updated_at = excluded.kommo_updated_at, updated_at = excluded.updated_at
       WHERE excluded.kommo_updated_at >= talks.kommo_updated_at`,
    )
    .run(accountId, t.talkId, t.chatId ?? null, t.contactId ?? null, leadId, t.origin ?? null, t.isInWork === undefined ? null : t.isInWork ? 1 : 0, t.isRead === undefined ? null : t.isRead ? 1 : 0, t.updatedAt ?? t.createdAt ?? 0, deps.clock.now());
  deps.activity.write({
    accountId,
    leadId,
    type: `talk.${e.action}`,
    title: e.action === 'add' ? `New chat via ${t.origin ?? 'a messenger'}` : `Chat ${t.isInWork === false ? 'closed' : 'updated'}${t.origin ? ` (${t.origin})` : ''}`,
    metadata: { kommo: { talkId: t.talkId, chatId: t.chatId, contactId: t.contactId, leadId }, eventId: ctx.eventId },
  });
}

/** Customers and unsorted requests: logged with their ids for the feed (no mirror of these yet). */
export function handleLoggedEvent(ctx: HandlerCtx, e: KommoEventOf<'customer' | 'unsorted'>): void {
  const d = e.data as Record<string, any>;
  const id = d.id ?? d.uid ?? d.lead_id ?? null;
  const titles: Record<string, string> = {
    'customer.add': 'Customer added',
    'customer.update': 'Customer updated',
    'customer.delete': 'Customer deleted',
    'unsorted.add': 'New unsorted request',
    'unsorted.update': 'Unsorted request updated',
    'unsorted.delete': 'Unsorted request accepted or declined',
  };
  const leadId = Number(d.lead_id) || null;
  ctx.deps.activity.write({
    accountId: ctx.accountId,
    leadId,
    type: `${e.kind}.${e.action}`,
    title: `${titles[`${e.kind}.${e.action}`] ?? `${e.kind} ${e.action}`}${d.name ? `: ${String(d.name).slice(0, 60)}` : ''}`,
    metadata: { kommo: { [e.kind === 'customer' ? 'customerId' : 'unsortedId']: id, leadId }, source: d.source_name ?? d.source ?? null, eventId: ctx.eventId },
  });
}
