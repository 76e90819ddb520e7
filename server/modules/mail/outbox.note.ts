import type { OutboxRow } from '../../../db/schema/index.js';
import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import { PermanentJobError } from '../../jobs/errors.js';
import { KommoAuthError } from '../../kommo/client/errors.js';
import type { KommoServices } from '../kommo/index.js';
import { accountLanguage, type Lang } from '../../lib/i18n.js';
import { MAIL_NOTE_TEXTS } from './outbox.note.texts.js';
import { outboxById, updateOutbox } from './outbox.repo.js';

/** Kommo cannot send mail (docs/kommo.md §3): each email we sent is recorded in the lead as a service note, in the account's language. */
export function noteText(row: OutboxRow, lang: Lang = 'en'): string {
  const l = MAIL_NOTE_TEXTS[lang];
  const from = row.fromName ? `${row.fromName} <${row.fromAddress}>` : row.fromAddress;
  const lines = row.text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  let snippet = lines.slice(0, 5).join('\n');
  if (snippet.length > 500) snippet = `${snippet.slice(0, 497)}...`;
  return [
    l.sent,
    `${l.from}: ${from}`,
    `${l.to}: ${row.to.join(', ')}`,
    ...(row.cc.length ? [`${l.cc}: ${row.cc.join(', ')}`] : []),
    `${l.subject}: ${row.subject}`,
    '',
    snippet,
    '',
    `Message-ID: ${row.messageId}`,
  ].join('\n');
}

export function createNoteRecorder(
  deps: Pick<Platform, 'db' | 'clock' | 'tx'> & {
    activity: ActivityService;
    kommo: KommoServices;
    accounts: { settings(accountId: number): Record<string, unknown> };
  },
) {
  const { db } = deps;
  /** After a crash between Kommo's answer and our write, the note may exist already: find it by Message-ID. */
  async function existingNote(accountId: number, leadId: number, messageId: string): Promise<number | undefined> {
    for await (const page of deps.kommo.api(accountId).leadNotes(leadId)) {
      const hit = page.find(
        (n) =>
          n.note_type === 'extended_service_message' && String((n.params as { text?: unknown } | undefined)?.text ?? '').includes(`Message-ID: ${messageId}`),
      );
      if (hit) return hit.id;
    }
    return undefined;
  }

  return async function recordNote(outboxId: number, ctx: { job: { attempts: number } }): Promise<void> {
    const row = outboxById(db, outboxId);
    if (row?.status !== 'sent' || !row.leadId || row.noteId) return;
    let noteId: number | undefined;
    try {
      if (ctx.job.attempts > 1) noteId = await existingNote(row.accountId, row.leadId, row.messageId);
      if (noteId === undefined) {
        const lang = accountLanguage(deps.accounts.settings(row.accountId));
        const params = { service: MAIL_NOTE_TEXTS[lang].service, text: noteText(row, lang) };
        [noteId] = await deps.kommo.api(row.accountId).createNotes('leads', [{ entity_id: row.leadId, note_type: 'extended_service_message', params }]);
      }
    } catch (err) {
      if (!(err instanceof KommoAuthError)) throw err;
      deps.activity.write({
        accountId: row.accountId,
        leadId: row.leadId,
        type: 'email.sent',
        title: `Email sent: ${row.subject}`,
        description: `To ${row.to.join(', ')}. Not recorded in the lead: ${err.message}`,
        metadata: { outboxId: row.id, noteId: null, messageId: row.messageId },
        params: { subject: row.subject, to: row.to.join(', ') },
      });
      throw new PermanentJobError(err.message, { cause: err });
    }
    deps.tx(() => {
      updateOutbox(db, row.id, { noteId: noteId ?? null, updatedAt: deps.clock.now() });
      deps.activity.write({
        accountId: row.accountId,
        leadId: row.leadId,
        type: 'email.sent',
        title: `Email sent: ${row.subject}`,
        description: `To ${row.to.join(', ')}`,
        metadata: { outboxId: row.id, noteId: noteId ?? null, messageId: row.messageId },
        params: { subject: row.subject, to: row.to.join(', ') },
      });
    });
  };
}
