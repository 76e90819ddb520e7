/**
 * Mailbox hosts are tenant input: every connection to one goes through the network guard
 * (server/lib/net-guard.ts). Loopback, private, link-local (the metadata service), CGNAT and reserved
 * addresses are refused before any connection unless the operator sets MAIL_ALLOW_PRIVATE_HOSTS; public
 * hosts use mail ports only; the checked address is the one connected to; and what a server says is never
 * echoed to the widget.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeMessage } from '../../server/mail/compose.js';
import { createImapClient } from '../../server/mail/imap.js';
import { smtpSend } from '../../server/mail/smtp.js';
import { createNetGuard, type LookupFn } from '../../server/lib/net-guard.js';
import { clientEmail, startImapServer, startSmtpServer, type TestImap, type TestSmtp } from '../helpers/mail-servers.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld | undefined;
let listener: Server | undefined;
let smtp: TestSmtp | undefined;
let imap: TestImap | undefined;
afterEach(async () => {
  await world?.m.mail.services.watcher.stop();
  await world?.stop();
  await smtp?.close();
  await imap?.stop();
  if (listener) await new Promise<void>((r) => listener!.close(() => r()));
  world = listener = smtp = imap = undefined;
});

/** A TCP server on loopback that counts every connection made to it. */
async function countingListener() {
  const seen = { connections: 0 };
  listener = createServer((s) => {
    seen.connections++;
    s.destroy();
  });
  await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', () => r()));
  return { port: (listener.address() as AddressInfo).port, seen };
}

const server = (host: string, port: number) => ({ host, port, secure: false, user: 'sales@company.test', password: 'pw' });

describe('the network guard on mailbox settings', () => {
  it('refuses loopback, 10.x, 169.254.169.254, CGNAT and mapped addresses without the switch, before any connection', async () => {
    const { port, seen } = await countingListener();
    world = await startMailWorld({ mailbox: false, env: { MAIL_ALLOW_PRIVATE_HOSTS: '' } });
    await world.install();
    const cases: [Record<string, unknown>, string][] = [
      [{ smtp: server('127.0.0.1', port), fromAddress: 'sales@company.test' }, 'smtp.host'],
      [{ smtp: server('localhost', 587), fromAddress: 'sales@company.test' }, 'smtp.host'],
      [{ smtp: server('[::1]', 587), fromAddress: 'sales@company.test' }, 'smtp.host'],
      [{ smtp: server('[::ffff:127.0.0.1]', 587), fromAddress: 'sales@company.test' }, 'smtp.host'],
      [{ smtp: server('100.64.1.1', 25), fromAddress: 'sales@company.test' }, 'smtp.host'],
      [{ smtp: null, imap: server('10.0.0.1', 993) }, 'imap.host'],
      [{ smtp: null, imap: server('169.254.169.254', 143) }, 'imap.host'],
      [{ smtp: null, imap: server('127.0.0.1', port) }, 'imap.host'],
      // A public host, but not a mail port.
      [{ smtp: server('93.184.215.14', 8025), fromAddress: 'sales@company.test' }, 'smtp.port'],
    ];
    for (const [body, field] of cases) {
      const res = await world.api('PUT', '/api/mail/settings', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
    }
    const stored = await world.api('GET', '/api/mail/settings');
    expect(stored.body).toMatchObject({ smtp: null, imap: null });
    expect(seen.connections).toBe(0);
  });

  it('a mailbox saved while the switch was on is refused at connection time once it is off: no SMTP or IMAP connection is made', async () => {
    const { port, seen } = await countingListener();
    const dbPath = join(mkdtempSync(join(tmpdir(), 'mail-guard-')), 'app.db');
    world = await startMailWorld({ mailbox: false, env: { DATABASE_PATH: dbPath } });
    await world.install();
    const saved = await world.api('PUT', '/api/mail/settings', {
      smtp: server('127.0.0.1', port),
      imap: server('127.0.0.1', port),
      fromAddress: 'sales@company.test',
    });
    expect(saved.status).toBe(200);
    await world.stop();

    // The operator turns the switch off: the same database, a new boot.
    world = await startMailWorld({ mailbox: false, env: { DATABASE_PATH: dbPath, MAIL_ALLOW_PRIVATE_HOSTS: '0' } });
    const accountId = world.accountId;
    const test = await world.api('POST', '/api/mail/test', {}, { userId: [...world.sim.state.users.values()][0]!.id });
    expect(test.status).toBe(422);
    expect(test.body).toMatchObject({ hint: 'blocked' });

    const { lead, email } = world.leadWithContact();
    const { outboxId } = world.m.mail.services.clientMail.queue({ accountId, leadId: lead.id, to: [email], subject: 'Hi', text: 'x', idempotencyKey: 'g-1' });
    await world.drain();
    expect(world.outbox(outboxId)).toMatchObject({ status: 'failed' });
    expect(world.outbox(outboxId).last_error).toMatch(/not allowed/);

    await expect(world.m.mail.services.watcher.pollOnce(accountId)).rejects.toThrow(/not allowed/);
    world.m.mail.services.watcher.start();
    await expect
      .poll(async () => (await world!.api('GET', '/api/mail/settings')).body.imapStatus.error, { timeout: 10_000 })
      .toEqual({ hint: 'blocked', message: expect.stringMatching(/not allowed/) });
    expect(seen.connections).toBe(0);
  });
});

describe('connections go to the checked address', () => {
  it('SMTP and IMAP connect to the address the guard resolved (one lookup per connection), not to a second lookup', async () => {
    smtp = await startSmtpServer({ user: 'sales@company.test', password: 'pw' });
    imap = await startImapServer();
    const lookups: string[] = [];
    // A name no real resolver knows: if nodemailer or imapflow looked it up themselves, they would fail.
    const lookup: LookupFn = async (host) => {
      lookups.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const guard = createNetGuard({ allowPrivate: true, lookup });
    const raw = await composeMessage({
      from: { name: null, address: 'sales@company.test' },
      to: ['maria@client.test'],
      cc: [],
      subject: 'Pinned',
      text: 'x',
      html: null,
      messageId: '<pinned@company.test>',
      inReplyTo: null,
      references: [],
      date: new Date(),
    });
    const sent = await smtpSend(
      { host: 'mail.tenant.invalid', port: smtp.port, secure: false, user: 'sales@company.test', password: 'pw' },
      { from: 'sales@company.test', to: ['maria@client.test'] },
      raw,
      {},
      { guard },
    );
    expect(sent.accepted).toEqual(['maria@client.test']);
    expect(smtp.delivered()).toHaveLength(1);

    const client = await createImapClient({ ...imap, host: 'imap.tenant.invalid' }, { guard });
    client.on('error', () => undefined);
    await client.connect();
    expect(client.usable).toBe(true);
    await client.logout();
    expect(lookups).toEqual(['mail.tenant.invalid', 'imap.tenant.invalid']);

    // The same name, now answered with a private address, is refused without the switch.
    const strict = createNetGuard({ allowPrivate: false, lookup });
    await expect(
      smtpSend({ host: 'mail.tenant.invalid', port: 587, secure: false }, { from: 'a@b.test', to: ['c@d.test'] }, raw, {}, { guard: strict }),
    ).rejects.toThrow(/not allowed/);
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('what a mail server says stays on the server', () => {
  it('a failing mailbox shows a category and a generic text, not the server banner or socket error', async () => {
    world = await startMailWorld({ mailbox: false });
    await world.install();
    imap = await startImapServer();
    await imap.deliver(clientEmail({ from: 'a@client.test', to: 'sales@company.test', subject: 's', messageId: '<x@client.test>', text: 't' }));
    const put = await world.api('PUT', '/api/mail/settings', { smtp: null, imap: { ...server(imap.host, imap.port), user: imap.user, password: 'wrong' } });
    expect(put.status).toBe(200);
    world.m.mail.services.watcher.start();
    await expect
      .poll(async () => (await world!.api('GET', '/api/mail/settings')).body.imapStatus.error, { timeout: 10_000 })
      .toEqual({ hint: 'auth', message: 'The mail server refused the user name or password.' });
    const body = JSON.stringify((await world.api('GET', '/api/mail/settings')).body);
    expect(body).not.toMatch(/AUTHENTICATIONFAILED|Invalid credentials|NO |127\.0\.0\.1:\d/);
  });
});
