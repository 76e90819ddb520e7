import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { openLeadOfContact, preview, type HandlerCtx } from './context.js';

/** Kommo call_status: 3 not available, 6 no answer, 7 busy; an inbound call with none of those but 0 s is missed too. */
const MISSED_STATUSES = new Set([3, 6, 7]);

/**
 * Notes on leads and contacts: calls go to the call history (a missed inbound call wakes the agent),
 * Kommo mail notes become conversation messages with the summary Kommo exposes, others are logged.
 */
export function handleNoteEvent(ctx: HandlerCtx, e: KommoEventOf<'lead_note' | 'contact_note'>): void {
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
    const ins = deps.stmt(
        `INSERT INTO calls (account_id, kommo_note_id, lead_id, contact_id, direction, duration_sec, call_status, missed, phone, link, user_id, uniq, created_at)
         VALUES (@accountId, @noteId, @leadId, @contactId, @direction, @duration, @status, @missed, @phone, @link, @userId, @uniq, @now)
         ON CONFLICT (account_id, kommo_note_id) DO NOTHING`,
      )
      .run({ accountId, noteId: n.id, leadId, contactId, direction: inbound ? 'inbound' : 'outbound', duration, status, missed: missed ? 1 : 0, phone: p.phone ?? null, link: p.link ?? null, userId: n.createdBy ?? n.mainUserId ?? null, uniq: p.uniq ?? null, now });
    if (ins.changes === 0) return;
    const callId = Number(ins.lastInsertRowid);
    const title = missed ? `Missed call from ${p.phone ?? 'an unknown number'}` : inbound ? `Incoming call from ${p.phone ?? 'a client'} (${duration} s)` : `Outgoing call to ${p.phone ?? 'a client'} (${duration} s)`;
    if (leadId) {
      deps.stmt(`INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, channel, external_id, text, metadata, created_at) VALUES (?, ?, ?, 'timeline', 'system', 'call', ?, ?, ?, ?) ON CONFLICT (account_id, channel, external_id) DO NOTHING`)
        .run(accountId, leadId, contactId, `call:${n.id}`, title, JSON.stringify({ callId, missed, duration }), now);
    }
    deps.activity.write({ accountId, leadId, type: missed ? 'call.missed' : `call.${inbound ? 'inbound' : 'outbound'}`, title, metadata: { kommo: { noteId: n.id, leadId, contactId, callId }, eventId: ctx.eventId, duration, callStatus: status } });
    if (missed) deps.bus.emit('call_missed', { accountId, leadId, contactId, callId, phone: p.phone ?? null });
    return;
  }

  if (type === 'amomail_message' || type === 'mail_message' || type === 'incoming_mail') {
    // Kommo exposes only a summary of mail (kommo.md §3); full bodies come from IMAP when configured.
    const p = (n.params ?? {}) as Record<string, unknown>;
    const income = p.income === true || p.income === '1' || p.income === 1 || type === 'incoming_mail';
    const summary = String(p.content_summary ?? p.text ?? n.text ?? '').trim();
    const subject = typeof p.subject === 'string' ? p.subject : null;
    const ins = deps.stmt(
        `INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, channel, external_id, subject, text, metadata, created_at)
         VALUES (?, ?, ?, ?, ?, 'email', ?, ?, ?, ?, ?) ON CONFLICT (account_id, channel, external_id) DO NOTHING`,
      )
      .run(accountId, leadId, contactId, income ? 'inbound' : 'outbound', income ? 'client' : 'user', `kommo-note:${n.id}`, subject, summary, JSON.stringify({ kommoNoteId: n.id, source: 'kommo_mail_summary', from: p.from ?? null }), now);
    if (ins.changes === 0) return;
    deps.activity.write({ accountId, leadId, type: income ? 'email.received' : 'email.sent_by_user', title: `${income ? 'Email received' : 'Email sent'}${subject ? `: ${preview(subject, 60)}` : ''}`, metadata: { kommo: { noteId: n.id, leadId, contactId }, preview: preview(summary), eventId: ctx.eventId } });
    if (income && leadId) {
      deps.bus.emit('message_received', { accountId, leadId, contactId, messageIds: [Number(ins.lastInsertRowid)], channel: 'email' });
    }
    return;
  }

  const echo = leadId !== null && deps.kommo.ownWrites.isOwn(accountId, ownKeys.note(onLead ? 'leads' : 'contacts', n.elementId ?? 0, n.text));
  deps.activity.write({
    accountId,
    leadId,
    userId: n.createdBy ?? null,
    type: 'note.added',
    title: `${echo ? 'AI agent note' : 'Note'} on ${onLead ? `lead #${n.elementId}` : `contact #${n.elementId}`}${n.text ? `: ${preview(n.text, 60)}` : ''}`,
    metadata: { kommo: { noteId: n.id, leadId, contactId }, noteType: type, echo, eventId: ctx.eventId },
  });
}
