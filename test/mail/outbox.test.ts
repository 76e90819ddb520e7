import { afterEach, describe, expect, it } from 'vitest';
import { authHeaders } from '../helpers/tokens.js';
import { MAILBOX_FROM, startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
afterEach(async () => world?.stop());

describe('outbox → SMTP → note in the lead', () => {
  it('delivers a client email with a text part and records it in the lead as a note linked from the activity log', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Your quote',
      text: 'Hello,\nhere is the quote you asked for.\nBest regards',
      html: '<p>Hello,</p><p>here is the quote you asked for.</p>',
      idempotencyKey: 'quote-1',
    });
    // The row exists before anything is sent, with its Message-ID fixed.
    const queued = world.outbox(outboxId);
    expect(queued).toMatchObject({ status: 'queued', lead_id: lead.id, from_address: MAILBOX_FROM });
    expect(queued.message_id).toMatch(/^<[^@]+@company\.test>$/);
    expect(world.mailbox.messages).toHaveLength(0);

    await world.drain();
    expect(world.mailbox.delivered()).toHaveLength(1);
    const mail = await world.mailbox.messages[0]!.parsed();
    expect(world.mailbox.messages[0]!.to).toEqual([email]);
    expect(mail.subject).toBe('Your quote');
    expect(mail.messageId).toBe(queued.message_id);
    expect(mail.text).toContain('here is the quote you asked for.');
    expect(mail.html).toContain('<p>Hello,</p>');

    const row = world.outbox(outboxId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.smtp_response).toMatch(/^250/);
    const notes = [...world.sim.state.notes.values()].filter(
      (n) => n.entity_type === 'leads' && n.entity_id === lead.id && n.note_type === 'extended_service_message',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.params).toMatchObject({ service: 'AI Agent email' });
    const text = String(notes[0]!.params.text);
    expect(text).toContain(`From: Acme Sales <${MAILBOX_FROM}>`);
    expect(text).toContain(`To: ${email}`);
    expect(text).toContain('Subject: Your quote');
    expect(text).toContain('here is the quote you asked for.');
    expect(row.note_id).toBe(notes[0]!.id);
    const [entry] = world.activity('email.sent');
    expect(entry).toMatchObject({ lead_id: lead.id });
    expect(JSON.parse(entry!.metadata)).toMatchObject({ outboxId, noteId: notes[0]!.id });

    expect(text).toContain(`Message-ID: ${queued.message_id}`);

    // A note job re-run after a crash between Kommo's answer and our write finds the note instead of adding one.
    world.p.sqlite.prepare('UPDATE mail_outbox SET note_id = NULL WHERE id = ?').run(outboxId);
    await world.m.mail.services.recordNote(outboxId, { job: { attempts: 2 } });
    expect(world.outbox(outboxId).note_id).toBe(notes[0]!.id);
    expect([...world.sim.state.notes.values()].filter((n) => n.entity_id === lead.id && n.note_type === 'extended_service_message')).toHaveLength(1);

    // The same logical email queued again (a retried caller) is the same row: nothing new is sent.
    const again = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Your quote',
      text: 'x',
      idempotencyKey: 'quote-1',
    });
    expect(again.outboxId).toBe(outboxId);
    await world.drain();
    expect(world.mailbox.messages).toHaveLength(1);
  });

  it('retries SMTP 4xx answers with growing backoff, then ends failed with the reason in the API and the activity log', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    world.mailbox.refuse('rcpt', 451, '4.3.0 Mailbox temporarily unavailable', 10);
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Follow-up',
      text: 'Checking in.',
      idempotencyKey: 'f-1',
    });
    const delays: number[] = [];
    await world.drain();
    for (let attempt = 1; attempt < 6; attempt++) {
      const row = world.outbox(outboxId);
      expect(row).toMatchObject({ status: 'queued', attempts: attempt });
      expect(row.last_error).toContain('451');
      const job = world.p.sqlite.prepare("SELECT run_at FROM jobs WHERE queue = 'mail.send' AND status = 'queued'").get() as { run_at: number };
      delays.push(job.run_at - world.clock.now());
      await world.drain(); // nothing is due before the backoff ends
      expect(world.outbox(outboxId).attempts).toBe(attempt);
      await world.later(job.run_at - world.clock.now() + 1);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(14_000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]! - 50);
    expect(delays.at(-1)!).toBeGreaterThan(delays[0]! * 4);

    const res = await world.app.request(`/api/mail/outbox?leadId=${lead.id}`, { headers: authHeaders(accountId) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ id: outboxId, status: 'failed', attempts: 6 });
    expect(body.items[0].lastError).toMatch(/SMTP 451 .*Mailbox temporarily unavailable/);
    const [failed] = world.activity('email.failed');
    expect(failed).toMatchObject({ lead_id: lead.id });
    expect(failed!.description).toContain('451');
    expect(world.mailbox.delivered()).toHaveLength(0);
    expect([...world.sim.state.notes.values()].filter((n) => n.entity_id === lead.id && n.note_type === 'extended_service_message')).toHaveLength(0);
  });

  it('gives up at once on a 5xx answer, and delivers exactly once after a transient failure', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    world.mailbox.refuse('rcpt', 550, '5.1.1 No such user here');
    const bad = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: ['nobody@company.test'],
      subject: 'Hi',
      text: 'x',
      idempotencyKey: 'b-1',
    });
    await world.drain();
    expect(world.outbox(bad.outboxId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(world.outbox(bad.outboxId).last_error).toMatch(/SMTP 550 .*No such user here/);
    // A person retries it (the mailbox was created meanwhile): same Message-ID, delivered.
    const retry = await world.app.request(`/api/mail/outbox/${bad.outboxId}/retry`, { method: 'POST', headers: authHeaders(accountId) });
    expect(retry.status).toBe(202);
    await world.drain();
    expect(world.outbox(bad.outboxId)).toMatchObject({ status: 'sent' });
    const again = await world.app.request(`/api/mail/outbox/${bad.outboxId}/retry`, { method: 'POST', headers: authHeaders(accountId) });
    expect(again.status).toBe(409);
    world.mailbox.messages.length = 0;

    world.mailbox.refuse('data', 421, '4.7.0 Try again later');
    const ok = world.m.mail.services.clientMail.queue({ accountId, leadId: lead.id, to: [email], subject: 'Hello', text: 'Body', idempotencyKey: 'ok-1' });
    await world.drain();
    expect(world.outbox(ok.outboxId)).toMatchObject({ status: 'queued', attempts: 1 });
    await world.later(60_000);
    expect(world.outbox(ok.outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(world.mailbox.messages.map((m) => m.status)).toEqual(['rejected', 'accepted']);
    const ids = await Promise.all(world.mailbox.messages.map(async (m) => (await m.parsed()).messageId));
    expect(ids[0]).toBe(ids[1]); // the same Message-ID on every attempt
  });

  it('refuses to queue client email without the account mailbox, even with the system SMTP set', async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    expect(() => world.m.mail.services.clientMail.queue({ accountId, leadId: null, to: ['a@b.test'], subject: 's', text: 't', idempotencyKey: 'n' })).toThrow(
      expect.objectContaining({ code: 'NOT_CONFIGURED' }),
    );
    await world.drain();
    expect(world.smtp.messages).toHaveLength(0);
  });
});
