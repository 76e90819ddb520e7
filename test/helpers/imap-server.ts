/**
 * A real IMAP server inside the test process, on a random loopback port: hoodiecrow-imap (npm, in-memory),
 * so `npm ci` is all the email tests need. The app's imapflow client speaks the real protocol to it.
 *
 * Extensions are the ones our code and imapflow use, as dovecot offers them: AUTH=PLAIN with SASL-IR (how
 * imapflow logs in to dovecot), IDLE (the watcher), UIDPLUS (APPEND answers with the UID), SPECIAL-USE (the
 * Sent-folder check finds \Sent), and ID/NAMESPACE/ENABLE/UNSELECT/LITERAL+ that imapflow uses on connect.
 * test/mail/imap-server.test.ts pins the behaviour we rely on; IMAP_CONFORMANCE=dovecot checks dovecot agrees.
 */
import type { AddressInfo, Socket } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';
import { mailboxHandle } from './imap-mailbox.js';

const PLUGINS = ['AUTH-PLAIN', 'SASL-IR', 'ID', 'IDLE', 'NAMESPACE', 'SPECIAL-USE', 'UIDPLUS', 'ENABLE', 'UNSELECT', 'LITERALPLUS'];

/** One mailbox user with INBOX and a \Sent folder named Sent. */
export async function startInProcessImap(user: string, password: string) {
  // hoodiecrow numbers every mailbox UIDVALIDITY 1; a real server picks a fresh value (dovecot: the creation time).
  const uidvalidity = Math.floor(Date.now() / 1000);
  const server = hoodiecrow({
    plugins: PLUGINS,
    users: { [user]: { password } },
    storage: {
      INBOX: { uidvalidity, messages: [] },
      '': { separator: '/', folders: { Sent: { 'special-use': '\\Sent', uidvalidity: uidvalidity + 1, messages: [] } } },
    },
  });
  // hoodiecrow's close() waits for clients to leave; an IDLE watcher or a killed worker's socket never does.
  const sockets = new Set<Socket>();
  server.server.on('connection', (s: Socket) => {
    // hoodiecrow writes a reply line by line: with Nagle on, the tagged OK waits out the client's delayed
    // ACK (~40 ms a command on loopback).
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.server.address() as AddressInfo;

  return mailboxHandle({ host: '127.0.0.1', port, secure: false, user, password }, async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
}
