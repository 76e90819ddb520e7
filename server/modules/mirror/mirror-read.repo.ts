import type { Sqlite } from '../../../db/client.js';
import type { FieldValues, UserLeadRights } from '../../../db/schema/index.js';

export interface UserAccess {
  isAdmin: boolean;
  isActive: boolean;
  groupId: number | null;
  rights: UserLeadRights | null;
  syncedAt: number;
}
export interface CrmLead {
  id: number;
  name: string;
  price: number | null;
  pipelineId: number | null;
  statusId: number | null;
  responsibleUserId: number | null;
  mainContactId: number | null;
  tags: string[];
  customFields: FieldValues;
}
export interface CrmContact {
  id: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  phones: string[];
  customFields: FieldValues;
}
export interface CrmStage {
  pipelineId: number;
  pipelineName: string;
  statusId: number;
  name: string;
}
export interface CrmField {
  id: number;
  name: string;
  code: string | null;
  type: string;
  enums: { id: number; value: string }[] | null;
}
export interface CrmCatalog {
  stages: CrmStage[];
  leadFields: CrmField[];
  users: { id: number; name: string }[];
  taskTypes: { id: number; name: string }[];
}

/**
 * The one read model of the synced Kommo mirror (the mirror repo is its one writer): what a lead looks
 * like, and the account's real stages, fields, users and task types that every tool call is checked
 * against. Every query is scoped by account_id.
 */
export function createMirrorReadRepo(sqlite: Sqlite) {
  const s = {
    userAccess: sqlite.prepare(
      `SELECT is_admin AS isAdmin, is_active AS isActive, group_id AS groupId, rights, synced_at AS syncedAt, deleted_at AS deletedAt
       FROM kommo_users WHERE account_id = ? AND id = ?`,
    ),
    leadOwner: sqlite.prepare(
      `SELECT l.responsible_user_id AS responsibleUserId, u.group_id AS responsibleGroupId, l.pipeline_id AS pipelineId, l.status_id AS statusId
       FROM leads l LEFT JOIN kommo_users u ON u.account_id = l.account_id AND u.id = l.responsible_user_id
       WHERE l.account_id = ? AND l.id = ? AND l.is_deleted = 0`,
    ),
    statusLabel: sqlite.prepare(
      `SELECT s.name AS status, p.name AS pipeline FROM pipeline_statuses s LEFT JOIN pipelines p ON p.account_id = s.account_id AND p.id = s.pipeline_id
       WHERE s.account_id = ? AND s.id = ? AND (? IS NULL OR s.pipeline_id = ?)`,
    ),
    leadName: sqlite.prepare('SELECT name FROM leads WHERE account_id = ? AND id = ?').pluck(),
    openLeadOfContact: sqlite
      .prepare(
        `SELECT id FROM leads WHERE account_id = @accountId AND is_deleted = 0 AND (status_id IS NULL OR status_id NOT IN (142, 143))
         AND (main_contact_id = @contactId OR EXISTS (SELECT 1 FROM json_each(leads.contact_ids) WHERE value = @contactId))
       ORDER BY kommo_updated_at DESC, id DESC LIMIT 1`,
      )
      .pluck(),
    openLeadIds: sqlite
      .prepare(
        `SELECT id FROM leads WHERE account_id = @accountId AND is_deleted = 0 AND (status_id IS NULL OR status_id NOT IN (142, 143))
         AND (@pipelineId IS NULL OR pipeline_id = @pipelineId) AND (@statusId IS NULL OR status_id = @statusId)
       ORDER BY id LIMIT @limit`,
      )
      .pluck(),
    contactsByEmail: sqlite
      .prepare(
        `SELECT DISTINCT c.id FROM contacts c, json_each(c.emails) e
       WHERE c.account_id = ? AND c.is_deleted = 0 AND lower(e.value) = ? ORDER BY c.kommo_updated_at DESC`,
      )
      .pluck(),
    pipelines: sqlite.prepare('SELECT id, name, sort FROM pipelines WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id'),
    statuses: sqlite.prepare(
      'SELECT pipeline_id AS pipelineId, id, name, color, sort, type FROM pipeline_statuses WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id',
    ),
    allFields: sqlite.prepare(
      'SELECT entity, id, name, code, type, enums FROM custom_fields WHERE account_id = ? AND deleted_at IS NULL ORDER BY entity, sort, id',
    ),
    lead: sqlite.prepare(
      `SELECT id, name, price, pipeline_id AS pipelineId, status_id AS statusId, responsible_user_id AS responsibleUserId,
              main_contact_id AS mainContactId, tags, custom_fields AS customFields
       FROM leads WHERE account_id = ? AND id = ? AND is_deleted = 0`,
    ),
    contact: sqlite.prepare(
      `SELECT id, name, first_name AS firstName, last_name AS lastName, emails, phones, custom_fields AS customFields
       FROM contacts WHERE account_id = ? AND id = ? AND is_deleted = 0`,
    ),
    user: sqlite.prepare(`SELECT id, name FROM kommo_users WHERE account_id = ? AND id = ?`),
    account: sqlite.prepare(`SELECT name, subdomain FROM accounts WHERE id = ?`),
    stage: sqlite.prepare(
      `SELECT s.pipeline_id AS pipelineId, p.name AS pipelineName, s.id AS statusId, s.name AS name
       FROM pipeline_statuses s JOIN pipelines p ON p.account_id = s.account_id AND p.id = s.pipeline_id
       WHERE s.account_id = ? AND s.pipeline_id = ? AND s.id = ? AND s.deleted_at IS NULL AND p.deleted_at IS NULL`,
    ),
    stages: sqlite.prepare(
      `SELECT s.pipeline_id AS pipelineId, p.name AS pipelineName, s.id AS statusId, s.name AS name
       FROM pipeline_statuses s JOIN pipelines p ON p.account_id = s.account_id AND p.id = s.pipeline_id
       WHERE s.account_id = ? AND s.deleted_at IS NULL AND p.deleted_at IS NULL ORDER BY p.sort, p.id, s.sort, s.id`,
    ),
    fields: sqlite.prepare(
      `SELECT id, name, code, type, enums FROM custom_fields WHERE account_id = ? AND entity = ? AND deleted_at IS NULL ORDER BY sort, id`,
    ),
    users: sqlite.prepare(`SELECT id, name FROM kommo_users WHERE account_id = ? AND deleted_at IS NULL AND is_active = 1 ORDER BY id`),
    taskTypes: sqlite.prepare(`SELECT id, name FROM task_types WHERE account_id = ? AND deleted_at IS NULL ORDER BY id`),
  };

  function leadFields(accountId: number): CrmField[] {
    return (s.fields.all(accountId, 'leads') as (Omit<CrmField, 'enums'> & { enums: string | null })[]).map((f) => ({
      ...f,
      enums: f.enums ? (JSON.parse(f.enums) as { id: number; value: string }[]).map((e) => ({ id: e.id, value: e.value })) : null,
    }));
  }

  return {
    /** What decides what a Kommo user may do: admin, active, group and lead rights, and when it was synced. */
    userAccess(accountId: number, userId: number): UserAccess | undefined {
      const r = s.userAccess.get(accountId, userId) as
        | (Omit<UserAccess, 'isAdmin' | 'isActive' | 'rights'> & { isAdmin: number; isActive: number; rights: string | null; deletedAt: number | null })
        | undefined;
      if (!r) return undefined;
      const { deletedAt, ...rest } = r;
      return {
        ...rest,
        isAdmin: r.isAdmin === 1,
        isActive: r.isActive === 1 && deletedAt === null,
        rights: r.rights ? (JSON.parse(r.rights) as UserLeadRights) : null,
      };
    },
    /** Who is responsible for a live lead, their group, and its stage: what "M", "G" and stage rights are judged by. */
    leadOwner: (accountId: number, leadId: number) =>
      s.leadOwner.get(accountId, leadId) as
        | { responsibleUserId: number | null; responsibleGroupId: number | null; pipelineId: number | null; statusId: number | null }
        | undefined,
    /** "Stage (Pipeline)" as the account names it; Won/Lost for Kommo's closing statuses 142/143. */
    stageLabel(accountId: number, pipelineId: number | null | undefined, statusId: number | null | undefined): string {
      if (!statusId) return 'an unknown stage';
      if (statusId === 142) return 'Won';
      if (statusId === 143) return 'Lost';
      const row = s.statusLabel.get(accountId, statusId, pipelineId ?? null, pipelineId ?? null) as { status: string; pipeline: string | null } | undefined;
      return row ? (row.pipeline ? `${row.status} (${row.pipeline})` : row.status) : `stage #${statusId}`;
    },
    leadName: (accountId: number, leadId: number): string | null => (s.leadName.get(accountId, leadId) as string | undefined) || null,
    /** The lead a contact is talking about: its most recently updated open lead (not won or lost). */
    openLeadOfContact: (accountId: number, contactId: number): number | null =>
      (s.openLeadOfContact.get({ accountId, contactId }) as number | undefined) ?? null,
    /** Open leads (not won or lost), optionally of one pipeline or stage, at most `limit`, oldest first. */
    openLeadIds: (accountId: number, pipelineId: number | null, statusId: number | null, limit: number): number[] =>
      s.openLeadIds.all({ accountId, pipelineId, statusId, limit }) as number[],
    /** Live contacts with this email address (lower-cased), most recently updated first. */
    contactsByEmail: (accountId: number, email: string): number[] => s.contactsByEmail.all(accountId, email.toLowerCase()) as number[],
    /** Live pipelines with their stages, for the widget's pickers. */
    pipelines(accountId: number) {
      const pipes = s.pipelines.all(accountId) as { id: number; name: string; sort: number }[];
      const statuses = s.statuses.all(accountId) as { pipelineId: number; id: number; name: string; color: string | null; sort: number; type: number }[];
      return pipes.map((p) => ({ ...p, statuses: statuses.filter((st) => st.pipelineId === p.id).map(({ pipelineId: _p, ...st }) => st) }));
    },
    /** Every live custom field of every entity, for the widget's pickers. */
    fields(accountId: number) {
      return (s.allFields.all(accountId) as { entity: string; id: number; name: string; code: string | null; type: string; enums: string | null }[]).map(
        (r) => ({
          ...r,
          enums: r.enums ? (JSON.parse(r.enums) as unknown[]) : null,
        }),
      );
    },
    lead(accountId: number, leadId: number): CrmLead | undefined {
      const r = s.lead.get(accountId, leadId) as (Omit<CrmLead, 'tags' | 'customFields'> & { tags: string; customFields: string }) | undefined;
      if (!r) return undefined;
      const tags = JSON.parse(r.tags) as { name: string }[];
      return { ...r, tags: tags.map((t) => t.name), customFields: JSON.parse(r.customFields) as FieldValues };
    },
    contact(accountId: number, contactId: number): CrmContact | undefined {
      const r = s.contact.get(accountId, contactId) as
        | (Omit<CrmContact, 'emails' | 'phones' | 'customFields'> & { emails: string; phones: string; customFields: string })
        | undefined;
      if (!r) return undefined;
      return { ...r, emails: JSON.parse(r.emails), phones: JSON.parse(r.phones), customFields: JSON.parse(r.customFields) } as CrmContact;
    },
    userName(accountId: number, userId: number | null): string | null {
      if (userId === null) return null;
      return (s.user.get(accountId, userId) as { name: string } | undefined)?.name ?? null;
    },
    accountName(accountId: number): string {
      const r = s.account.get(accountId) as { name: string; subdomain: string } | undefined;
      return r?.name || r?.subdomain || '';
    },
    stage(accountId: number, pipelineId: number, statusId: number): CrmStage | undefined {
      return s.stage.get(accountId, pipelineId, statusId) as CrmStage | undefined;
    },
    leadFields,
    /** Active users and task types, for the rule and sequence builders' pickers. */
    users: (accountId: number) => s.users.all(accountId) as { id: number; name: string }[],
    taskTypes: (accountId: number) => s.taskTypes.all(accountId) as { id: number; name: string }[],
    catalog(accountId: number): CrmCatalog {
      return {
        stages: s.stages.all(accountId) as CrmStage[],
        leadFields: leadFields(accountId),
        users: s.users.all(accountId) as { id: number; name: string }[],
        taskTypes: s.taskTypes.all(accountId) as { id: number; name: string }[],
      };
    },
  };
}

export type MirrorReadRepo = ReturnType<typeof createMirrorReadRepo>;

/** A custom field's values as display text ("a, b"). */
export function fieldText(values: FieldValues[number]['values'] | undefined): string {
  return (values ?? [])
    .map((v) => (v.value === null || v.value === undefined ? '' : String(v.value)))
    .filter(Boolean)
    .join(', ');
}
