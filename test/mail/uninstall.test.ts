/**
 * Uninstalling the integration in Kommo (the signed uninstall hook) stops its email: the IMAP watch ends,
 * waiting emails are cancelled with the reason, the mailbox passwords are deleted, and nothing is sent
 * afterwards.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { clientEmail, startImapServer, type TestImap } from '../helpers/mail-servers.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
let imap: TestImap | undefined;
afterEach(async () => {
  await world?.m.mail.services.watcher.stop();
  await imap?.stop();
  imap = undefined;
  await world?.stop();
});

const sign = (accountId: number) => createHmac('sha256', TEST_CLIENT_SECRET).update(`${TEST_CLIENT_ID}|${accountId}`).digest('hex');

describe('uninstall stops mail', () => {
  it('stops the IMAP watch, cancels queued mail and deletes the mailbox passwords; nothing is sent afterwards', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    imap = await startImapServer();
    const put = await world.api('PUT', '/api/mail/settings', {
      ...world.mailboxSettings(),
      imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
    });
    expect(put.status).toBe(200);
    const { lead, email } = world.leadWithContact();
    const [admin] = [...world.sim.state.users.values()];

    // The watcher reads the mailbox; an email and a notification are waiting.
    const received = () => world.count("SELECT count(*) n FROM conversation_messages WHERE channel = 'email' AND account_id = ?", accountId);
    world.m.mail.services.watcher.start();
    await expect.poll(() => world.m.mail.services.watcher.watching(), { timeout: 10_000 }).toEqual([accountId]);
    await imap.deliver(clientEmail({ from: email, to: 'sales@company.test', subject: 'Before', messageId: '<before@client.test>', text: 'Hi' }));
    await expect.poll(received, { timeout: 10_000 }).toBe(1);
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Offer',
      text: 'x',
      idempotencyKey: 'u-1',
    });
    world.m.notifications.services.notifier.notify({
      accountId,
      userId: admin!.id,
      kind: 'task_assigned',
      title: 'New task',
      body: 'Call back',
      dedupeKey: 'u-task',
    });

    world.sim.faults.revokeAllTokens(); // uninstalling in Kommo revokes our tokens; the hook is only believed then
    const res = await world.app.request(`/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${accountId}&signature=${sign(accountId)}`);
    expect(res.status).toBe(200);

    // The watch ends and is not restarted.
    await expect.poll(() => world.m.mail.services.watcher.watching(), { timeout: 10_000 }).toEqual([]);
    // The queued email is cancelled with the reason; its send job too.
    expect(world.outbox(outboxId)).toMatchObject({ status: 'cancelled', last_error: 'cancelled: the Kommo integration was uninstalled' });
    expect(world.count("SELECT count(*) n FROM jobs WHERE queue = 'mail.send' AND status = 'queued'")).toBe(0);
    expect(world.p.sqlite.prepare('SELECT status, skip_reason FROM mail_notifications').all()).toEqual([
      { status: 'skipped', skip_reason: 'the Kommo integration was uninstalled' },
    ]);
    // The passwords are gone from the database; host and user stay for a reinstall.
    const row = world.p.sqlite.prepare('SELECT smtp, imap FROM mail_settings WHERE account_id = ?').get(accountId) as { smtp: string; imap: string };
    expect(JSON.parse(row.smtp)).toMatchObject({ host: '127.0.0.1', passwordEnc: '' });
    expect(JSON.parse(row.imap)).toMatchObject({ host: imap.host, passwordEnc: '' });
    const settings = await world.api('GET', '/api/mail/settings');
    expect(settings.body.smtp.passwordSet).toBe(false);
    expect(settings.body.imap.passwordSet).toBe(false);
    expect(world.activity('email.stopped')).toHaveLength(1);

    // Nothing more goes out or comes in: not the cancelled email, not the notification, not a new one.
    expect(() =>
      world.m.mail.services.clientMail.queue({ accountId, leadId: lead.id, to: [email], subject: 'After', text: 'x', idempotencyKey: 'u-2' }),
    ).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    await imap.deliver(clientEmail({ from: email, to: 'sales@company.test', subject: 'After', messageId: '<after@client.test>', text: 'Hi' }));
    await expect(world.m.mail.services.watcher.pollOnce(accountId)).rejects.toThrow(/no IMAP mailbox/);
    await world.later(24 * 60 * 60_000);
    await world.later(24 * 60 * 60_000);
    expect(world.mailbox.messages).toHaveLength(0);
    expect(world.smtp.messages).toHaveLength(0);
    expect(world.m.mail.services.watcher.watching()).toEqual([]);
    expect(received()).toBe(1);
  });
});
