import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ImapFlow } from 'imapflow';
import { fetchNewMessages, type FetchedMessage } from '../../mail/imap.js';
import { parseEmail, trimQuoted } from '../../mail/parse.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { createLeadMatcher } from './inbound.match.js';
import { setImapCursor } from './settings.repo.js';
import type { MailSettings } from './settings.service.js';

type Deps = Pick<Platform, 'db' | 'sqlite' | 'clock' | 'tx' | 'bus' | 'logger'> & { activity: ActivityService } & { kommo: KommoServices; mirror: MirrorRepo; settings: MailSettings };

/**
 * Client email read from the account's mailbox becomes a conversation message (channel 'email',
 * external_id = Message-ID) and a `message_received` event, in one transaction with the IMAP cursor.
 * The unique (account, channel, external_id) index makes a re-fetch a no-op: it never emits twice.
 */
export function createInbound(deps: Deps) {
  const match = createLeadMatcher(deps);
  const insertMsg = deps.sqlite.prepare(
    `INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, channel, external_id, subject, text, metadata, created_at)
     VALUES (@accountId, @leadId, @contactId, 'inbound', 'client', 'email', @externalId, @subject, @text, @metadata, @createdAt)
     ON CONFLICT (account_id, channel, external_id) DO NOTHING RETURNING id`,
  );
  const seen = deps.sqlite.prepare(`SELECT 1 FROM conversation_messages WHERE account_id = ? AND channel = 'email' AND external_id = ?`);
  const ours = deps.sqlite.prepare(`SELECT 1 FROM mail_outbox WHERE account_id = ? AND message_id = ?`);

  async function ingest(accountId: number, m: FetchedMessage, cursor: { uidValidity: string }): Promise<'stored' | 'duplicate' | 'own'> {
    const email = await parseEmail(m.source);
    const externalId = email.messageId ?? `<imap.${cursor.uidValidity}.${m.uid}@mailbox.invalid>`;
    const advance = () => setImapCursor(deps.db, accountId, cursor.uidValidity, m.uid);
    if (seen.get(accountId, externalId) || ours.get(accountId, externalId)) {
      deps.tx(advance);
      return ours.get(accountId, externalId) ? 'own' : 'duplicate';
    }
    const lead = await match(accountId, email);
    return deps.tx(() => {
      advance();
      const row = insertMsg.get({
        accountId,
        leadId: lead.leadId,
        contactId: lead.contactId,
        externalId,
        subject: email.subject,
        text: trimQuoted(email.text),
        metadata: JSON.stringify({
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
        }),
        createdAt: deps.clock.now(),
      }) as { id: number } | undefined;
      if (!row) return 'duplicate' as const;
      if (lead.leadId && !email.automated) {
        deps.bus.emit('message_received', {
          accountId,
          leadId: lead.leadId,
          contactId: lead.contactId,
          messageIds: [row.id],
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
          metadata: { messageId: externalId, conversationMessageId: row.id },
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
