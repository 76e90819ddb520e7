import type { FieldValues, RightLevel, UserLeadRights } from '../../../db/schema/index.js';
import type { KommoCompany, KommoContact, KommoLead, KommoUser } from '../../kommo/client/schemas.js';

/** Kommo API shapes → mirror rows (column values for the prepared upserts). */
export function leadRow(accountId: number, l: KommoLead, now: number) {
  const contacts = l._embedded?.contacts ?? [];
  const main = contacts.find((c) => c.is_main) ?? contacts[0];
  return {
    accountId,
    id: l.id,
    name: l.name ?? '',
    price: l.price ?? null,
    pipelineId: l.pipeline_id,
    statusId: l.status_id,
    responsibleUserId: l.responsible_user_id,
    mainContactId: main?.id ?? null,
    contactIds: JSON.stringify(contacts.map((c) => c.id)),
    companyId: l._embedded?.companies?.[0]?.id ?? null,
    tags: JSON.stringify((l._embedded?.tags ?? []).map((t) => ({ id: t.id, name: t.name }))),
    customFields: JSON.stringify(fieldValues(l.custom_fields_values)),
    lossReasonId: l.loss_reason_id ?? null,
    closedAt: l.closed_at ?? null,
    kommoCreatedAt: l.created_at,
    kommoUpdatedAt: l.updated_at,
    isDeleted: l.is_deleted ? 1 : 0,
    syncedAt: now,
  };
}

export function contactRow(accountId: number, c: KommoContact, now: number) {
  const fields = fieldValues(c.custom_fields_values);
  return {
    accountId,
    id: c.id,
    name: c.name ?? [c.first_name, c.last_name].filter(Boolean).join(' '),
    firstName: c.first_name ?? null,
    lastName: c.last_name ?? null,
    responsibleUserId: c.responsible_user_id,
    emails: JSON.stringify(valuesByCode(fields, 'EMAIL')),
    phones: JSON.stringify(valuesByCode(fields, 'PHONE')),
    customFields: JSON.stringify(fields),
    companyId: c._embedded?.companies?.[0]?.id ?? null,
    kommoUpdatedAt: c.updated_at,
    isDeleted: 0,
    syncedAt: now,
  };
}

export function companyRow(accountId: number, c: KommoCompany, now: number) {
  return {
    accountId,
    id: c.id,
    name: c.name ?? '',
    responsibleUserId: c.responsible_user_id,
    customFields: JSON.stringify(fieldValues(c.custom_fields_values)),
    kommoUpdatedAt: c.updated_at,
    isDeleted: 0,
    syncedAt: now,
  };
}

export function fieldValues(v: KommoLead['custom_fields_values']): FieldValues {
  return (v ?? []).map((f) => ({
    field_id: f.field_id,
    field_code: f.field_code ?? null,
    field_name: f.field_name ?? null,
    values: f.values.map((x) => ({ value: x.value, enum_id: x.enum_id ?? null, enum_code: x.enum_code ?? null })),
  }));
}

function valuesByCode(fields: FieldValues, code: string): string[] {
  return fields
    .filter((f) => f.field_code === code)
    .flatMap((f) => f.values.map((v) => String(v.value ?? '').trim()))
    .filter(Boolean);
}

const LEVELS = new Set(['A', 'G', 'M', 'D']);
/** An unknown or missing level denies (fail closed); an admin's missing level allows. */
const level = (v: unknown, fallback: RightLevel): RightLevel => (typeof v === 'string' && LEVELS.has(v) ? (v as RightLevel) : fallback);

interface KommoUserRights {
  is_admin?: boolean;
  is_active?: boolean;
  group_id?: number | null;
  leads?: { view?: unknown; edit?: unknown };
  status_rights?: { entity_type?: string; pipeline_id?: number; status_id?: number; rights?: { view?: unknown; edit?: unknown } }[] | null;
}

/** A Kommo user (GET /api/v4/users) → the mirror's row, with what decides what they may see of a lead. */
export function userRow(accountId: number, u: KommoUser, now: number) {
  const r = ((u as { rights?: KommoUserRights }).rights ?? {}) as KommoUserRights;
  const admin = r.is_admin === true;
  const rights: UserLeadRights = {
    view: level(r.leads?.view, admin ? 'A' : 'D'),
    edit: level(r.leads?.edit, admin ? 'A' : 'D'),
    stages: (r.status_rights ?? [])
      .filter((s) => (s.entity_type ?? 'leads') === 'leads' && Number.isInteger(s.pipeline_id) && Number.isInteger(s.status_id))
      .map((s) => ({
        pipelineId: s.pipeline_id!,
        statusId: s.status_id!,
        ...(s.rights?.view !== undefined ? { view: level(s.rights.view, 'D') } : {}),
        ...(s.rights?.edit !== undefined ? { edit: level(s.rights.edit, 'D') } : {}),
      })),
  };
  return {
    accountId,
    id: u.id,
    name: u.name,
    email: u.email ?? null,
    isAdmin: admin ? 1 : 0,
    isActive: r.is_active === false ? 0 : 1,
    groupId: typeof r.group_id === 'number' ? r.group_id : null,
    rights: JSON.stringify(rights),
    now,
  };
}
