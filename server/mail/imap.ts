import { ImapFlow } from 'imapflow';

export interface ImapConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox?: string | null;
}

export interface FetchedMessage {
  uid: number;
  source: Buffer;
  internalDate: Date | null;
}

/** `autoIdleDelay`: how soon an idle connection enters IDLE (imapflow waits 15 s by default). */
export function createImapClient(cfg: ImapConfig, opts: { autoIdleDelay?: number } = {}): ImapFlow {
  return new ImapFlow({
    autoIdleDelay: opts.autoIdleDelay,
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: { user: cfg.user, pass: cfg.password },
    logger: false,
    // Some servers advertise STARTTLS with certificates we cannot verify on plain ports; `secure` is the contract.
    doSTARTTLS: cfg.secure ? undefined : false,
  });
}

/**
 * New messages of `mailbox` after the cursor. Without a cursor for this UIDVALIDITY (first run, or the
 * server renumbered the mailbox) only mail that arrived since `sinceMs` is taken: connecting a mailbox
 * must not feed its whole history to the agents. Holds the mailbox lock only while fetching.
 */
export async function fetchNewMessages(
  client: ImapFlow,
  mailbox: string,
  cursor: { uidValidity: string | null; lastUid: number },
  sinceMs: number,
  max = 50,
): Promise<{ uidValidity: string; messages: FetchedMessage[] }> {
  const lock = await client.getMailboxLock(mailbox);
  try {
    const box = client.mailbox;
    if (!box) throw new Error(`mailbox ${mailbox} could not be opened`);
    const uidValidity = String(box.uidValidity);
    const sameBox = cursor.uidValidity === uidValidity;
    const messages: FetchedMessage[] = [];
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
    for await (const m of client.fetch(uids.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
      if (!m.source) continue;
      const internalDate = m.internalDate ? new Date(m.internalDate) : null;
      // INTERNALDATE has whole seconds: allow the second the mailbox was connected in.
      if (!sameBox && internalDate && internalDate.getTime() < sinceMs - 1000) continue;
      messages.push({ uid: m.uid, source: m.source, internalDate });
    }
    messages.sort((a, b) => a.uid - b.uid);
    return { uidValidity, messages };
  } finally {
    lock.release();
  }
}

/** Is a message with this Message-ID in the Sent folder (special-use \Sent, else a folder named like one)? */
export async function sentFolderHas(cfg: ImapConfig, messageId: string): Promise<boolean> {
  const client = createImapClient(cfg);
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
