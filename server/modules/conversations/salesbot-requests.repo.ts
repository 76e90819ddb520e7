import type { Sqlite } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';

export interface PendingSalesbotRequest {
  id: number;
  accountId: number;
  leadId: number | null;
  returnUrl: string;
  data: Record<string, unknown>;
}

/**
 * Salesbot `widget_request`s waiting for our answer (docs/kommo.md §5): the bot is paused until we POST
 * its return_url. `pending` until then, `continued` after.
 */
export function createSalesbotRequestsRepo(sqlite: Sqlite, clock: Clock) {
  const s = {
    insert: sqlite.prepare("INSERT INTO salesbot_requests (account_id, lead_id, return_url, data, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)"),
    pending: sqlite.prepare(
      "SELECT id, account_id AS accountId, lead_id AS leadId, return_url AS returnUrl, data FROM salesbot_requests WHERE id = ? AND account_id = ? AND status = 'pending'",
    ),
    continued: sqlite.prepare("UPDATE salesbot_requests SET status = 'continued', continued_at = ? WHERE account_id = ? AND id = ? AND status = 'pending'"),
  };
  return {
    insertRequest: (r: { accountId: number; leadId: number | null; returnUrl: string; data: Record<string, unknown> }): number =>
      Number(s.insert.run(r.accountId, r.leadId, r.returnUrl, JSON.stringify(r.data), clock.now()).lastInsertRowid),
    pending(accountId: number, id: number): PendingSalesbotRequest | undefined {
      const r = s.pending.get(id, accountId) as (Omit<PendingSalesbotRequest, 'data'> & { data: string }) | undefined;
      return r ? { ...r, data: JSON.parse(r.data) as Record<string, unknown> } : undefined;
    },
    isPending: (accountId: number, id: number): boolean => s.pending.get(id, accountId) !== undefined,
    markContinued: (accountId: number, id: number): boolean => s.continued.run(clock.now(), accountId, id).changes === 1,
  };
}

export type SalesbotRequestsRepo = ReturnType<typeof createSalesbotRequestsRepo>;
