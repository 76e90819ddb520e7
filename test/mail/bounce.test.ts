/**
 * A bounce read from the account's mailbox marks the email it returns `bounced` in the outbox, with the DSN
 * status and an activity entry, and is never answered. Over real SMTP and IMAP servers on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseEmail } from '../../server/mail/parse.js';
import { bounceReport as dsn, startImapServer, type TestImap } from '../helpers/mail-servers.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
let imap: TestImap | undefined;
afterEach(async () => {
  await world?.m.mail.services.watcher.stop();
  await imap?.stop();
  imap = undefined;
  await world?.stop();
});

describe('bounces', () => {
  it('parses the returned message id and status from a DSN, and nothing from an ordinary email', async () => {
    const parsed = await parseEmail(dsn('<abc.1@company.test>', 'nobody@client.test'));
    expect(parsed.bounce).toEqual({ messageIds: ['<abc.1@company.test>'], status: '5.1.1' });
    expect(parsed.automated).toBe(true);
    const plain = await parseEmail(
      'From: a@client.test\r\nTo: sales@company.test\r\nSubject: Hi\r\nMessage-ID: <x@client.test>\r\n\r\nMessage-ID: <abc.1@company.test>\r\n',
    );
    expect(plain.bounce).toBeNull();
  });

  it('marks the sent email bounced with the DSN status, writes an activity entry, and does not answer the bounce', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    imap = await startImapServer();
    const put = await world.api('PUT', '/api/mail/settings', {
      ...world.mailboxSettings(),
      imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
    });
    expect(put.status).toBe(200);
    const { lead, email } = world.leadWithContact();
    const sent = await world.api('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject: 'Your quote', text: 'Hello' });
    expect(sent.status).toBe(202);
    await world.drain();
    const row = world.outbox(sent.body.id);
    expect(row.status).toBe('sent');

    await imap.deliver(dsn(row.message_id, email));
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);
    expect(world.outbox(sent.body.id)).toMatchObject({
      status: 'bounced',
      last_error: "Bounced: the recipient's mail server returned it (status 5.1.1: the address does not exist).",
    });
    const [entry] = world.activity('email.bounced');
    expect(entry).toMatchObject({ lead_id: lead.id, title: 'Email bounced: Your quote' });
    // The outbox and the lead's thread show it, and filtering by the status finds it.
    const list = await world.api('GET', `/api/mail/outbox?status=bounced`);
    expect(list.body.items.map((i: { id: number }) => i.id)).toEqual([sent.body.id]);
    // The same bounce ingested again (a re-fetch after a crash) is a duplicate: no second entry.
    const again = await world.m.mail.services.inbound.ingest(accountId, 99, await parseEmail(dsn(row.message_id, email)), { uidValidity: 'x' });
    expect(again).toBe('duplicate');
    expect(world.activity('email.bounced')).toHaveLength(1);
    expect(world.mailbox.delivered()).toHaveLength(1); // only the original: the bounce got no reply
  });
});
