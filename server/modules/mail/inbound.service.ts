import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ImapFlow } from 'imapflow';
import { fetchSource, listNewMessages, type NewMessage } from '../../mail/imap.js';
import { parseEmail, trimQuoted, type InboundEmail } from '../../mail/parse.js';
import type { KommoServices } from '../kommo/index.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import type { OutboxRepo } from './outbox.repo.js';
import { createLeadMatcher } from './inbound.match.js';
import { mailText } from './mail.texts.js';
import { countImapFailure, setImapCursor } from './settings.repo.js';
import type { MailSettings } from './settings.service.js';

type Deps = Pick<Platform, 'db' | 'clock' | 'tx' | 'bus' | 'logger' | 'env'> & {
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
 *
 * Mail is untrusted input. Bodies are read one at a time and at most MAIL_IMAP_MAX_MESSAGE_BYTES of each
 * (a larger message is skipped, and the skip recorded); parsing has a time budget and runs before any
 * transaction; a message that fails to be read or parsed MAIL_IMAP_MAX_FAILURES times is skipped with an
 * activity entry instead of blocking its mailbox forever (the counts live in mail_settings.imap_failures).
 */
export function createInbound(deps: Deps) {
  const match = createLeadMatcher(deps);
  const ours = (accountId: number, messageId: string) => deps.outbox.byMessageId(accountId, messageId) !== undefined;
  const maxBytes = deps.env.MAIL_IMAP_MAX_MESSAGE_BYTES;

  async function ingest(accountId: number, uid: number, email: InboundEmail, cursor: { uidValidity: string }): Promise<'stored' | 'duplicate' | 'own'> {
    const externalId = email.messageId ?? `<imap.${cursor.uidValidity}.${uid}@mailbox.invalid>`;
    const advance = () => setImapCursor(deps.db, accountId, cursor.uidValidity, uid);
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
          ...(email.truncated.text || email.truncated.html ? { truncated: email.truncated } : {}),
          automated: email.automated,
          imapUid: uid,
          matchedVia: lead.via,
        },
      });
      if (id === null) return 'duplicate' as const;
      if (email.bounce) {
        const bounced = deps.outbox.markBounced(accountId, email.bounce.messageIds, mailText.bounced(email.bounce.status), deps.clock.now());
        if (bounced) {
          deps.activity.write({
            accountId,
            leadId: bounced.leadId,
            type: 'email.bounced',
            title: mailText.bouncedTitle(bounced.subject),
            description: mailText.bounced(email.bounce.status),
            metadata: { outboxId: bounced.id, messageId: bounced.messageId, status: email.bounce.status, conversationMessageId: id },
            params: { subject: bounced.subject, status: email.bounce.status ?? null },
          });
        }
      }
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
          params: { variant: email.automated ? 'automated' : 'no_lead', from: email.from?.address ?? '', subject: email.subject },
        });
      }
      return 'stored' as const;
    });
  }

  /** Past a message without storing it, with the reason in the activity feed. */
  function skip(accountId: number, uidValidity: string, m: NewMessage, why: 'too_large' | 'unreadable', description: string) {
    deps.tx(() => {
      setImapCursor(deps.db, accountId, uidValidity, m.uid);
      deps.activity.write({
        accountId,
        type: 'email.skipped',
        title: mailText.skippedTitle,
        description,
        metadata: { reason: why, imapUid: m.uid, uidValidity, size: m.size },
        params: { reason: why },
      });
    });
  }

  /** One message: read (capped), parse (budgeted), store. 'failed' stops this pass; the next one tries again. */
  async function readOne(accountId: number, client: ImapFlow, mailbox: string, m: NewMessage, uidValidity: string) {
    if (m.size !== null && m.size > maxBytes) {
      skip(accountId, uidValidity, m, 'too_large', mailText.skippedTooLarge(m.size, maxBytes));
      return 'skipped' as const;
    }
    let email: InboundEmail;
    try {
      const got = await fetchSource(client, mailbox, m.uid, maxBytes);
      if (got.kind === 'gone') {
        deps.tx(() => setImapCursor(deps.db, accountId, uidValidity, m.uid)); // expunged meanwhile: nothing to read
        return 'skipped' as const;
      }
      if (got.kind === 'too-large') {
        skip(accountId, uidValidity, { ...m, size: got.size }, 'too_large', mailText.skippedTooLarge(got.size, maxBytes));
        return 'skipped' as const;
      }
      email = await parseEmail(got.source, { budgetMs: deps.env.MAIL_PARSE_BUDGET_MS });
    } catch (err) {
      const attempts = deps.tx(() => countImapFailure(deps.db, accountId, m.uid));
      deps.logger.warn({ accountId, imapUid: m.uid, attempts, err: err instanceof Error ? err.message : String(err) }, 'an incoming email could not be read');
      if (attempts >= deps.env.MAIL_IMAP_MAX_FAILURES) {
        skip(accountId, uidValidity, m, 'unreadable', mailText.skippedUnreadable(attempts));
        return 'skipped' as const;
      }
      return 'failed' as const;
    }
    return await ingest(accountId, m.uid, email, { uidValidity });
  }

  /** Read whatever is new in the account's mailbox on an open client. */
  async function syncMailbox(accountId: number, client: ImapFlow): Promise<number> {
    let stored = 0;
    for (;;) {
      // Read again each round: the mailbox may have been removed (or its password deleted at uninstall) meanwhile.
      const current = deps.settings.imap(accountId);
      if (!current) return stored;
      const mailbox = current.mailbox ?? 'INBOX';
      const batch = await listNewMessages(client, mailbox, current.cursor, current.since);
      // An empty first read leaves the cursor unset, so the next read again takes "since connected" (not the history).
      if (batch.messages.length === 0) return stored;
      for (const m of batch.messages) {
        const outcome = await readOne(accountId, client, mailbox, m, batch.uidValidity);
        if (outcome === 'stored') stored++;
        if (outcome === 'failed') return stored;
      }
    }
  }

  return { ingest, syncMailbox };
}

export type Inbound = ReturnType<typeof createInbound>;
