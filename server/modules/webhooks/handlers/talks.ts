import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { defineHandler, type HandlerCtx } from './context.js';

const bit = (v: boolean | undefined): 0 | 1 | null => (v === undefined ? null : v ? 1 : 0);

/** Talks (chat threads in Kommo's inbox): keep the mirror, note it in the feed. */
export const talksHandler = defineHandler({
  kinds: ['talk'] as const,
  serialKey: (accountId, e) => `talk:${accountId}:${e.talk.talkId}`,
  entityId: (e) => String(e.talk.talkId),
  handle(ctx: HandlerCtx, e: KommoEventOf<'talk'>): void {
    const { deps, accountId } = ctx;
    const t = e.talk;
    const leadId = t.entityType === 'lead' ? (t.entityId ?? null) : null;
    deps.records.applyTalkEvent({
      accountId,
      id: t.talkId,
      chatId: t.chatId ?? null,
      contactId: t.contactId ?? null,
      leadId,
      origin: t.origin ?? null,
      isInWork: bit(t.isInWork),
      isRead: bit(t.isRead),
      version: t.updatedAt ?? t.createdAt ?? 0,
      now: deps.clock.now(),
    });
    deps.activity.write({
      accountId,
      leadId,
      type: `talk.${e.action}`,
      title:
        e.action === 'add'
          ? `New chat via ${t.origin ?? 'a messenger'}`
          : `Chat ${t.isInWork === false ? 'closed' : 'updated'}${t.origin ? ` (${t.origin})` : ''}`,
      metadata: { kommo: { talkId: t.talkId, chatId: t.chatId, contactId: t.contactId, leadId }, eventId: ctx.eventId },
      params: { channel: t.origin ?? '', variant: e.action === 'add' ? 'default' : t.isInWork === false ? 'closed' : 'updated' },
    });
  },
});
