import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvents } from '../../server/lib/events.js';
import { clientEmail, startImapServer, type TestImap } from '../helpers/mail-servers.js';
import { authHeaders } from '../helpers/tokens.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
let imap: TestImap | undefined;
afterEach(async () => {
  await world?.m.mail.services.watcher.stop();
  await imap?.stop();
  imap = undefined;
  await world?.stop();
});

/** A contact with this email and an open lead in the simulator (plus a newer won lead that must not be picked). */
function clientWithLead(address: string) {
  const field = [...world.sim.state.customFields.contacts.values()].find((f) => f.code === 'EMAIL')!;
  const contact = world.sim.addContact({
    name: 'Maria Client',
    custom_fields_values: [{ field_id: field.id, field_code: 'EMAIL', field_name: field.name, values: [{ value: address, enum_code: 'WORK' }] }] as never,
  });
  const lead = world.sim.addLead({ name: 'Maria: 10 seats', _embedded: { tags: [], companies: [], contacts: [{ id: contact.id, is_main: true }] } });
  world.sim.tick(5);
  const won = world.sim.addLead({
    name: 'Maria: old deal',
    status_id: 142,
    _embedded: { tags: [], companies: [], contacts: [{ id: contact.id, is_main: true }] },
  });
  return { contact, lead, won };
}

async function connectMailbox(accountId: number) {
  imap = await startImapServer();
  const res = await world.app.request('/api/mail/settings', {
    method: 'PUT',
    headers: { ...authHeaders(accountId), 'content-type': 'application/json' },
    body: JSON.stringify({ ...world.mailboxSettings(), imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password } }),
  });
  expect(res.status).toBe(200);
  return imap;
}

function captureEvents() {
  const events: BusEvents['message_received'][] = [];
  world.p.bus.on('message_received', (e) => events.push(e));
  return events;
}

describe('inbound client email over IMAP, and the agent reply over SMTP', () => {
  it('stores the email in the lead, emits message_received once, and a reply through the port threads and lands as a note', async () => {
    world = await startMailWorld();
    const { contact, lead } = clientWithLead('maria@client.test');
    const accountId = await world.install();
    await connectMailbox(accountId);
    const events = captureEvents();

    await imap!.deliver(
      clientEmail({
        from: 'Maria@Client.test',
        to: 'sales@company.test',
        subject: 'Question about pricing',
        messageId: '<m1@client.test>',
        references: ['<older@company.test>'],
        text: 'Hi, how much for 10 seats?\n\nOn Mon, Jan 5, 2026 at 10:00 AM Sales <sales@company.test> wrote:\n> Thanks for your interest.',
      }),
    );
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);

    const row = world.p.sqlite.prepare("SELECT * FROM conversation_messages WHERE channel = 'email'").get() as any;
    expect(row).toMatchObject({
      account_id: accountId,
      lead_id: lead.id,
      contact_id: contact.id,
      direction: 'inbound',
      external_id: '<m1@client.test>',
      subject: 'Question about pricing',
    });
    expect(row.text).toBe('Hi, how much for 10 seats?');
    expect(JSON.parse(row.metadata).fullText).toContain('> Thanks for your interest.');
    expect(events).toEqual([
      {
        accountId,
        leadId: lead.id,
        contactId: contact.id,
        messageIds: [row.id],
        channel: 'email',
        email: { messageId: '<m1@client.test>', from: 'maria@client.test', subject: 'Question about pricing', references: ['<older@company.test>'] },
      },
    ]);

    // Polling again, or re-reading the whole mailbox, never stores or emits it twice.
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(0);
    world.p.sqlite.prepare('UPDATE mail_settings SET imap_last_uid = 0, imap_uid_validity = NULL, imap_since = 0').run();
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(0);
    expect(events).toHaveLength(1);

    // The agent answers through the ClientMailer port, as the agent pipeline does.
    const e = events[0]!;
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: e.leadId,
      to: [e.email!.from],
      subject: e.email!.subject,
      text: 'Hello Maria,\n10 seats are $100 per month.',
      inReplyTo: e.email!.messageId,
      references: e.email!.references,
      idempotencyKey: `reply:${e.messageIds[0]}`,
    });
    await world.drain();
    expect(world.mailbox.delivered()).toHaveLength(1);
    const sent = await world.mailbox.messages[0]!.parsed();
    expect(world.mailbox.messages[0]!.to).toEqual(['maria@client.test']);
    expect(sent.subject).toBe('Re: Question about pricing');
    expect(sent.inReplyTo).toBe('<m1@client.test>');
    expect(sent.references).toEqual(['<older@company.test>', '<m1@client.test>']);
    const notes = [...world.sim.state.notes.values()].filter((n) => n.entity_id === lead.id && n.note_type === 'extended_service_message');
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.params.text)).toContain('Subject: Re: Question about pricing');

    // A reply to our reply, from an address Kommo does not know, still belongs to the lead (by thread).
    const ourId = world.outbox(outboxId).message_id as string;
    await imap!.deliver(
      clientEmail({
        from: 'boss@client.test',
        to: 'sales@company.test',
        subject: 'Re: Re: Question about pricing',
        messageId: '<m2@client.test>',
        inReplyTo: ourId,
        references: ['<m1@client.test>', ourId],
        text: 'Deal. Send the contract.',
      }),
    );
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ leadId: lead.id, email: { from: 'boss@client.test', messageId: '<m2@client.test>' } });
  });

  it('finds a sender the mirror does not have yet through Kommo, and skips automatic mail and our own messages', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead } = clientWithLead('new.client@client.test'); // created after the sync: only Kommo knows it
    await connectMailbox(accountId);
    const events = captureEvents();
    await imap!.deliver(
      clientEmail({
        from: 'new.client@client.test',
        to: 'sales@company.test',
        subject: 'Hello',
        messageId: '<n1@client.test>',
        text: 'Are you open on Saturday?',
      }),
    );
    const auto = clientEmail({
      from: 'new.client@client.test',
      to: 'sales@company.test',
      subject: 'Out of office',
      messageId: '<ooo@client.test>',
      text: 'I am away.',
    }).replace('MIME-Version', 'Auto-Submitted: auto-replied\r\nMIME-Version');
    await imap!.deliver(auto);
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ leadId: lead.id, email: { messageId: '<n1@client.test>' } });
    const stored = world.p.sqlite.prepare("SELECT external_id, lead_id FROM conversation_messages WHERE channel = 'email' ORDER BY id").all();
    expect(stored).toEqual([
      { external_id: '<n1@client.test>', lead_id: lead.id },
      { external_id: '<ooo@client.test>', lead_id: lead.id },
    ]);
  });

  it('the running watcher picks new mail up through IDLE, without waiting for a poll', async () => {
    world = await startMailWorld();
    const { lead } = clientWithLead('maria@client.test');
    const accountId = await world.install();
    await connectMailbox(accountId);
    const events = captureEvents();
    world.m.mail.services.watcher.start();
    await imap!.deliver(clientEmail({ from: 'maria@client.test', to: 'sales@company.test', subject: 'First', messageId: '<w1@client.test>', text: 'One' }));
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(1);
    // The first read happened on connect; the second can only come from IDLE (the poll interval is a minute).
    await imap!.deliver(clientEmail({ from: 'maria@client.test', to: 'sales@company.test', subject: 'Second', messageId: '<w2@client.test>', text: 'Two' }));
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(2);
    expect(events.map((e) => [e.leadId, e.email?.messageId])).toEqual([
      [lead.id, '<w1@client.test>'],
      [lead.id, '<w2@client.test>'],
    ]);
    await world.m.mail.services.watcher.stop();
    expect(world.m.mail.services.watcher.watching()).toEqual([]);
  });
});
