import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { defineHandler, v2Fields, valuesByCode, type HandlerCtx } from './context.js';

/** Contacts and companies (companies arrive under `contacts` with type=company): update the mirror. */
export const contactsHandler = defineHandler({
  kinds: ['contact', 'company'] as const,
  serialKey: (accountId, e) => `contact:${accountId}:${e.contact.id}`,
  entityId: (e) => String(e.contact.id),
  handle(ctx: HandlerCtx, e: KommoEventOf<'contact' | 'company'>): void {
    const { deps, accountId } = ctx;
    const c = e.contact;
    const now = deps.clock.now();
    const version = c.lastModified ?? c.updatedAt ?? c.dateCreate ?? 0;
    const isCompany = c.type === 'company';
    const fields = v2Fields(c.customFields);
    const name = c.name ?? ([c.firstName, c.lastName].filter(Boolean).join(' ') || (isCompany ? c.companyName : '') || '');
    if (e.action === 'delete') {
      if (isCompany) deps.mirror.markCompanyDeleted(accountId, c.id, now);
      else deps.mirror.markContactDeleted(accountId, c.id, now);
    } else if (isCompany) {
      deps.mirror.applyCompanyEvent({
        accountId,
        id: c.id,
        name,
        responsibleUserId: c.responsibleUserId ?? null,
        customFields: JSON.stringify(fields),
        kommoUpdatedAt: version,
        syncedAt: now,
      });
    } else {
      deps.mirror.applyContactEvent({
        accountId,
        id: c.id,
        name,
        firstName: c.firstName ?? null,
        lastName: c.lastName ?? null,
        responsibleUserId: c.responsibleUserId ?? null,
        emails: JSON.stringify(valuesByCode(fields, 'EMAIL')),
        phones: JSON.stringify(valuesByCode(fields, 'PHONE')),
        customFields: JSON.stringify(fields),
        companyId: c.linkedCompanyId ?? null,
        kommoUpdatedAt: version,
        syncedAt: now,
      });
    }
    const noun = isCompany ? 'Company' : 'Contact';
    const verb = { add: 'added', update: 'updated', delete: 'deleted', restore: 'restored', responsible: 'reassigned' }[e.action];
    deps.activity.write({
      accountId,
      userId: c.modifiedUserId ?? null,
      type: `${isCompany ? 'company' : 'contact'}.${e.action}`,
      title: `${noun} ${verb}: ${name || `#${c.id}`}`,
      metadata: { kommo: { [isCompany ? 'companyId' : 'contactId']: c.id }, eventId: ctx.eventId, deleted: e.action === 'delete' },
      params: { name: name || `#${c.id}` },
    });
  },
});
