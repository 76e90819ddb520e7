import type { LeadRow } from '../../../../db/schema/index.js';
import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { leadLabel, statusName, userName, v2Fields, type HandlerCtx } from './context.js';

export const REFETCH_LEAD_QUEUE = 'webhook.refetch-lead';

type LeadEvent = KommoEventOf<'lead'>;

const upsertSql = `INSERT INTO leads (account_id, id, name, price, pipeline_id, status_id, responsible_user_id, main_contact_id, contact_ids, company_id,
    tags, custom_fields, loss_reason_id, closed_at, kommo_created_at, kommo_updated_at, is_deleted, synced_at)
  VALUES (@accountId, @id, @name, @price, @pipelineId, @statusId, @responsibleUserId, @mainContactId, @contactIds, @companyId,
    @tags, @customFields, @lossReasonId, @closedAt, @kommoCreatedAt, @kommoUpdatedAt, @isDeleted, @syncedAt)
  ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, price = excluded.price, pipeline_id = excluded.pipeline_id,
    status_id = excluded.status_id, responsible_user_id = excluded.responsible_user_id, tags = excluded.tags,
    custom_fields = excluded.custom_fields, loss_reason_id = excluded.loss_reason_id, kommo_updated_at = excluded.kommo_updated_at,
    is_deleted = excluded.is_deleted, synced_at = excluded.synced_at`;

/**
 * Apply a lead event to the mirror. Kommo sends no order guarantee, so the event's `last_modified`
 * decides: older than the mirror → stale, ignored; same second but a different state → ambiguous,
 * re-fetch the lead from Kommo; newer → apply. Then the activity entry and the bus events.
 */
export function handleLeadEvent(ctx: HandlerCtx, e: LeadEvent): void {
  const { deps, accountId } = ctx;
  const l = e.lead;
  const now = deps.clock.now();
  const prev = deps.stmt('SELECT * FROM leads WHERE account_id = ? AND id = ?').get(accountId, l.id) as Record<string, any> | undefined;
  const version = l.lastModified ?? l.updatedAt ?? l.dateCreate ?? 0;
  const prevVersion: number = prev?.kommo_updated_at ?? -1;
  const echo =
    (e.action === 'status' && l.statusId !== undefined && deps.kommo.ownWrites.isOwn(accountId, ownKeys.leadStatus(l.id, l.statusId))) ||
    (e.action === 'responsible' && l.responsibleUserId !== undefined && deps.kommo.ownWrites.isOwn(accountId, ownKeys.leadResponsible(l.id, l.responsibleUserId))) ||
    (e.action === 'update' && deps.kommo.ownWrites.isOwn(accountId, ownKeys.leadUpdate(l.id)));

  let applied = false;
  if (e.action === 'delete') {
    deps.stmt(`INSERT INTO leads (account_id, id, name, is_deleted, synced_at) VALUES (?, ?, '', 1, ?) ON CONFLICT (account_id, id) DO UPDATE SET is_deleted = 1, synced_at = excluded.synced_at`)
      .run(accountId, l.id, now);
    applied = true;
  } else if (version > prevVersion) {
    const contactIds: number[] = prev ? JSON.parse(prev.contact_ids) : [];
    deps.stmt(upsertSql).run({
      accountId,
      id: l.id,
      name: l.name ?? prev?.name ?? '',
      price: l.price ?? prev?.price ?? null,
      pipelineId: l.pipelineId ?? prev?.pipeline_id ?? null,
      statusId: l.statusId ?? prev?.status_id ?? null,
      responsibleUserId: l.responsibleUserId ?? prev?.responsible_user_id ?? null,
      mainContactId: prev?.main_contact_id ?? null,
      contactIds: JSON.stringify(contactIds),
      companyId: prev?.company_id ?? null,
      tags: l.tags.length || !prev ? JSON.stringify(l.tags.map((t) => ({ id: t.id, name: t.name }))) : prev.tags,
      customFields: l.customFields.length || !prev ? JSON.stringify(v2Fields(l.customFields)) : prev.custom_fields,
      lossReasonId: l.lossReasonId ?? prev?.loss_reason_id ?? null,
      closedAt: prev?.closed_at ?? null,
      kommoCreatedAt: l.dateCreate ?? l.createdAt ?? prev?.kommo_created_at ?? null,
      kommoUpdatedAt: version,
      isDeleted: e.action === 'restore' ? 0 : (prev?.is_deleted ?? 0),
      syncedAt: now,
    });
    applied = true;
  } else if (version === prevVersion && prev && (l.statusId !== undefined && l.statusId !== prev.status_id)) {
    // Two changes within one second: only Kommo knows which came last.
    deps.queue.enqueue({ queue: REFETCH_LEAD_QUEUE, accountId, payload: { leadId: l.id }, idempotencyKey: `refetch:${accountId}:${l.id}:${version}`, serialKey: `lead:${accountId}:${l.id}` });
  }

  const name = leadLabel(ctx, l.id, l.name);
  const by = echo ? ' (by the AI agent)' : '';
  const title =
    e.action === 'add' ? `New lead: ${name}`
    : e.action === 'status' ? `${name} moved to ${statusName(ctx, l.pipelineId, l.statusId)}${by}`
    : e.action === 'responsible' ? `${name} reassigned to ${userName(ctx, l.responsibleUserId)}${by}`
    : e.action === 'delete' ? `Lead deleted: ${name}`
    : e.action === 'restore' ? `Lead restored: ${name}`
    : `Lead updated: ${name}${by}`;
  deps.activity.write({
    accountId,
    leadId: l.id,
    userId: l.modifiedUserId ?? null,
    type: `lead.${e.action}`,
    title,
    description: applied ? null : version < prevVersion ? 'Arrived after a newer change; the mirror kept the newer state.' : null,
    metadata: { kommo: { leadId: l.id, statusId: l.statusId, oldStatusId: l.oldStatusId, pipelineId: l.pipelineId }, eventId: ctx.eventId, echo, stale: !applied },
  });

  if (!applied || echo) return;
  deps.bus.emit('lead_changed', { accountId, leadId: l.id, action: e.action, statusId: l.statusId ?? null, pipelineId: l.pipelineId ?? null });
  const enteredStage = (e.action === 'status' || e.action === 'add') && l.statusId !== undefined && l.pipelineId !== undefined && l.statusId !== prev?.status_id;
  if (enteredStage) deps.bus.emit('lead_stage_entered', { accountId, leadId: l.id, pipelineId: l.pipelineId!, statusId: l.statusId!, source: 'webhook' });
}

/** The ambiguous case: ask Kommo for the lead and take its state as the truth. */
export async function refetchLead(ctx: HandlerCtx, leadId: number): Promise<void> {
  const { deps, accountId } = ctx;
  const lead = await deps.kommo.api(accountId).getLead(leadId, ['contacts']);
  deps.tx(() => {
    deps.stmt('UPDATE leads SET kommo_updated_at = kommo_updated_at - 1 WHERE account_id = ? AND id = ? AND kommo_updated_at = ?').run(accountId, leadId, lead.updated_at);
    deps.mirror.upsertLeads(accountId, [lead], deps.clock.now());
  });
}

export type { LeadRow };
