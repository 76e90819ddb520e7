import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { v2Fields, valuesByCode, type HandlerCtx } from './context.js';

/** Contacts and companies (companies arrive under `contacts` with type=company): update the mirror. */
export function handleContactEvent(ctx: HandlerCtx, e: KommoEventOf<'contact' | 'company'>): void {
  const { deps, accountId } = ctx;
  const c = e.contact;
  const now = deps.clock.now();
  const version = c.lastModified ?? c.updatedAt ?? c.dateCreate ?? 0;
  const isCompany = c.type === 'company';
  const table = isCompany ? 'companies' : 'contacts';
  const deleted = e.action === 'delete' ? 1 : 0;
  const fields = v2Fields(c.customFields);
  const name = c.name ?? ([c.firstName, c.lastName].filter(Boolean).join(' ') || (isCompany ? c.companyName : '') || '');
  if (e.action === 'delete') {
    deps.stmt(`INSERT INTO ${table} (account_id, id, name, is_deleted, synced_at) VALUES (?, ?, '', 1, ?) ON CONFLICT (account_id, id) DO UPDATE SET is_deleted = 1, synced_at = excluded.synced_at`).run(accountId, c.id, now);
  } else if (isCompany) {
    deps.stmt(
        `INSERT INTO companies (account_id, id, name, responsible_user_id, custom_fields, kommo_updated_at, is_deleted, synced_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)
         ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, responsible_user_id = coalesce(excluded.responsible_user_id, companies.responsible_user_id),
           custom_fields = excluded.custom_fields, kommo_updated_at = excluded.kommo_updated_at, is_deleted = 0, synced_at = excluded.synced_at
         WHERE excluded.kommo_updated_at >= companies.kommo_updated_at`,
      )
      .run(accountId, c.id, name, c.responsibleUserId ?? null, JSON.stringify(fields), version, now);
  } else {
    deps.stmt(
        `INSERT INTO contacts (account_id, id, name, first_name, last_name, responsible_user_id, emails, phones, custom_fields, company_id, kommo_updated_at, is_deleted, synced_at)
         VALUES (@accountId, @id, @name, @firstName, @lastName, @responsible, @emails, @phones, @fields, @companyId, @version, 0, @now)
         ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, first_name = coalesce(excluded.first_name, contacts.first_name),
           last_name = coalesce(excluded.last_name, contacts.last_name), responsible_user_id = coalesce(excluded.responsible_user_id, contacts.responsible_user_id),
           emails = excluded.emails, phones = excluded.phones, custom_fields = excluded.custom_fields,
           company_id = coalesce(excluded.company_id, contacts.company_id), kommo_updated_at = excluded.kommo_updated_at, is_deleted = 0, synced_at = excluded.synced_at
         WHERE excluded.kommo_updated_at >= contacts.kommo_updated_at`,
      )
      .run({
        accountId,
        id: c.id,
        name,
        firstName: c.firstName ?? null,
        lastName: c.lastName ?? null,
        responsible: c.responsibleUserId ?? null,
        emails: JSON.stringify(valuesByCode(fields, 'EMAIL')),
        phones: JSON.stringify(valuesByCode(fields, 'PHONE')),
        fields: JSON.stringify(fields),
        companyId: c.linkedCompanyId ?? null,
        version,
        now,
      });
  }
  const noun = isCompany ? 'Company' : 'Contact';
  const verb = { add: 'added', update: 'updated', delete: 'deleted', restore: 'restored', responsible: 'reassigned' }[e.action];
  deps.activity.write({
    accountId,
    userId: c.modifiedUserId ?? null,
    type: `${isCompany ? 'company' : 'contact'}.${e.action}`,
    title: `${noun} ${verb}: ${name || `#${c.id}`}`,
    metadata: { kommo: { [isCompany ? 'companyId' : 'contactId']: c.id }, eventId: ctx.eventId, deleted: Boolean(deleted) },
  });
}
