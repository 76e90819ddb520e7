import { isIP } from 'node:net';
import { ImapFlow } from 'imapflow';
import type { NetGuard } from '../lib/net-guard.js';

export interface ImapConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox?: string | null;
}

/** Ports a tenant's IMAP server on a public host may use: IMAP and IMAP over TLS. */
export const IMAP_PORTS: readonly number[] = [143, 993];

export interface ImapClientOptions {
  /** How soon an idle connection enters IDLE (imapflow waits 15 s by default). */
  autoIdleDelay?: number;
  /** A tenant's server: resolved and checked once, then reached at that address. */
  guard?: NetGuard | null;
  /** The largest message we would read: bounds what the connection may buffer for one literal. */
  maxMessageBytes?: number;
}

/**
 * An IMAP client, not yet connected. With a guard the host is checked first (a NetGuardError before any
 * connection) and the client connects to the checked address, TLS keeping the name as servername.
 * imapflow's own limits are lowered so a server that ignores a partial FETCH cannot make us buffer more
 * than about one allowed message.
 */
export async function createImapClient(cfg: ImapConfig, opts: ImapClientOptions = {}): Promise<ImapFlow> {
  const target = opts.guard ? await opts.guard.resolve(cfg.host, cfg.port, IMAP_PORTS) : null;
  const literal = (opts.maxMessageBytes ?? 100 * 1024 * 1024) + 64 * 1024;
  return new ImapFlow({
    autoIdleDelay: opts.autoIdleDelay,
    host: target?.address ?? cfg.host,
    ...(target && !isIP(target.host) ? { servername: target.host } : {}),
    port: cfg.port,
    secure: cfg.secure,
    auth: { user: cfg.user, pass: cfg.password },
    logger: false,
    // Some servers advertise STARTTLS with certificates we cannot verify on plain ports; `secure` is the contract.
    doSTARTTLS: cfg.secure ? undefined : false,
    maxLiteralSize: literal,
    // A SEARCH answer of a big mailbox is one long line; 64 MB still bounds a server that never ends one.
    maxLineLength: 64 * 1024 * 1024,
    maxResponseSize: literal + 64 * 1024 * 1024,
  });
}

/** A new message as the mailbox lists it: no body yet. */
export interface NewMessage {
  uid: number;
  /** RFC822.SIZE as the server reports it. */
  size: number | null;
  internalDate: Date | null;
}

/**
 * New messages of `mailbox` after the cursor (UID, size and date only: bodies are read one at a time by
 * `fetchSource`). Without a cursor for this UIDVALIDITY (first run, or the server renumbered the mailbox)
 * only mail that arrived since `sinceMs` is taken: connecting a mailbox must not feed its whole history
 * to the agents. Holds the mailbox lock only while listing.
 */
export async function listNewMessages(
  client: ImapFlow,
  mailbox: string,
  cursor: { uidValidity: string | null; lastUid: number },
  sinceMs: number,
  max = 50,
): Promise<{ uidValidity: string; messages: NewMessage[] }> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const box = client.mailbox;
    if (!box) throw new Error(`mailbox ${mailbox} could not be opened`);
    const uidValidity = String(box.uidValidity);
    const sameBox = cursor.uidValidity === uidValidity;
    const messages: NewMessage[] = [];
    if (box.exists === 0) return { uidValidity, messages };
    let uids: number[];
    if (sameBox) {
      const found = await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
      uids = (found || []).filter((u) => u > cursor.lastUid);
    } else {
      const found = await client.search({ since: new Date(sinceMs - 86_400_000) }, { uid: true });
      uids = found || [];
    }
    uids = uids.sort((a, b) => a - b).slice(0, max);
    if (uids.length === 0) return { uidValidity, messages };
    for await (const m of client.fetch(uids.join(','), { uid: true, size: true, internalDate: true }, { uid: true })) {
      const internalDate = m.internalDate ? new Date(m.internalDate) : null;
      // INTERNALDATE has whole seconds: allow the second the mailbox was connected in.
      if (!sameBox && internalDate && internalDate.getTime() < sinceMs - 1000) continue;
      messages.push({ uid: m.uid, size: typeof m.size === 'number' ? m.size : null, internalDate });
    }
    messages.sort((a, b) => a.uid - b.uid);
    return { uidValidity, messages };
  } finally {
    lock.release();
  }
}

export type FetchedSource = { kind: 'source'; source: Buffer } | { kind: 'too-large'; size: number } | { kind: 'gone' };

/**
 * One message's raw source, at most `maxBytes`: the FETCH asks for the first maxBytes + 1 bytes only
 * (BODY.PEEK[]<0.n>), so a message over the cap is recognised without downloading it, even when the
 * server under-reported its size.
 */
export async function fetchSource(client: ImapFlow, mailbox: string, uid: number, maxBytes: number): Promise<FetchedSource> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const m = await client.fetchOne(String(uid), { uid: true, size: true, source: { start: 0, maxLength: maxBytes + 1 } }, { uid: true });
    if (m === false || !m.source) return { kind: 'gone' };
    if (m.source.length > maxBytes) return { kind: 'too-large', size: Math.max(m.size ?? 0, m.source.length) };
    return { kind: 'source', source: m.source };
  } finally {
    lock.release();
  }
}

/** Is a message with this Message-ID in the Sent folder (special-use \Sent, else a folder named like one)? */
export async function sentFolderHas(cfg: ImapConfig, messageId: string, opts: Pick<ImapClientOptions, 'guard'> = {}): Promise<boolean> {
  const client = await createImapClient(cfg, { guard: opts.guard, maxMessageBytes: 1024 * 1024 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const boxes = await client.list();
    const sent = boxes.filter((b) => b.specialUse === '\\Sent' || /^(sent|sent items|sent mail|sent messages)$/i.test(b.name));
    for (const box of sent) {
      const lock = await client.getMailboxLock(box.path, { readOnly: true });
      try {
        const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        if (found && found.length > 0) return true;
      } finally {
        lock.release();
      }
    }
    return false;
  } finally {
    await client.logout().catch(() => undefined);
  }
}
