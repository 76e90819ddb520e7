import { parseKommoWebhook, type KommoEvent } from '../../kommo/webhook/events.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import { handlerFor } from './handlers/index.js';
import type { InboxRepo } from './inbox.repo.js';

export const EVENT_QUEUE = 'webhook.event';

/** Serialize without the `raw` copies: the delivery row already keeps the whole body. */
const serializeEvent = (e: KommoEvent): string => JSON.stringify(e, (k, v) => (k === 'raw' ? undefined : v));

export function createInbox(deps: Pick<Platform, 'clock' | 'queue' | 'logger' | 'groupTx'> & { accounts: AccountsRepo; inbox: InboxRepo }) {
  const { clock, queue, logger, inbox } = deps;

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
      const deliveryId = inbox.insertDelivery({ accountId, source: 'kommo', contentType, body, eventCount: parsed.events.length, now });
      let accepted = 0;
      let duplicates = 0;
      let unknown = 0;
      for (const e of parsed.events) {
        const handler = handlerFor(e);
        const action = 'action' in e ? e.action : 'note';
        const eventId = inbox.insertEvent({
          accountId,
          deliveryId,
          eventKey: e.eventKey,
          kind: e.kind,
          action,
          entityId: handler ? handler.entityId(e) : null,
          payload: serializeEvent(e),
          status: handler ? 'received' : 'skipped',
          now,
        });
        if (eventId === null) {
          duplicates++;
          continue;
        }
        if (!handler) {
          unknown++;
          logger.info({ accountId, entity: (e as { entity?: string }).entity, action }, 'stored a Kommo webhook event we do not handle');
          continue;
        }
        queue.enqueue({ queue: EVENT_QUEUE, accountId, payload: { eventId }, idempotencyKey: `evt:${eventId}`, serialKey: handler.serialKey(accountId, e) });
        accepted++;
      }
      if (duplicates) inbox.setDuplicates(accountId, deliveryId, duplicates);
      return { accountId, accepted, duplicates, unknown };
    });
  }

  return { ingestKommo };
}

export type Inbox = ReturnType<typeof createInbox>;
