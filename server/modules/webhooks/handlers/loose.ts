import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { defineHandler, type HandlerCtx } from './context.js';

const TITLES: Record<string, string> = {
  'customer.add': 'Customer added',
  'customer.update': 'Customer updated',
  'customer.delete': 'Customer deleted',
  'unsorted.add': 'New unsorted request',
  'unsorted.update': 'Unsorted request updated',
  'unsorted.delete': 'Unsorted request accepted or declined',
};

/** Customers and unsorted requests: logged with their ids for the feed (no mirror of these yet). */
export const looseHandler = defineHandler({
  kinds: ['customer', 'unsorted'] as const,
  serialKey: () => undefined,
  entityId: () => null,
  handle(ctx: HandlerCtx, e: KommoEventOf<'customer' | 'unsorted'>): void {
    const d = e.data as Record<string, string | undefined>;
    const id = d.id ?? d.uid ?? d.lead_id ?? null;
    const leadId = Number(d.lead_id) || null;
    ctx.deps.activity.write({
      accountId: ctx.accountId,
      leadId,
      type: `${e.kind}.${e.action}`,
      title: `${TITLES[`${e.kind}.${e.action}`] ?? `${e.kind} ${e.action}`}${d.name ? `: ${String(d.name).slice(0, 60)}` : ''}`,
      params: { name: d.name ? String(d.name).slice(0, 60) : '', variant: d.name ? 'named' : 'default' },
      metadata: {
        kommo: { [e.kind === 'customer' ? 'customerId' : 'unsortedId']: id, leadId },
        source: d.source_name ?? d.source ?? null,
        eventId: ctx.eventId,
      },
    });
  },
});
