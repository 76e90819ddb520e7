import type { Sqlite } from '../../../db/client.js';

/** Open bursts: a lead's quick client messages collected until the burst window closes. */
export function createBurstsRepo(sqlite: Sqlite) {
  const s = {
    get: sqlite.prepare('SELECT first_at AS firstAt, message_ids AS messageIds FROM pending_bursts WHERE account_id = ? AND lead_id = ?'),
    insert: sqlite.prepare('INSERT INTO pending_bursts (account_id, lead_id, first_at, message_ids) VALUES (?, ?, ?, ?)'),
    update: sqlite.prepare('UPDATE pending_bursts SET message_ids = ? WHERE account_id = ? AND lead_id = ?'),
    remove: sqlite.prepare('DELETE FROM pending_bursts WHERE account_id = ? AND lead_id = ?'),
    take: sqlite.prepare('DELETE FROM pending_bursts WHERE account_id = ? AND lead_id = ? AND first_at = ? RETURNING message_ids AS messageIds').pluck(),
  };
  return {
    /** Add a message to the lead's open burst; true when this opened a new one (the caller schedules its flush). */
    join(accountId: number, leadId: number, messageId: number, now: number): boolean {
      const open = s.get.get(accountId, leadId) as { firstAt: number; messageIds: string } | undefined;
      if (open) {
        s.update.run(JSON.stringify([...(JSON.parse(open.messageIds) as number[]), messageId]), accountId, leadId);
        return false;
      }
      s.insert.run(accountId, leadId, now, JSON.stringify([messageId]));
      return true;
    },
    /** The messages waiting in the lead's open burst (empty when none is open). */
    waiting(accountId: number, leadId: number): number[] {
      const open = s.get.get(accountId, leadId) as { messageIds: string } | undefined;
      return open ? (JSON.parse(open.messageIds) as number[]) : [];
    },
    /** Take one message out of the lead's open burst (the burst closes when it was the last one). */
    drop(accountId: number, leadId: number, messageId: number) {
      const rest = this.waiting(accountId, leadId).filter((id) => id !== messageId);
      if (rest.length) s.update.run(JSON.stringify(rest), accountId, leadId);
      else s.remove.run(accountId, leadId);
    },
    /** Close the burst opened at `firstAt` and return its messages; null when it was flushed already. */
    take(accountId: number, leadId: number, firstAt: number): number[] | null {
      const ids = s.take.get(accountId, leadId, firstAt) as string | undefined;
      return ids === undefined ? null : (JSON.parse(ids) as number[]);
    },
  };
}

export type BurstsRepo = ReturnType<typeof createBurstsRepo>;
