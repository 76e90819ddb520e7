/**
 * What a test does to an IMAP mailbox from the outside, whichever server holds it: deliver a message and
 * count messages, both over the real protocol (imapflow), as a mail provider's delivery would appear to
 * the app's own IMAP client.
 */
import { ImapFlow } from 'imapflow';

export interface ImapEndpoint {
  host: string;
  port: number;
  secure: false;
  user: string;
  password: string;
}

export function mailboxHandle(cfg: ImapEndpoint, stop: () => Promise<void>) {
  async function withClient<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const c = new ImapFlow({ host: cfg.host, port: cfg.port, secure: false, auth: { user: cfg.user, pass: cfg.password }, logger: false, doSTARTTLS: false });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => undefined);
    }
  }

  return {
    ...cfg,
    /** Put a message into a folder, as if it had been delivered (INBOX) or filed by the provider (Sent). */
    deliver: (raw: string, mailbox = 'INBOX') => withClient((c) => c.append(mailbox, raw)),
    count: (mailbox = 'INBOX') => withClient(async (c) => (await c.status(mailbox, { messages: true })).messages ?? 0),
    stop,
  };
}

export type TestImap = ReturnType<typeof mailboxHandle>;
