import type { WebhooksDeps } from '../index.js';
import type { CustomField } from '../../../kommo/webhook/fields.js';
import type { FieldValues } from '../../../../db/schema/index.js';

/** What every webhook handler gets: the app's deps, the account, and the event row's id. */
export interface HandlerCtx {
  deps: WebhooksDeps;
  accountId: number;
  eventId: number;
}

export const preview = (text: string | undefined | null, n = 80) => {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

export function statusName(ctx: HandlerCtx, pipelineId: number | null | undefined, statusId: number | null | undefined): string {
  if (!statusId) return 'an unknown stage';
  const row = ctx.deps.stmt('SELECT s.name AS status, p.name AS pipeline FROM pipeline_statuses s LEFT JOIN pipelines p ON p.account_id = s.account_id AND p.id = s.pipeline_id WHERE s.account_id = ? AND s.id = ? AND (? IS NULL OR s.pipeline_id = ?)')
    .get(ctx.accountId, statusId, pipelineId ?? null, pipelineId ?? null) as { status: string; pipeline: string | null } | undefined;
  if (statusId === 142) return 'Won';
  if (statusId === 143) return 'Lost';
  return row ? (row.pipeline ? `${row.status} (${row.pipeline})` : row.status) : `stage #${statusId}`;
}

export function userName(ctx: HandlerCtx, userId: number | null | undefined): string {
  if (!userId) return 'nobody';
  const row = ctx.deps.stmt('SELECT name FROM kommo_users WHERE account_id = ? AND id = ?').get(ctx.accountId, userId) as { name: string } | undefined;
  return row?.name ?? `user #${userId}`;
}

export function leadLabel(ctx: HandlerCtx, leadId: number, name?: string | null): string {
  if (name) return name;
  const row = ctx.deps.stmt('SELECT name FROM leads WHERE account_id = ? AND id = ?').get(ctx.accountId, leadId) as { name: string } | undefined;
  return row?.name || `lead #${leadId}`;
}

/** v2 webhook custom fields → the mirror's v4-shaped field values. */
export function v2Fields(fields: CustomField[]): FieldValues {
  return fields.map((f) => ({
    field_id: f.id,
    field_code: f.code ?? null,
    field_name: f.name ?? null,
    values: f.values.map((v) => ({ value: v.value, enum_id: v.enum ?? null, enum_code: v.enumCode ?? null })),
  }));
}

export const valuesByCode = (fields: FieldValues, code: string) =>
  fields.filter((f) => f.field_code === code).flatMap((f) => f.values.map((v) => String(v.value ?? '').trim())).filter(Boolean);

/** The lead a contact is talking about: its most recently updated open lead in the mirror. */
export function openLeadOfContact(ctx: HandlerCtx, contactId: number | undefined | null): number | null {
  if (!contactId) return null;
  const row = ctx.deps.stmt(
      `SELECT id FROM leads WHERE account_id = ? AND is_deleted = 0 AND (status_id IS NULL OR status_id NOT IN (142, 143))
         AND (main_contact_id = ? OR EXISTS (SELECT 1 FROM json_each(leads.contact_ids) WHERE value = ?))
       ORDER BY kommo_updated_at DESC LIMIT 1`,
    )
    .get(ctx.accountId, contactId, contactId) as { id: number } | undefined;
  return row?.id ?? null;
}
