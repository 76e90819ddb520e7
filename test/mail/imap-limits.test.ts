/**
 * A watched mailbox holds whatever anyone sent to it. A message over MAIL_IMAP_MAX_MESSAGE_BYTES is skipped
 * without being downloaded, and recorded; a message that fails to be read or parsed MAIL_IMAP_MAX_FAILURES
 * times is skipped with an activity entry instead of blocking the mail behind it forever.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

async function connectImap() {
  imap = await startImapServer();
  const res = await world.api('PUT', '/api/mail/settings', {
    smtp: null,
    imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
  });
  expect(res.status).toBe(200);
  return imap;
}

const mail = (id: string, text = 'Hello') =>
  clientEmail({ from: 'maria@client.test', to: 'sales@company.test', subject: `Mail ${id}`, messageId: `<${id}@client.test>`, text });

/** More MIME parts than the parser accepts (mailsplit stops at 1000 nodes): parsing it fails every time. */
function unparseable(id: string) {
  const parts = Array.from({ length: 1100 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
  return [
    'From: Client <maria@client.test>',
    'To: sales@company.test',
    'Subject: Poison',
    `Message-ID: <${id}@client.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    `${parts}--b--`,
    '',
  ].join('\r\n');
}

/** The UID the server gave an appended message (UIDPLUS). */
const uidOf = (appended: false | { uid?: number }) => {
  if (!appended || appended.uid === undefined) throw new Error('the IMAP server did not report the UID of the appended message');
  return appended.uid;
};

const stored = () =>
  world.p.sqlite.prepare("SELECT external_id FROM conversation_messages WHERE channel = 'email' ORDER BY id").all() as { external_id: string }[];
const settingsRow = () =>
  world.p.sqlite.prepare('SELECT imap_last_uid, imap_failures FROM mail_settings').get() as { imap_last_uid: number; imap_failures: string | null };

describe('IMAP limits', () => {
  it('skips a message over the size cap without downloading it, records the skip, and reads the mail after it', async () => {
    world = await startMailWorld({ mailbox: false, env: { MAIL_IMAP_MAX_MESSAGE_BYTES: '65536' } });
    const accountId = await world.install();
    await connectImap();
    // 300 KB: the app's client refuses any literal over the cap + 64 KB, so downloading it would break the connection.
    const big = uidOf(await imap!.deliver(mail('big', 'z'.repeat(300_000))));
    await imap!.deliver(mail('small'));
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);
    expect(stored()).toEqual([{ external_id: '<small@client.test>' }]);
    const [skipped] = world.activity('email.skipped');
    expect(JSON.parse(skipped!.metadata)).toMatchObject({ reason: 'too_large', imapUid: big });
    expect(skipped!.description).toMatch(/over the 65536-byte limit/);
    // Past both: the large one is not tried again.
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(0);
    expect(world.activity('email.skipped')).toHaveLength(1);
  });

  it('a message that cannot be parsed is retried, then skipped on its third failure with an activity entry; the mail behind it flows', async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    await connectImap();
    const poison = uidOf(await imap!.deliver(unparseable('poison')));
    await imap!.deliver(mail('after'));
    const uid = String(poison);

    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(0);
    expect(JSON.parse(settingsRow().imap_failures!)).toEqual({ [uid]: 1 });
    expect(stored()).toEqual([]);
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(0);
    expect(JSON.parse(settingsRow().imap_failures!)).toEqual({ [uid]: 2 });
    expect(world.activity('email.skipped')).toHaveLength(0);

    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);
    expect(stored()).toEqual([{ external_id: '<after@client.test>' }]);
    const [skipped] = world.activity('email.skipped');
    expect(JSON.parse(skipped!.metadata)).toMatchObject({ reason: 'unreadable', imapUid: poison });
    expect(skipped!.description).toMatch(/could not be read after 3 attempts/);
    // The counts go with the cursor.
    expect(settingsRow().imap_failures).toBeNull();
    expect(settingsRow().imap_last_uid).toBeGreaterThan(poison);
  });

  it('MAIL_IMAP_MAX_FAILURES sets how many failures a message gets', async () => {
    world = await startMailWorld({ mailbox: false, env: { MAIL_IMAP_MAX_FAILURES: '1' } });
    const accountId = await world.install();
    await connectImap();
    await imap!.deliver(unparseable('poison'));
    await imap!.deliver(mail('after'));
    expect(await world.m.mail.services.watcher.pollOnce(accountId)).toBe(1);
    expect(world.activity('email.skipped')).toHaveLength(1);
  });
});
