import type { Sqlite } from '../../../db/client.js';
import type { KommoCompany, KommoContact, KommoCustomField, KommoLead, KommoPipeline, KommoUser } from '../../kommo/client/schemas.js';
import { companyRow, contactRow, leadRow, userRow } from './mirror.map.js';

/**
 * Writes to the Kommo mirror. Leads, contacts and companies only change when Kommo's `updated_at`
 * moved forward, so a re-sync rewrites exactly the changed rows and a late, out-of-order event can
 * never roll a newer state back. Each function returns how many rows it changed.
 */
export function createMirrorRepo(sqlite: Sqlite) {
  const s = {
    lead: sqlite.prepare(
      `INSERT INTO leads (account_id, id, name, price, pipeline_id, status_id, responsible_user_id, main_contact_id, contact_ids, company_id,
         tags, custom_fields, loss_reason_id, closed_at, kommo_created_at, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @price, @pipelineId, @statusId, @responsibleUserId, @mainContactId, @contactIds, @companyId,
         @tags, @customFields, @lossReasonId, @closedAt, @kommoCreatedAt, @kommoUpdatedAt, @isDeleted, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, price = excluded.price, pipeline_id = excluded.pipeline_id,
         status_id = excluded.status_id, responsible_user_id = excluded.responsible_user_id, main_contact_id = excluded.main_contact_id,
         contact_ids = excluded.contact_ids, company_id = excluded.company_id, tags = excluded.tags, custom_fields = excluded.custom_fields,
         loss_reason_id = excluded.loss_reason_id, closed_at = excluded.closed_at, kommo_created_at = excluded.kommo_created_at,
         kommo_updated_at = excluded.kommo_updated_at, is_deleted = excluded.is_deleted, synced_at = excluded.synced_at
       WHERE excluded.kommo_updated_at > leads.kommo_updated_at`,
    ),
    contact: sqlite.prepare(
      `INSERT INTO contacts (account_id, id, name, first_name, last_name, responsible_user_id, emails, phones, custom_fields, company_id, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @firstName, @lastName, @responsibleUserId, @emails, @phones, @customFields, @companyId, @kommoUpdatedAt, @isDeleted, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, first_name = excluded.first_name, last_name = excluded.last_name,
         responsible_user_id = excluded.responsible_user_id, emails = excluded.emails, phones = excluded.phones,
         custom_fields = excluded.custom_fields, company_id = excluded.company_id, kommo_updated_at = excluded.kommo_updated_at,
         is_deleted = excluded.is_deleted, synced_at = excluded.synced_at
       WHERE excluded.kommo_updated_at > contacts.kommo_updated_at`,
    ),
    company: sqlite.prepare(
      `INSERT INTO companies (account_id, id, name, responsible_user_id, custom_fields, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @responsibleUserId, @customFields, @kommoUpdatedAt, @isDeleted, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, responsible_user_id = excluded.responsible_user_id,
         custom_fields = excluded.custom_fields, kommo_updated_at = excluded.kommo_updated_at, is_deleted = excluded.is_deleted,
         synced_at = excluded.synced_at
       WHERE excluded.kommo_updated_at > companies.kommo_updated_at`,
    ),
    user: sqlite.prepare(
      `INSERT INTO kommo_users (account_id, id, name, email, is_admin, is_active, group_id, rights, deleted_at, synced_at)
       VALUES (@accountId, @id, @name, @email, @isAdmin, @isActive, @groupId, @rights, NULL, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, email = excluded.email, is_admin = excluded.is_admin,
         is_active = excluded.is_active, group_id = excluded.group_id, rights = excluded.rights, deleted_at = NULL, synced_at = excluded.synced_at`,
    ),
    pipeline: sqlite.prepare(
      `INSERT INTO pipelines (account_id, id, name, sort, is_main, is_archive, deleted_at, synced_at)
       VALUES (@accountId, @id, @name, @sort, @isMain, @isArchive, NULL, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, sort = excluded.sort, is_main = excluded.is_main,
         is_archive = excluded.is_archive, deleted_at = NULL, synced_at = excluded.synced_at`,
    ),
    status: sqlite.prepare(
      `INSERT INTO pipeline_statuses (account_id, pipeline_id, id, name, sort, color, type, is_editable, deleted_at, synced_at)
       VALUES (@accountId, @pipelineId, @id, @name, @sort, @color, @type, @isEditable, NULL, @now)
       ON CONFLICT (account_id, pipeline_id, id) DO UPDATE SET name = excluded.name, sort = excluded.sort, color = excluded.color,
         type = excluded.type, is_editable = excluded.is_editable, deleted_at = NULL, synced_at = excluded.synced_at`,
    ),
    field: sqlite.prepare(
      `INSERT INTO custom_fields (account_id, id, entity, name, code, type, sort, enums, deleted_at, synced_at)
       VALUES (@accountId, @id, @entity, @name, @code, @type, @sort, @enums, NULL, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET entity = excluded.entity, name = excluded.name, code = excluded.code, type = excluded.type,
         sort = excluded.sort, enums = excluded.enums, deleted_at = NULL, synced_at = excluded.synced_at`,
    ),
    leadById: sqlite.prepare('SELECT * FROM leads WHERE account_id = ? AND id = ?'),
    // A webhook's lead: fields it did not carry keep the mirror's values (the caller merges them).
    leadEvent: sqlite.prepare(
      `INSERT INTO leads (account_id, id, name, price, pipeline_id, status_id, responsible_user_id, main_contact_id, contact_ids, company_id,
         tags, custom_fields, loss_reason_id, closed_at, kommo_created_at, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @price, @pipelineId, @statusId, @responsibleUserId, @mainContactId, @contactIds, @companyId,
         @tags, @customFields, @lossReasonId, @closedAt, @kommoCreatedAt, @kommoUpdatedAt, @isDeleted, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, price = excluded.price, pipeline_id = excluded.pipeline_id,
         status_id = excluded.status_id, responsible_user_id = excluded.responsible_user_id, tags = excluded.tags,
         custom_fields = excluded.custom_fields, loss_reason_id = excluded.loss_reason_id, kommo_updated_at = excluded.kommo_updated_at,
         is_deleted = excluded.is_deleted, synced_at = excluded.synced_at`,
    ),
    leadDeleted: sqlite.prepare(
      `INSERT INTO leads (account_id, id, name, is_deleted, synced_at) VALUES (?, ?, '', 1, ?)
       ON CONFLICT (account_id, id) DO UPDATE SET is_deleted = 1, synced_at = excluded.synced_at`,
    ),
    // Kommo's updated_at has 1 s resolution: step the mirror's version back so a read that ties it wins.
    leadYield: sqlite.prepare('UPDATE leads SET kommo_updated_at = kommo_updated_at - 1 WHERE account_id = ? AND id = ? AND kommo_updated_at = ?'),
    leadOwnRead: sqlite.prepare(
      `UPDATE leads SET name = @name, price = @price, pipeline_id = @pipelineId, status_id = @statusId, responsible_user_id = @responsibleUserId,
         tags = @tags, custom_fields = @customFields, synced_at = @syncedAt
       WHERE account_id = @accountId AND id = @id AND kommo_updated_at <= @kommoUpdatedAt`,
    ),
    contactEvent: sqlite.prepare(
      `INSERT INTO contacts (account_id, id, name, first_name, last_name, responsible_user_id, emails, phones, custom_fields, company_id, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @firstName, @lastName, @responsibleUserId, @emails, @phones, @customFields, @companyId, @kommoUpdatedAt, 0, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, first_name = coalesce(excluded.first_name, contacts.first_name),
         last_name = coalesce(excluded.last_name, contacts.last_name), responsible_user_id = coalesce(excluded.responsible_user_id, contacts.responsible_user_id),
         emails = excluded.emails, phones = excluded.phones, custom_fields = excluded.custom_fields,
         company_id = coalesce(excluded.company_id, contacts.company_id), kommo_updated_at = excluded.kommo_updated_at, is_deleted = 0, synced_at = excluded.synced_at
       WHERE excluded.kommo_updated_at >= contacts.kommo_updated_at`,
    ),
    companyEvent: sqlite.prepare(
      `INSERT INTO companies (account_id, id, name, responsible_user_id, custom_fields, kommo_updated_at, is_deleted, synced_at)
       VALUES (@accountId, @id, @name, @responsibleUserId, @customFields, @kommoUpdatedAt, 0, @syncedAt)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, responsible_user_id = coalesce(excluded.responsible_user_id, companies.responsible_user_id),
         custom_fields = excluded.custom_fields, kommo_updated_at = excluded.kommo_updated_at, is_deleted = 0, synced_at = excluded.synced_at
       WHERE excluded.kommo_updated_at >= companies.kommo_updated_at`,
    ),
    contactDeleted: sqlite.prepare(
      `INSERT INTO contacts (account_id, id, name, is_deleted, synced_at) VALUES (?, ?, '', 1, ?)
       ON CONFLICT (account_id, id) DO UPDATE SET is_deleted = 1, synced_at = excluded.synced_at`,
    ),
    companyDeleted: sqlite.prepare(
      `INSERT INTO companies (account_id, id, name, is_deleted, synced_at) VALUES (?, ?, '', 1, ?)
       ON CONFLICT (account_id, id) DO UPDATE SET is_deleted = 1, synced_at = excluded.synced_at`,
    ),
    taskType: sqlite.prepare(
      `INSERT INTO task_types (account_id, id, name, deleted_at, synced_at) VALUES (@accountId, @id, @name, NULL, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, deleted_at = NULL, synced_at = excluded.synced_at`,
    ),
  };

  /** Rows of `table` (scoped by account and `scope`) not seen in this sync are marked deleted. */
  function markMissingDeleted(table: 'kommo_users' | 'pipelines' | 'custom_fields' | 'task_types', accountId: number, seen: number[], now: number, scope = '') {
    return sqlite
      .prepare(
        `UPDATE ${table} SET deleted_at = ? WHERE account_id = ? AND deleted_at IS NULL ${scope}
         AND id NOT IN (SELECT value FROM json_each(?))`,
      )
      .run(now, accountId, JSON.stringify(seen)).changes;
  }

  return {
    /** The mirror's row as stored (columns in snake_case), for merging a partial webhook into it. */
    leadRaw: (accountId: number, id: number) => s.leadById.get(accountId, id) as LeadStoredRow | undefined,
    /** A lead from a webhook, already merged with the stored row; unconditional (the caller compared versions). */
    applyLeadEvent: (row: LeadEventRow) => void s.leadEvent.run(row),
    markLeadDeleted: (accountId: number, id: number, now: number) => void s.leadDeleted.run(accountId, id, now),
    /** Before re-reading an ambiguous lead: let a fetched copy with the same `updated_at` replace the mirror's. */
    yieldLeadVersion: (accountId: number, id: number, version: number) => void s.leadYield.run(accountId, id, version),
    /** Our own read right after our own write: it wins a tie on Kommo's 1-second `updated_at`. */
    applyOwnLeadRead: (row: ReturnType<typeof leadRow>) => s.leadOwnRead.run(row).changes,
    applyContactEvent: (row: ContactEventRow) => void s.contactEvent.run(row),
    applyCompanyEvent: (row: CompanyEventRow) => void s.companyEvent.run(row),
    markContactDeleted: (accountId: number, id: number, now: number) => void s.contactDeleted.run(accountId, id, now),
    markCompanyDeleted: (accountId: number, id: number, now: number) => void s.companyDeleted.run(accountId, id, now),
    upsertLeads(accountId: number, rows: KommoLead[], now: number): number {
      let n = 0;
      for (const l of rows) n += s.lead.run(leadRow(accountId, l, now)).changes;
      return n;
    },
    upsertContacts(accountId: number, rows: KommoContact[], now: number): number {
      let n = 0;
      for (const c of rows) n += s.contact.run(contactRow(accountId, c, now)).changes;
      return n;
    },
    upsertCompanies(accountId: number, rows: KommoCompany[], now: number): number {
      let n = 0;
      for (const c of rows) n += s.company.run(companyRow(accountId, c, now)).changes;
      return n;
    },
    upsertUsers(accountId: number, rows: KommoUser[], now: number): number {
      for (const u of rows) s.user.run(userRow(accountId, u, now));
      return rows.length;
    },
    upsertPipelines(accountId: number, rows: KommoPipeline[], now: number): { pipelines: number; statuses: number } {
      let statuses = 0;
      for (const p of rows) {
        s.pipeline.run({ accountId, id: p.id, name: p.name, sort: p.sort, isMain: p.is_main ? 1 : 0, isArchive: p.is_archive ? 1 : 0, now });
        const seen: number[] = [];
        for (const st of p._embedded.statuses) {
          s.status.run({
            accountId,
            pipelineId: p.id,
            id: st.id,
            name: st.name,
            sort: st.sort,
            color: st.color ?? null,
            type: st.type ?? 0,
            isEditable: st.is_editable === false ? 0 : 1,
            now,
          });
          seen.push(st.id);
          statuses++;
        }
        sqlite
          .prepare(
            `UPDATE pipeline_statuses SET deleted_at = ? WHERE account_id = ? AND pipeline_id = ? AND deleted_at IS NULL AND id NOT IN (SELECT value FROM json_each(?))`,
          )
          .run(now, accountId, p.id, JSON.stringify(seen));
      }
      return { pipelines: rows.length, statuses };
    },
    upsertFields(accountId: number, entity: string, rows: KommoCustomField[], now: number): number {
      for (const f of rows) {
        s.field.run({
          accountId,
          id: f.id,
          entity,
          name: f.name,
          code: f.code ?? null,
          type: f.type,
          sort: f.sort ?? 0,
          enums: f.enums ? JSON.stringify(f.enums.map((e) => ({ id: e.id, value: e.value, sort: e.sort }))) : null,
          now,
        });
      }
      return rows.length;
    },
    upsertTaskTypes(accountId: number, rows: { id: number; name: string }[], now: number): number {
      for (const t of rows) s.taskType.run({ accountId, id: t.id, name: t.name, now });
      return rows.length;
    },
    markMissingUsers: (accountId: number, seen: number[], now: number) => markMissingDeleted('kommo_users', accountId, seen, now),
    markMissingPipelines(accountId: number, seen: number[], now: number) {
      const n = markMissingDeleted('pipelines', accountId, seen, now);
      sqlite
        .prepare(
          `UPDATE pipeline_statuses SET deleted_at = ? WHERE account_id = ? AND deleted_at IS NULL AND pipeline_id NOT IN (SELECT value FROM json_each(?))`,
        )
        .run(now, accountId, JSON.stringify(seen));
      return n;
    },
    markMissingFields: (accountId: number, entity: string, seen: number[], now: number) =>
      markMissingDeleted(
        'custom_fields',
        accountId,
        seen,
        now,
        `AND entity = '${entity === 'contacts' ? 'contacts' : entity === 'companies' ? 'companies' : 'leads'}'`,
      ),
    markMissingTaskTypes: (accountId: number, seen: number[], now: number) => markMissingDeleted('task_types', accountId, seen, now),
    counts(accountId: number): Record<string, number> {
      const q = (sql: string) => (sqlite.prepare(sql).get(accountId) as { n: number }).n;
      return {
        users: q('SELECT count(*) n FROM kommo_users WHERE account_id = ? AND deleted_at IS NULL'),
        pipelines: q('SELECT count(*) n FROM pipelines WHERE account_id = ? AND deleted_at IS NULL'),
        statuses: q('SELECT count(*) n FROM pipeline_statuses WHERE account_id = ? AND deleted_at IS NULL'),
        fields: q('SELECT count(*) n FROM custom_fields WHERE account_id = ? AND deleted_at IS NULL'),
        taskTypes: q('SELECT count(*) n FROM task_types WHERE account_id = ? AND deleted_at IS NULL'),
        contacts: q('SELECT count(*) n FROM contacts WHERE account_id = ? AND is_deleted = 0'),
        companies: q('SELECT count(*) n FROM companies WHERE account_id = ? AND is_deleted = 0'),
        leads: q('SELECT count(*) n FROM leads WHERE account_id = ? AND is_deleted = 0'),
      };
    },
  };
}

export type MirrorRepo = ReturnType<typeof createMirrorRepo>;

/** A `leads` row as SQLite returns it. */
export interface LeadStoredRow {
  name: string;
  price: number | null;
  pipeline_id: number | null;
  status_id: number | null;
  responsible_user_id: number | null;
  main_contact_id: number | null;
  contact_ids: string;
  company_id: number | null;
  tags: string;
  custom_fields: string;
  loss_reason_id: number | null;
  closed_at: number | null;
  kommo_created_at: number | null;
  kommo_updated_at: number;
  is_deleted: number;
}

export interface LeadEventRow {
  accountId: number;
  id: number;
  name: string;
  price: number | null;
  pipelineId: number | null;
  statusId: number | null;
  responsibleUserId: number | null;
  mainContactId: number | null;
  contactIds: string;
  companyId: number | null;
  tags: string;
  customFields: string;
  lossReasonId: number | null;
  closedAt: number | null;
  kommoCreatedAt: number | null;
  kommoUpdatedAt: number;
  isDeleted: number;
  syncedAt: number;
}
export interface ContactEventRow {
  accountId: number;
  id: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  responsibleUserId: number | null;
  emails: string;
  phones: string;
  customFields: string;
  companyId: number | null;
  kommoUpdatedAt: number;
  syncedAt: number;
}
export interface CompanyEventRow {
  accountId: number;
  id: number;
  name: string;
  responsibleUserId: number | null;
  customFields: string;
  kommoUpdatedAt: number;
  syncedAt: number;
}
