/**
 * The note an email leaves in the lead (Kommo cannot send mail, so we record each one) is written in the
 * account's language: its service name and its From/To/Subject labels; the Message-ID line stays as it is,
 * since a retried note job finds its own note by it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAILBOX_FROM, startMailWorld, type MailWorld } from '../mail/mail-world.js';

let world: MailWorld;
afterEach(async () => world?.stop());

const EXPECTED = {
  ru: { service: 'Почта ИИ-агента', lines: ['Письмо отправлено', `От: Acme Sales <${MAILBOX_FROM}>`, 'Кому: ', 'Тема: Ваше предложение'] },
  es: { service: 'Correo del Agente de IA', lines: ['Correo enviado', `De: Acme Sales <${MAILBOX_FROM}>`, 'Para: ', 'Asunto: Ваше предложение'] },
} as const;

describe.each(['ru', 'es'] as const)('with the account language %s', (lang) => {
  it('the email note in the lead is in that language, and a re-run note job still finds it', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    expect((await world.api('PUT', '/api/account/language', { override: lang })).status).toBe(200);
    const { lead, email } = world.leadWithContact();
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Ваше предложение',
      text: 'Hola / Здравствуйте',
      idempotencyKey: `quote-${lang}`,
    });
    await world.drain();
    const notes = () => [...world.sim.state.notes.values()].filter((n) => n.entity_id === lead.id && n.note_type === 'extended_service_message');
    expect(notes()).toHaveLength(1);
    const note = notes()[0]!;
    expect(note.params.service).toBe(EXPECTED[lang].service);
    const text = String(note.params.text);
    for (const line of EXPECTED[lang].lines) expect(text).toContain(line);
    expect(text).not.toMatch(/^(Email sent|From:|To:|Subject:)/m);
    expect(text).toContain(`Message-ID: ${world.outbox(outboxId).message_id}`);

    world.p.sqlite.prepare('UPDATE mail_outbox SET note_id = NULL WHERE id = ?').run(outboxId);
    await world.m.mail.services.recordNote(outboxId, { job: { attempts: 2 } });
    expect(notes()).toHaveLength(1);
  });
});
