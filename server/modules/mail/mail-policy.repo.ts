import type { Sqlite } from '../../../db/client.js';

/**
 * What the mail rules are judged by, read-only and always scoped by account: a lead's contacts' addresses
 * and the account's Kommo users' addresses (both from the mirror), and how many client-email recipients
 * the account queued or sent in a window (from the outbox).
 */
export function createMailPolicyRepo(sqlite: Sqlite) {
  const s = {
    leadContactEmails: sqlite
      .prepare(
        `SELECT DISTINCT lower(e.value) FROM leads l, contacts c, json_each(c.emails) e
         WHERE l.account_id = @accountId AND l.id = @leadId AND l.is_deleted = 0
           AND c.account_id = l.account_id AND c.is_deleted = 0
           AND (c.id = l.main_contact_id OR c.id IN (SELECT value FROM json_each(l.contact_ids)))`,
      )
      .pluck(),
    userEmails: sqlite
      .prepare(
        `SELECT DISTINCT lower(email) FROM kommo_users
         WHERE account_id = ? AND deleted_at IS NULL AND is_active = 1 AND email IS NOT NULL AND email != ''`,
      )
      .pluck(),
    userEmail: sqlite
      .prepare(`SELECT lower(email) FROM kommo_users WHERE account_id = ? AND id = ? AND deleted_at IS NULL AND is_active = 1 AND email IS NOT NULL`)
      .pluck(),
    // Held (refused) and cancelled rows never went out and do not count.
    queuedSince: sqlite
      .prepare(
        `SELECT coalesce(sum(json_array_length("to") + json_array_length(cc)), 0) FROM mail_outbox
         WHERE account_id = ? AND kind = 'client' AND created_at >= ? AND status NOT IN ('refused', 'cancelled')`,
      )
      .pluck(),
    sentSince: sqlite.prepare(
      `SELECT sent_at AS sentAt, json_array_length("to") + json_array_length(cc) AS n FROM mail_outbox
         WHERE account_id = ? AND kind = 'client' AND status IN ('sent', 'bounced') AND sent_at >= ? ORDER BY sent_at`,
    ),
  };
  return {
    /** Lower-cased addresses of the live contacts of a live lead. */
    leadContactEmails: (accountId: number, leadId: number): string[] => s.leadContactEmails.all({ accountId, leadId }) as string[],
    /** Lower-cased addresses of the account's active Kommo users. */
    userEmails: (accountId: number): string[] => s.userEmails.all(accountId) as string[],
    userEmail: (accountId: number, userId: number): string | null => (s.userEmail.get(accountId, userId) as string | undefined) || null,
    /** Recipients of client email queued (and not held or cancelled) since `since`. */
    queuedSince: (accountId: number, since: number): number => s.queuedSince.get(accountId, since) as number,
    /** Client emails sent since `since`, oldest first, with their recipient counts. */
    sentSince: (accountId: number, since: number) => s.sentSince.all(accountId, since) as { sentAt: number; n: number }[],
  };
}

export type MailPolicyRepo = ReturnType<typeof createMailPolicyRepo>;
