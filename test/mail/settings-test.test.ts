/**
 * The mailbox form's server side: "test connection" per side (a login, nothing sent) against real SMTP and
 * IMAP servers on loopback, the IMAP folder list, a lead's email thread (inbound and outbound) and cancelling
 * a queued email.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startImapServer, type TestImap } from '../helpers/mail-servers.js';
import { MAILBOX_FROM, startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
let imap: TestImap | undefined;
afterEach(async () => {
  await imap?.stop();
  imap = undefined;
  await world?.stop();
});

describe('mailbox connection test, folders, lead thread and cancel', () => {
  it('logs in to SMTP and IMAP with the form or the stored settings, lists folders, and reports a wrong password as a category only', async () => {
    world = await startMailWorld();
    await world.install();
    imap = await startImapServer('agent@company.test', 'imap-secret');
    const smtp = { host: '127.0.0.1', port: world.mailbox.port, secure: false, user: MAILBOX_FROM };
    const imapForm = { host: imap.host, port: imap.port, secure: false, user: imap.user, mailbox: 'INBOX' };

    // The stored SMTP settings (install() saved them), then the form with a wrong password.
    expect((await world.api('POST', '/api/mail/settings/test', { side: 'smtp' })).body).toEqual({ ok: true, side: 'smtp' });
    const wrong = await world.api('POST', '/api/mail/settings/test', { side: 'smtp', server: { ...smtp, password: 'nope' } });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({ ok: false, side: 'smtp', hint: 'auth', message: expect.stringContaining('user name or password') });
    expect(JSON.stringify(wrong.body)).not.toMatch(/535|Authentication failed|nope/);
    // Nothing was sent by either test.
    expect(world.mailbox.messages).toHaveLength(0);

    // IMAP from the form before it is saved: the folders come back; a missing password for a new server is a field error.
    const ok = await world.api('POST', '/api/mail/settings/test', { side: 'imap', server: { ...imapForm, password: 'imap-secret' } });
    expect(ok.body).toMatchObject({ ok: true, side: 'imap' });
    expect(ok.body.folders.map((f: { path: string }) => f.path)).toEqual(['INBOX', 'Sent']);
    expect(ok.body.folders[1]).toEqual({ path: 'Sent', specialUse: '\\Sent' });
    const noPassword = await world.api('POST', '/api/mail/settings/test', { side: 'imap', server: imapForm });
    expect(noPassword.status).toBe(422);
    expect(noPassword.body.errors).toEqual([expect.objectContaining({ field: 'imap.password' })]);
    const badImap = await world.api('POST', '/api/mail/settings/test', { side: 'imap', server: { ...imapForm, password: 'wrong' } });
    expect(badImap.body).toMatchObject({ ok: false, side: 'imap', hint: 'auth' });

    // Nothing stored for IMAP yet: the folder list says so; once saved, it lists them from the stored settings.
    expect((await world.api('GET', '/api/mail/settings/folders')).status).toBe(409);
    const saved = await world.api('PUT', '/api/mail/settings', { ...world.mailboxSettings(), imap: { ...imapForm, password: 'imap-secret' } });
    expect(saved.status).toBe(200);
    const folders = await world.api('GET', '/api/mail/settings/folders');
    expect(folders.body.items.map((f: { path: string }) => f.path)).toEqual(['INBOX', 'Sent']);
    // A stored password is reused when the form names the same server and user.
    expect((await world.api('POST', '/api/mail/settings/test', { side: 'imap', server: imapForm })).body).toMatchObject({ ok: true });
    expect((await world.api('POST', '/api/mail/settings/test', { side: 'smtp', server: smtp })).body).toEqual({ ok: true, side: 'smtp' });

    // Admins only.
    const rep = [...world.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    expect((await world.api('POST', '/api/mail/settings/test', { side: 'smtp' }, { userId: rep.id, isAdmin: false })).status).toBe(403);
  });

  it("serves a lead's email thread, inbound and outbound, and cancels a queued email but not a sent one", async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const send = (subject: string) => world.api('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject, text: 'Hello from the card' });
    const first = await send('First');
    expect(first.status).toBe(202);
    await world.drain();
    const second = await send('Second');
    expect(second.body.status).toBe('queued');

    const cancelled = await world.api('POST', `/api/mail/outbox/${second.body.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', lastError: 'cancelled by a user' });
    await world.drain();
    expect(world.mailbox.delivered().map((m) => m.to)).toEqual([[email]]);
    const again = await world.api('POST', `/api/mail/outbox/${first.body.id}/cancel`, {});
    expect(again.status).toBe(409);

    world.p.sqlite
      .prepare(
        `INSERT INTO conversation_messages (account_id, lead_id, direction, author, channel, external_id, subject, text, metadata, created_at)
         VALUES (?, ?, 'inbound', 'client', 'email', '<in-1@client.test>', 'Re: First', 'Thanks, got it', ?, ?)`,
      )
      .run(accountId, lead.id, JSON.stringify({ from: { address: email, name: null } }), Date.now() + 1000);
    const thread = await world.api('GET', `/api/leads/${lead.id}/emails`);
    expect(thread.status).toBe(200);
    expect(thread.body.items.map((i: { direction: string; subject: string; status?: string }) => [i.direction, i.subject, i.status ?? null])).toEqual([
      ['inbound', 'Re: First', null],
      ['outbound', 'Second', 'cancelled'],
      ['outbound', 'First', 'sent'],
    ]);
    expect(thread.body.recipients).toEqual([email.toLowerCase()]);
    expect(thread.body.items[0]).toMatchObject({ from: email, text: 'Thanks, got it' });
  });

  it("renders a template from a lead's own values under the ones given, saved or not, and sends it with them", async () => {
    world = await startMailWorld();
    await world.install();
    const { lead, contact, email } = world.leadWithContact();
    const draft = { subject: 'Offer for {{contact.name}}', text: 'Lead {{lead.id}}: {{lead.name}} / {{contact.email}}' };
    const rendered = await world.api('POST', '/api/mail/templates/render', { ...draft, leadId: lead.id, variables: { 'contact.email': 'typed@example.com' } });
    expect(rendered.status).toBe(200);
    expect(rendered.body).toMatchObject({ subject: `Offer for ${contact.name}`, text: `Lead ${lead.id}: ${lead.name} / typed@example.com` });
    expect((await world.api('POST', '/api/mail/templates/render', { ...draft, leadId: 999_999_999 })).status).toBe(404);
    // Without a lead, only the values given.
    expect((await world.api('POST', '/api/mail/templates/render', { ...draft, variables: { 'lead.name': 'X' } })).body.text).toBe('Lead : X / ');

    const saved = await world.api('POST', '/api/mail/templates', { name: 'Offer', ...draft });
    const preview = await world.api('POST', `/api/mail/templates/${saved.body.id}/preview`, { leadId: lead.id, variables: {} });
    expect(preview.body.subject).toBe(`Offer for ${contact.name}`);
    const sent = await world.api('POST', '/api/mail/outbox', {
      leadId: lead.id,
      to: [email],
      templateId: saved.body.id,
      variables: { 'contact.email': email },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.subject).toBe(`Offer for ${contact.name}`);
    await world.drain();
    expect((await world.mailbox.messages[0]!.parsed()).text).toContain(`Lead ${lead.id}: ${lead.name} / ${email}`);
  });
});
