import type { Sqlite } from '../../../db/client.js';

export interface NewEvent {
  accountId: number;
  deliveryId: number;
  eventKey: string;
  kind: string;
  action: string;
  entityId: string | null;
  payload: string;
  status: 'received' | 'skipped';
  now: number;
}

/** The durable inbox: each delivery's raw body, and its events, unique per (account, event key). */
export function createInboxRepo(sqlite: Sqlite) {
  const s = {
    delivery: sqlite.prepare(
      'INSERT INTO webhook_deliveries (account_id, source, content_type, body, event_count, duplicate_count, received_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
    ),
    duplicates: sqlite.prepare('UPDATE webhook_deliveries SET duplicate_count = ? WHERE id = ? AND account_id = ?'),
    event: sqlite.prepare(
      `INSERT INTO webhook_events (account_id, delivery_id, event_key, kind, action, entity_id, payload, status, received_at)
       VALUES (@accountId, @deliveryId, @eventKey, @kind, @action, @entityId, @payload, @status, @now)
       ON CONFLICT (account_id, event_key) DO NOTHING`,
    ),
    load: sqlite.prepare('SELECT account_id AS accountId, payload, status FROM webhook_events WHERE id = ? AND account_id = ?'),
    done: sqlite.prepare("UPDATE webhook_events SET status = 'processed', processed_at = ? WHERE id = ? AND account_id = ? AND status = 'received'"),
    skip: sqlite.prepare("UPDATE webhook_events SET status = 'skipped', processed_at = ? WHERE id = ? AND account_id = ? AND status = 'received'"),
    // A key range, not LIKE: it walks the unique (account_id, event_key) index.
    keyedSince: sqlite.prepare('SELECT 1 FROM webhook_events WHERE account_id = ? AND event_key >= ? AND event_key < ? AND received_at >= ? LIMIT 1').pluck(),
  };
  return {
    insertDelivery: (d: {
      accountId: number;
      source: 'kommo' | 'dp' | 'salesbot';
      contentType: string | null;
      body: string;
      eventCount: number;
      now: number;
    }): number => Number(s.delivery.run(d.accountId, d.source, d.contentType, d.body, d.eventCount, d.now).lastInsertRowid),
    setDuplicates: (accountId: number, deliveryId: number, n: number) => void s.duplicates.run(n, deliveryId, accountId),
    /** The new event's id, or null for a duplicate (the same key seen before). */
    insertEvent(e: NewEvent): number | null {
      const r = s.event.run(e);
      return r.changes === 0 ? null : Number(r.lastInsertRowid);
    },
    loadEvent: (accountId: number, id: number) => s.load.get(id, accountId) as { accountId: number; payload: string; status: string } | undefined,
    /** True when this call marked it (it was still `received`). */
    markProcessed: (accountId: number, id: number, now: number): boolean => s.done.run(now, id, accountId).changes === 1,
    /** Settled without effect (e.g. the entity no longer exists). True when this call marked it. */
    markSkipped: (accountId: number, id: number, now: number): boolean => s.skip.run(now, id, accountId).changes === 1,
    /** Whether an event whose key starts with `prefix` arrived at or after `since`. */
    hasKeyPrefixSince: (accountId: number, prefix: string, since: number): boolean =>
      s.keyedSince.get(accountId, prefix, `${prefix}\uffff`, since) !== undefined,
  };
}

export type InboxRepo = ReturnType<typeof createInboxRepo>;
