import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import { parseKommoWebhook, type KommoEvent } from '../../kommo/webhook/events.js';
import { AppError, notFound } from '../../lib/errors.js';

export const EVENT_QUEUE = 'webhook.event';

/** Which events must run in order with each other: everything about one lead, one contact, one talk. */
export function serialKeyOf(accountId: number, e: KommoEvent): string | undefined {
  const lead = (id?: number) => (id ? `lead:${accountId}:${id}` : undefined);
  switch (e.kind) {
    case 'lead':
      return lead(e.lead.id);
    case 'lead_note':
      return lead(e.note.elementId);
    case 'task':
      return e.task.elementType === 2 ? lead(e.task.elementId) : `task:${accountId}:${e.task.id}`;
    case 'message': {
      const m = e.message;
      const leadId = m.elementType === 2 ? m.elementId : m.entityType === 'lead' ? m.entityId : undefined;
      return leadId ? lead(leadId) : m.contactId ? `contact:${accountId}:${m.contactId}` : undefined;
    }
    case 'contact':
    case 'company':
      return `contact:${accountId}:${e.contact.id}`;
    case 'contact_note':
      return e.note.elementId ? `contact:${accountId}:${e.note.elementId}` : undefined;
    case 'talk':
      return `talk:${accountId}:${e.talk.talkId}`;
    default:
      return undefined;
  }
}

const entityIdOf = (e: KommoEvent): string | null => {
  switch (e.kind) {
    case 'lead':
      return String(e.lead.id);
    case 'lead_note':
    case 'contact_note':
      return String(e.note.id);
    case 'contact':
    case 'company':
      return String(e.contact.id);
    case 'task':
      return String(e.task.id);
    case 'message':
      return e.message.id;
    case 'talk':
      return String(e.talk.talkId);
    default:
      return null;
  }
};

/** Serialize without the `raw` copies: the delivery row already keeps the whole body. */
const serializeEvent = (e: KommoEvent): string => JSON.stringify(e, (k, v) => (k === 'raw' ? undefined : v));

export function createInbox(deps: Pick<Platform, 'sqlite' | 'clock' | 'queue' | 'logger' | 'groupTx'> & { accounts: AccountsRepo }) {
  const { sqlite, clock, queue, logger } = deps;
  const insertDelivery = sqlite.prepare(
    'INSERT INTO webhook_deliveries (account_id, source, content_type, body, event_count, duplicate_count, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertEvent = sqlite.prepare(
    `INSERT INTO webhook_events (account_id, delivery_id, event_key, kind, action, entity_id, payload, status, received_at)
     VALUES (@accountId, @deliveryId, @eventKey, @kind, @action, @entityId, @payload, @status, @now)
     ON CONFLICT (account_id, event_key) DO NOTHING`,
  );

  /**
   * Kommo's delivery: resolve the account by the secret, parse, and persist the raw body, the events
   * and their jobs in one transaction before answering. A duplicate event is stored once.
   */
  async function ingestKommo(secret: string, body: string, contentType: string | null) {
    const accountId = deps.accounts.idBySecret(secret);
    if (accountId === undefined) throw notFound('Webhook destination');
    const parsed = parseKommoWebhook(body);
    if (!parsed.ok) throw new AppError('BAD_REQUEST', `Malformed Kommo webhook: ${parsed.error}`);
    if (parsed.account.id !== accountId) {
      throw new AppError('FORBIDDEN', `account[id] ${parsed.account.id} does not belong to this webhook URL`);
    }
    return deps.groupTx(() => {
      const now = clock.now();
      const delivery = Number(insertDelivery.run(accountId, 'kommo', contentType, body, parsed.events.length, 0, now).lastInsertRowid);
      let accepted = 0;
      let duplicates = 0;
      let unknown = 0;
      for (const e of parsed.events) {
        const isUnknown = e.kind === 'unknown';
        const action = 'action' in e ? e.action : 'note';
        const res = insertEvent.run({
          accountId,
          deliveryId: delivery,
          eventKey: e.eventKey,
          kind: e.kind,
          action,
          entityId: entityIdOf(e),
          payload: serializeEvent(e),
          status: isUnknown ? 'skipped' : 'received',
          now,
        });
        if (res.changes === 0) {
          duplicates++;
          continue;
        }
        if (isUnknown) {
          unknown++;
          logger.info({ accountId, entity: (e as { entity: string }).entity, action }, 'stored a Kommo webhook event we do not handle');
          continue;
        }
        const eventId = Number(res.lastInsertRowid);
        queue.enqueue({ queue: EVENT_QUEUE, accountId, payload: { eventId }, idempotencyKey: `evt:${eventId}`, serialKey: serialKeyOf(accountId, e) });
        accepted++;
      }
      if (duplicates) sqlite.prepare('UPDATE webhook_deliveries SET duplicate_count = ? WHERE id = ? AND account_id = ?').run(duplicates, delivery, accountId);
      return { accountId, accepted, duplicates, unknown };
    });
  }

  return { ingestKommo };
}

export type Inbox = ReturnType<typeof createInbox>;
