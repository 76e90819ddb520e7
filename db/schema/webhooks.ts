import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Every delivery Kommo (or a Salesbot/DP trigger) made, with its raw body, stored before we answer. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    /** kommo | dp | salesbot */
    source: text('source').notNull(),
    contentType: text('content_type'),
    body: text('body').notNull(),
    eventCount: integer('event_count').notNull().default(0),
    duplicateCount: integer('duplicate_count').notNull().default(0),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('webhook_deliveries_account_idx').on(t.accountId, t.id)],
);

/** One row per distinct event; the unique key turns Kommo's retries and duplicates into no-ops. */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    deliveryId: integer('delivery_id').notNull(),
    eventKey: text('event_key').notNull(),
    kind: text('kind').notNull(),
    action: text('action').notNull(),
    entityId: text('entity_id'),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    /** received | processed | skipped */
    status: text('status').notNull().default('received'),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
  },
  (t) => [uniqueIndex('webhook_events_key_uq').on(t.accountId, t.eventKey), index('webhook_events_kind_idx').on(t.accountId, t.kind, t.id)],
);

/**
 * Writes this integration made to Kommo, remembered briefly so the webhooks they cause are known as
 * echoes and do not trigger agents again.
 */
export const ownWrites = sqliteTable(
  'own_writes',
  {
    accountId: integer('account_id').notNull(),
    key: text('key').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] }), index('own_writes_expires_idx').on(t.expiresAt)],
);

/** Salesbot `widget_request`s waiting for our continue (kommo.md §5). */
export const salesbotRequests = sqliteTable(
  'salesbot_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id'),
    returnUrl: text('return_url').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** pending | continued | failed */
    status: text('status').notNull().default('pending'),
    createdAt: integer('created_at').notNull(),
    continuedAt: integer('continued_at'),
  },
  (t) => [index('salesbot_requests_lead_idx').on(t.accountId, t.leadId, t.status)],
);

/** An open burst of client messages on a lead: one agent turn when the window closes. */
export const pendingBursts = sqliteTable(
  'pending_bursts',
  {
    accountId: integer('account_id').notNull(),
    leadId: integer('lead_id').notNull(),
    firstAt: integer('first_at').notNull(),
    messageIds: text('message_ids', { mode: 'json' }).$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.leadId] })],
);
