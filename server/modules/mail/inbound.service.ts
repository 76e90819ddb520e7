import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ImapFlow } from 'imapflow';
import { fetchNewMessages, type FetchedMessage } from '../../mail/imap.js';
import { parseEmail, trimQuoted } from '../../mail/parse.js';
import type { KommoServices } from '../kommo/index.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import type { OutboxRepo } from './outbox.repo.js';
import { createLeadMatcher } from './inbound.match.js';
import { setImapCursor } from './settings.repo.js';
import type { MailSettings } from './settings.service.js';

type Deps = Pick<Platform, 'db' | 'clock' | 'tx' | 'bus' | 'logger'> & {
  activity: ActivityService;
  kommo: KommoServices;
  mirror: MirrorRepo;
  crm: MirrorReadRepo;
  conversations: ConversationsRepo;
  outbox: OutboxRepo;
  settings: MailSettings;
};

/**
 * Client email read from the account's mailbox becomes a conversation message (channel 'email',
 * external_id = Message-ID) and a `message_received` event, in one transaction with the IMAP cursor.
 * The unique (account, channel, external_id) index makes a re-fetch a no-op: it never emits twice.
 */
export function createInbound(deps: Deps) {
  const match = createLeadMatcher(deps);
  const ours = (accountId: number, messageId: string) => deps.outbox.byMessageId(accountId, messageId) !== undefined;

  async function ingest(accountId: number, m: FetchedMessage, cursor: { uidValidity: string }): Promise<'stored' | 'duplicate' | 'own'> {
    const email = await parseEmail(m.source);
    const externalId = email.messageId ?? `<imap.${cursor.uidValidity}.${m.uid}@mailbox.invalid>`;
    const advance = () => setImapCursor(deps.db, accountId, cursor.uidValidity, m.uid);
    if (deps.conversations.has(accountId, 'email', externalId) || ours(accountId, externalId)) {
      deps.tx(advance);
      return ours(accountId, externalId) ? 'own' : 'duplicate';
    }
    const lead = await match(accountId, email);
    // Untrusted text is processed before the write transaction, never inside it.
    const text = trimQuoted(email.text);
    return deps.tx(() => {
      advance();
      const id = deps.conversations.insertMessage({
        accountId,
        leadId: lead.leadId,
        contactId: lead.contactId,
        direction: 'inbound',
        author: 'client',
        channel: 'email',
        externalId,
        subject: email.subject,
        text,
        metadata: {
          from: email.from,
          to: email.to,
          cc: email.cc,
          inReplyTo: email.inReplyTo,
          references: email.references,
          date: email.date?.toISOString() ?? null,
          fullText: email.text,
          html: email.html,
          automated: email.automated,
          imapUid: m.uid,
          matchedVia: lead.via,
        },
      });
      if (id === null) return 'duplicate' as const;
      if (lead.leadId && !email.automated) {
        deps.bus.emit('message_received', {
          accountId,
          leadId: lead.leadId,
          contactId: lead.contactId,
          messageIds: [id],
          channel: 'email',
          email: { messageId: externalId, from: email.from!.address, subject: email.subject, references: email.references },
        });
      } else {
        deps.activity.write({
          accountId,
          leadId: lead.leadId,
          type: 'email.received',
          title: `Email from ${email.from?.address ?? 'unknown sender'}: ${email.subject}`,
          description: email.automated ? 'An automatic message (not answered).' : 'No open lead matches the sender; stored without a lead.',
          metadata: { messageId: externalId, conversationMessageId: id },
        });
      }
      return 'stored' as const;
    });
  }

  /** Read whatever is new in the account's mailbox on an open client. */
  async function syncMailbox(accountId: number, client: ImapFlow): Promise<number> {
    const cfg = deps.settings.imap(accountId);
    if (!cfg) return 0;
    let stored = 0;
    for (;;) {
      const current = deps.settings.imap(accountId)!;
      const batch = await fetchNewMessages(client, cfg.mailbox ?? 'INBOX', current.cursor, current.since);
      // An empty first read leaves the cursor unset, so the next read again takes "since connected" (not the history).
      if (batch.messages.length === 0) return stored;
      for (const m of batch.messages) {
        if ((await ingest(accountId, m, { uidValidity: batch.uidValidity })) === 'stored') stored++;
      }
    }
  }

  return { ingest, syncMailbox };
}

export type Inbound = ReturnType<typeof createInbound>;
