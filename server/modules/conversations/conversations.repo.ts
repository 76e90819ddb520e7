import type { Sqlite } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';

export interface NewMessage {
  accountId: number;
  leadId: number | null;
  contactId: number | null;
  /** inbound (client) | outbound (agent or human) | timeline (task, call, system) */
  direction: 'inbound' | 'outbound' | 'timeline';
  /** client | agent | user | bot | system */
  author: 'client' | 'agent' | 'user' | 'bot' | 'system';
  authorUserId?: number | null;
  channel: string;
  chatId?: string | null;
  talkId?: number | null;
  /** Unique per account and channel: a re-delivery of the same message is a no-op. */
  externalId: string;
  subject?: string | null;
  text: string;
  metadata?: Record<string, unknown> | null;
}

export interface HistoryMessage {
  id: number;
  direction: string;
  author: string;
  channel: string;
  text: string;
}

/** The only writer of `conversation_messages`: each lead's thread across channels (chats, email, calls, tasks). */
export function createConversationsRepo(sqlite: Sqlite, clock: Clock) {
  const s = {
    insert: sqlite.prepare(
      `INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, author_user_id, channel, chat_id, talk_id, external_id, subject, text, metadata, created_at)
       VALUES (@accountId, @leadId, @contactId, @direction, @author, @authorUserId, @channel, @chatId, @talkId, @externalId, @subject, @text, @metadata, @createdAt)
       ON CONFLICT (account_id, channel, external_id) DO NOTHING`,
    ),
    exists: sqlite.prepare('SELECT 1 FROM conversation_messages WHERE account_id = ? AND channel = ? AND external_id = ?'),
    byId: sqlite.prepare('SELECT id, text FROM conversation_messages WHERE account_id = ? AND id = ?'),
    byExternalId: sqlite.prepare('SELECT id, text FROM conversation_messages WHERE account_id = ? AND channel = ? AND external_id = ?'),
    head: sqlite.prepare('SELECT contact_id AS contactId, channel FROM conversation_messages WHERE account_id = ? AND id = ?'),
    // By id (`+account_id` keeps the planner off the account's index, which would read every message of the account).
    texts: sqlite.prepare('SELECT text FROM conversation_messages WHERE +account_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id').pluck(),
    inboundText: sqlite.prepare("SELECT text FROM conversation_messages WHERE account_id = ? AND id = ? AND direction = 'inbound'").pluck(),
    salesbotTextsSince: sqlite
      .prepare(
        `SELECT text FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND direction = 'inbound' AND external_id LIKE 'salesbot:%' AND created_at >= ?`,
      )
      .pluck(),
    answersSalesbot: sqlite.prepare(
      "SELECT 1 FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND json_extract(metadata, '$.salesbotRequestId') = ?",
    ),
    tagSalesbot: sqlite.prepare(
      "UPDATE conversation_messages SET metadata = json_set(coalesce(metadata, '{}'), '$.salesbotRequestId', ?) WHERE account_id = ? AND id = ?",
    ),
    lastInbound: sqlite.prepare("SELECT max(created_at) FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND direction = 'inbound'").pluck(),
    lastInboundRow: sqlite.prepare(
      "SELECT created_at AS at, channel FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND direction = 'inbound' ORDER BY id DESC LIMIT 1",
    ),
    setLaunchState: sqlite.prepare(
      "UPDATE conversation_messages SET metadata = json_set(coalesce(metadata, '{}'), '$.launch.state', ?) WHERE account_id = ? AND id = ?",
    ),
    launchState: sqlite.prepare("SELECT json_extract(metadata, '$.launch.state') FROM conversation_messages WHERE account_id = ? AND id = ?").pluck(),
    claimLaunch: sqlite.prepare(
      `UPDATE conversation_messages SET metadata = json_set(metadata, '$.launch.state', 'claimed', '$.launch.requestId', @requestId)
       WHERE id = (SELECT id FROM conversation_messages
                   WHERE account_id = @accountId AND lead_id = @leadId AND direction = 'outbound' AND created_at >= @since
                     AND json_extract(metadata, '$.launch.state') IN ('waiting', 'launched')
                   ORDER BY id DESC LIMIT 1)
       RETURNING id, text`,
    ),
    launchClaimedSince: sqlite.prepare(
      `SELECT 1 FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND direction = 'outbound' AND created_at >= ?
         AND json_extract(metadata, '$.launch.state') IN ('claimed', 'sent') LIMIT 1`,
    ),
    history: sqlite.prepare(
      `SELECT id, direction, author, channel, text FROM conversation_messages
       WHERE account_id = ? AND lead_id = ? AND (? IS NULL OR id <= ?) ORDER BY id DESC LIMIT ?`,
    ),
  };
  return {
    /** The new row's id, or null when this (channel, external id) was stored before. Joins the caller's transaction. */
    insertMessage(m: NewMessage): number | null {
      const r = s.insert.run({
        accountId: m.accountId,
        leadId: m.leadId,
        contactId: m.contactId,
        direction: m.direction,
        author: m.author,
        authorUserId: m.authorUserId ?? null,
        channel: m.channel,
        chatId: m.chatId ?? null,
        talkId: m.talkId ?? null,
        externalId: m.externalId,
        subject: m.subject ?? null,
        text: m.text,
        metadata: m.metadata ? JSON.stringify(m.metadata) : null,
        createdAt: clock.now(),
      });
      return r.changes === 0 ? null : Number(r.lastInsertRowid);
    },
    byId: (accountId: number, id: number) => s.byId.get(accountId, id) as { id: number; text: string } | undefined,
    byExternalId: (accountId: number, channel: string, externalId: string) =>
      s.byExternalId.get(accountId, channel, externalId) as { id: number; text: string } | undefined,
    has: (accountId: number, channel: string, externalId: string): boolean => s.exists.get(accountId, channel, externalId) !== undefined,
    /** Who wrote the first message of a burst, and where. */
    head: (accountId: number, id: number) => s.head.get(accountId, id) as { contactId: number | null; channel: string } | undefined,
    /** A client message's text (undefined for other directions). */
    inboundText: (accountId: number, id: number): string | undefined => s.inboundText.get(accountId, id) as string | undefined,
    /** Texts the lead's Salesbot requests brought in since `since`. */
    salesbotTextsSince: (accountId: number, leadId: number, since: number): string[] => s.salesbotTextsSince.all(accountId, leadId, since) as string[],
    /** Some message of the lead is already answered through this Salesbot request. */
    answersSalesbot: (accountId: number, leadId: number, requestId: number): boolean => s.answersSalesbot.get(accountId, leadId, requestId) !== undefined,
    /** Mark a stored message as the one this Salesbot request answers. */
    tagSalesbotRequest: (accountId: number, id: number, requestId: number) => void s.tagSalesbot.run(requestId, accountId, id),
    /** When the client last wrote on this lead (any channel), or null. */
    lastInboundAt: (accountId: number, leadId: number): number | null => (s.lastInbound.get(accountId, leadId) as number | null) ?? null,
    /** The client's last message on this lead: when, and on which channel. */
    lastInbound: (accountId: number, leadId: number) => (s.lastInboundRow.get(accountId, leadId) as { at: number; channel: string } | undefined) ?? null,
    texts: (accountId: number, ids: number[]): string[] => s.texts.all(accountId, JSON.stringify(ids)) as string[],
    /** A first message waiting for its launched Salesbot: waiting → launched (Kommo accepted the run) → claimed (the bot asked) → sent, or failed. */
    setLaunchState: (accountId: number, id: number, state: 'waiting' | 'launched' | 'claimed' | 'sent' | 'failed') =>
      void s.setLaunchState.run(state, accountId, id),
    launchState: (accountId: number, id: number) => (s.launchState.get(accountId, id) as string | null | undefined) ?? null,
    /** The Salesbot we launched for this lead asks (its widget step): the newest waiting first message since `since`, now claimed by this request. */
    claimLaunch: (accountId: number, leadId: number, requestId: number, since: number) =>
      s.claimLaunch.get({ accountId, leadId, requestId, since }) as { id: number; text: string } | undefined,
    /** A launched first message was already claimed since `since` (a second request from the same launch is not a new conversation). */
    launchClaimedSince: (accountId: number, leadId: number, since: number): boolean => s.launchClaimedSince.get(accountId, leadId, since) !== undefined,
    /** The newest `limit` messages of a lead (up to `uptoId` when given), newest first. */
    history: (accountId: number, leadId: number, uptoId: number | null, limit: number): HistoryMessage[] =>
      s.history.all(accountId, leadId, uptoId, uptoId, limit) as HistoryMessage[],
  };
}

export type ConversationsRepo = ReturnType<typeof createConversationsRepo>;
