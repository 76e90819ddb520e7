/**
 * The IMAP behaviour the app relies on (server/mail/imap.ts, the watcher, the outbox's Sent-folder check),
 * checked on the test IMAP server through the app's own client. It runs against the in-process server by
 * default; IMAP_CONFORMANCE=dovecot runs it against dovecot, so a gap between the two shows up here first.
 */
import type { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { createImapClient, fetchSource, listNewMessages, sentFolderHas, type NewMessage } from '../../server/mail/imap.js';
import { clientEmail, startImapServer, type TestImap } from '../helpers/mail-servers.js';

let imap: TestImap | undefined;
const clients: ImapFlow[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
  await imap?.stop();
  imap = undefined;
});

async function connect(opts: { autoIdleDelay?: number; maxMessageBytes?: number } = {}) {
  const c = await createImapClient(imap!, opts);
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

/** New messages after the cursor with their sources, read the way the app reads them: one at a time, capped. */
async function fetchNewMessages(c: ImapFlow, mailbox: string, cursor: { uidValidity: string | null; lastUid: number }, sinceMs: number) {
  const listed = await listNewMessages(c, mailbox, cursor, sinceMs);
  const messages: (NewMessage & { source: Buffer })[] = [];
  for (const m of listed.messages) {
    const got = await fetchSource(c, mailbox, m.uid, 10 * 1024 * 1024);
    if (got.kind !== 'source') throw new Error(`message ${m.uid} was not read: ${got.kind}`);
    messages.push({ ...m, source: got.source });
  }
  return { uidValidity: listed.uidValidity, messages };
}

/** A fixed Date header, so the same call builds the same bytes. */
const email = (id: string, text = 'Hello') =>
  clientEmail({ from: 'maria@client.test', to: 'sales@company.test', subject: 'Hi', messageId: id, text, date: new Date('2026-01-05T10:00:00Z') });

describe('the test IMAP server, as the app uses it', () => {
  it('lists INBOX and a \\Sent folder, appends with a UID (UIDPLUS) and counts by STATUS', async () => {
    imap = await startImapServer();
    const c = await connect();
    const boxes = await c.list();
    expect(boxes.find((b) => b.path === 'Sent')?.specialUse).toBe('\\Sent');
    expect(boxes.some((b) => b.path === 'INBOX')).toBe(true);
    const first = await imap.deliver(email('<a1@client.test>'));
    const second = await imap.deliver(email('<a2@client.test>'));
    expect(first && second && second.uid! > first.uid!).toBe(true);
    expect(await imap.count()).toBe(2);
    expect(await imap.count('Sent')).toBe(0);
  });

  it('fetches new mail after the cursor byte for byte (8-bit, large), without setting \\Seen; "N:*" past the end finds nothing new', async () => {
    imap = await startImapServer();
    const big = `Grüße ✓ ${'x'.repeat(70)}\n`.repeat(3000); // ~250 KB: literals span many TCP reads
    await imap.deliver(email('<b1@client.test>', 'Grüße aus Köln ✓'));
    await imap.deliver(email('<b2@client.test>', big));
    const c = await connect();
    const all = await fetchNewMessages(c, 'INBOX', { uidValidity: null, lastUid: 0 }, Date.now() - 60_000);
    expect(all.messages.map((m) => m.source.toString('utf8'))).toEqual([email('<b1@client.test>', 'Grüße aus Köln ✓'), email('<b2@client.test>', big)]);
    expect(all.uidValidity).toMatch(/^\d+$/);
    expect(all.messages.map((m) => m.size)).toEqual(all.messages.map((m) => m.source.length)); // RFC822.SIZE, before any body is read

    const lastUid = all.messages[1]!.uid;
    expect((await fetchNewMessages(c, 'INBOX', { uidValidity: all.uidValidity, lastUid }, 0)).messages).toEqual([]);
    await imap.deliver(email('<b3@client.test>'));
    const next = await fetchNewMessages(c, 'INBOX', { uidValidity: all.uidValidity, lastUid }, 0);
    expect(next.messages.map((m) => m.uid)).toEqual([lastUid + 1]);

    const lock = await c.getMailboxLock('INBOX');
    try {
      for await (const m of c.fetch('1:*', { uid: true, flags: true }, { uid: true })) expect([...(m.flags ?? [])]).not.toContain('\\Seen');
    } finally {
      lock.release();
    }
  });

  it('reads at most the cap plus one byte of a message (a partial FETCH), so a large one is recognised without downloading it', async () => {
    imap = await startImapServer();
    const big = email('<big@client.test>', 'y'.repeat(200_000));
    await imap.deliver(big);
    await imap.deliver(email('<small@client.test>'));
    // The client refuses any literal over the cap + 64 KB: had the server sent all 200 KB, the connection would be gone.
    const c = await connect({ maxMessageBytes: 64 * 1024 });
    const listed = await listNewMessages(c, 'INBOX', { uidValidity: null, lastUid: 0 }, Date.now() - 60_000);
    const [first, second] = listed.messages;
    expect(first!.size).toBe(Buffer.byteLength(big));
    expect(await fetchSource(c, 'INBOX', first!.uid, 64 * 1024)).toEqual({ kind: 'too-large', size: Buffer.byteLength(big) });
    const small = await fetchSource(c, 'INBOX', second!.uid, 64 * 1024);
    expect(small.kind === 'source' && small.source.toString('utf8')).toBe(email('<small@client.test>'));
    expect(await fetchSource(c, 'INBOX', second!.uid + 10, 64 * 1024)).toEqual({ kind: 'gone' });
    expect(c.usable).toBe(true);
  });

  it('keeps INTERNALDATE, so a newly connected mailbox skips its history', async () => {
    imap = await startImapServer();
    const c = await connect();
    await c.append('INBOX', email('<old@client.test>'), [], new Date(Date.now() - 3 * 86_400_000));
    await c.append('INBOX', email('<earlier@client.test>'), [], new Date(Date.now() - 2 * 3_600_000));
    await c.append('INBOX', email('<new@client.test>'));
    const got = await fetchNewMessages(c, 'INBOX', { uidValidity: null, lastUid: 0 }, Date.now() - 60_000);
    expect(got.messages.map((m) => m.source.toString('utf8'))).toEqual([email('<new@client.test>')]);
    expect(Math.abs(got.messages[0]!.internalDate!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('finds a message in Sent by its Message-ID header, folded or not, and only that one', async () => {
    imap = await startImapServer();
    await imap.deliver(email('<s1@company.test>'), 'Sent');
    await imap.deliver(email('<s2@company.test>').replace('Message-ID: <s2@company.test>', 'Message-ID:\r\n <s2@company.test>'), 'Sent');
    expect(await sentFolderHas(imap, '<s1@company.test>')).toBe(true);
    expect(await sentFolderHas(imap, '<s2@company.test>')).toBe(true);
    expect(await sentFolderHas(imap, '<s3@company.test>')).toBe(false);
    await imap.deliver(email('<in@company.test>'));
    expect(await sentFolderHas(imap, '<in@company.test>')).toBe(false); // INBOX is not searched
  });

  it('tells an IDLE client about mail appended by another connection', async () => {
    imap = await startImapServer();
    const c = await connect({ autoIdleDelay: 100 });
    await c.mailboxOpen('INBOX');
    const counts: number[] = [];
    c.on('exists', (e: { count: number }) => counts.push(e.count));
    await expect.poll(() => c.idling, { timeout: 5_000 }).toBe(true);
    await imap.deliver(email('<i1@client.test>'));
    await expect.poll(() => counts, { timeout: 5_000 }).toEqual([1]);
  });

  it('refuses a wrong password', async () => {
    imap = await startImapServer();
    await expect(sentFolderHas({ ...imap, password: 'wrong' }, '<x@company.test>')).rejects.toThrow();
  });
});
