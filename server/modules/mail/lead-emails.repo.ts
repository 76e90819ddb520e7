import type { Sqlite } from '../../../db/client.js';

export interface InboundEmailRow {
  id: number;
  subject: string | null;
  text: string;
  from: string | null;
  createdAt: number;
}

/** A lead's inbound client email (conversation messages on the email channel), newest first; scoped by account. */
export function createLeadEmailsRepo(sqlite: Sqlite) {
  const inbound = sqlite.prepare(
    `SELECT id, subject, text, json_extract(metadata, '$.from.address') AS "from", created_at AS createdAt
       FROM conversation_messages
      WHERE account_id = ? AND lead_id = ? AND channel = 'email' AND direction = 'inbound'
      ORDER BY id DESC LIMIT ?`,
  );
  return {
    inbound: (accountId: number, leadId: number, limit: number) => inbound.all(accountId, leadId, limit) as InboundEmailRow[],
  };
}

export type LeadEmailsRepo = ReturnType<typeof createLeadEmailsRepo>;
