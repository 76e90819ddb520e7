import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { defineHandler, leadKey, openLeadOfContact, preview, type HandlerCtx } from './context.js';

/** Kommo call_status: 3 not available, 6 no answer, 7 busy; an inbound call with none of those but 0 s is missed too. */
const MISSED_STATUSES = new Set([3, 6, 7]);

type NoteEvent = KommoEventOf<'lead_note' | 'contact_note'>;

/**
 * Notes on leads and contacts: calls go to the call history (a missed inbound call wakes the agent),
 * Kommo mail notes become conversation messages with the summary Kommo exposes, others are logged.
 */
export const notesHandler = defineHandler({
  kinds: ['lead_note', 'contact_note'] as const,
  serialKey: (accountId, e) =>
    e.kind === 'lead_note' ? leadKey(accountId, e.note.elementId) : e.note.elementId ? `contact:${accountId}:${e.note.elementId}` : undefined,
  entityId: (e) => String(e.note.id),
  handle: handleNoteEvent,
});

function handleNoteEvent(ctx: HandlerCtx, e: NoteEvent): void {
  const { deps, accountId } = ctx;
  const n = e.note;
  const now = deps.clock.now();
  const onLead = e.kind === 'lead_note';
  const leadId = onLead ? (n.elementId ?? null) : openLeadOfContact(ctx, n.elementId);
  const contactId = onLead ? null : (n.elementId ?? null);
  const type = n.noteType;

  if (type === 'call_in' || type === 'call_out') {
    const p = n.params ?? {};
    const inbound = type === 'call_in';
    const duration = Number(p.duration ?? 0) || 0;
    const status = p.callStatus !== undefined ? Number(p.callStatus) : null;
    const missed = inbound && ((status !== null && MISSED_STATUSES.has(status)) || (duration === 0 && status !== 4));
    const callId = deps.records.insertCall({
      accountId,
      noteId: n.id,
      leadId,
      contactId,
      direction: inbound ? 'inbound' : 'outbound',
      duration,
      status,
      missed: missed ? 1 : 0,
      phone: p.phone ?? null,
      link: p.link ?? null,
      userId: n.createdBy ?? n.mainUserId ?? null,
      uniq: p.uniq ?? null,
      now,
    });
    if (callId === null) return;
    const title = missed
      ? `Missed call from ${p.phone ?? 'an unknown number'}`
      : inbound
        ? `Incoming call from ${p.phone ?? 'a client'} (${duration} s)`
        : `Outgoing call to ${p.phone ?? 'a client'} (${duration} s)`;
    if (leadId) {
      deps.conversations.insertMessage({
        accountId,
        leadId,
        contactId,
        direction: 'timeline',
        author: 'system',
        channel: 'call',
        externalId: `call:${n.id}`,
        text: title,
        metadata: { callId, missed, duration },
      });
    }
    deps.activity.write({
      accountId,
      leadId,
      type: missed ? 'call.missed' : `call.${inbound ? 'inbound' : 'outbound'}`,
      title,
      metadata: { kommo: { noteId: n.id, leadId, contactId, callId }, eventId: ctx.eventId, duration, callStatus: status },
      params: { phone: p.phone ?? '', duration, ...(p.phone ? {} : { variant: 'no_phone' }) },
    });
    if (missed) deps.bus.emit('call_missed', { accountId, leadId, contactId, callId, phone: p.phone ?? null, eventKey: `wh:${ctx.eventId}` });
    return;
  }

  if (type === 'amomail_message' || type === 'mail_message' || type === 'incoming_mail') {
    // Kommo exposes only a summary of mail (docs/kommo.md §3); full bodies come from IMAP when configured.
    const p = (n.params ?? {}) as Record<string, unknown>;
    const income = p.income === true || p.income === '1' || p.income === 1 || type === 'incoming_mail';
    const summary = String(p.content_summary ?? p.text ?? n.text ?? '').trim();
    const subject = typeof p.subject === 'string' ? p.subject : null;
    const messageId = deps.conversations.insertMessage({
      accountId,
      leadId,
      contactId,
      direction: income ? 'inbound' : 'outbound',
      author: income ? 'client' : 'user',
      channel: 'email',
      externalId: `kommo-note:${n.id}`,
      subject,
      text: summary,
      metadata: { kommoNoteId: n.id, source: 'kommo_mail_summary', from: p.from ?? null },
    });
    if (messageId === null) return;
    deps.activity.write({
      accountId,
      leadId,
      type: income ? 'email.received' : 'email.sent_by_user',
      title: `${income ? 'Email received' : 'Email sent'}${subject ? `: ${preview(subject, 60)}` : ''}`,
      metadata: { kommo: { noteId: n.id, leadId, contactId }, preview: preview(summary), eventId: ctx.eventId },
      params: { subject: subject ? preview(subject, 60) : '', variant: income ? 'kommo' : 'default' },
    });
    if (income && leadId) {
      deps.bus.emit('message_received', { accountId, leadId, contactId, messageIds: [messageId], channel: 'email', eventKey: `wh:${ctx.eventId}` });
    }
    return;
  }

  const echo = leadId !== null && deps.ownWrites.isOwn(accountId, ownKeys.note(onLead ? 'leads' : 'contacts', n.elementId ?? 0, n.text));
  deps.activity.write({
    accountId,
    leadId,
    userId: n.createdBy ?? null,
    type: 'note.added',
    title: `${echo ? 'AI agent note' : 'Note'} on ${onLead ? `lead #${n.elementId}` : `contact #${n.elementId}`}${n.text ? `: ${preview(n.text, 60)}` : ''}`,
    metadata: { kommo: { noteId: n.id, leadId, contactId }, noteType: type, echo, eventId: ctx.eventId },
    params: { id: n.elementId ?? 0, text: n.text ? preview(n.text, 60) : '', variant: `${echo ? 'agent_' : ''}${onLead ? 'lead' : 'contact'}` },
  });
}
