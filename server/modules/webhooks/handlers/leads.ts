import { ownKeys } from '../../kommo/own-writes.js';
import { defineHandler, leadKey, leadLabel, userName, v2Fields, type HandlerCtx } from './context.js';
import type { FieldValues } from '../../../../db/schema/index.js';
import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import type { LeadSnapshot } from '../../../lib/events.js';
import type { LeadEventRow } from '../../mirror/mirror.repo.js';

export const REFETCH_LEAD_QUEUE = 'webhook.refetch-lead';

/**
 * Lead events → the mirror. Kommo sends no order guarantee, so the event's `last_modified` decides:
 * older than the mirror → stale, ignored; same second but a different state → ambiguous, re-fetch the
 * lead from Kommo (a job); newer → apply. Then the activity entry and the bus events.
 */
export const leadsHandler = defineHandler({
  kinds: ['lead'] as const,
  serialKey: (accountId, e) => leadKey(accountId, e.lead.id),
  entityId: (e) => String(e.lead.id),
  handle(ctx: HandlerCtx, e: KommoEventOf<'lead'>): void {
    const { deps, accountId } = ctx;
    const l = e.lead;
    const now = deps.clock.now();
    const prev = deps.mirror.leadRaw(accountId, l.id);
    const version = l.lastModified ?? l.updatedAt ?? l.dateCreate ?? 0;
    const prevVersion: number = prev?.kommo_updated_at ?? -1;
    const own = deps.ownWrites;
    const echo =
      (e.action === 'status' && l.statusId !== undefined && own.isOwn(accountId, ownKeys.leadStatus(l.id, l.statusId))) ||
      (e.action === 'responsible' && l.responsibleUserId !== undefined && own.isOwn(accountId, ownKeys.leadResponsible(l.id, l.responsibleUserId))) ||
      (e.action === 'update' && own.isOwn(accountId, ownKeys.leadUpdate(l.id)));

    let applied = false;
    let next: LeadEventRow | null = null;
    if (e.action === 'delete') {
      deps.mirror.markLeadDeleted(accountId, l.id, now);
      applied = true;
    } else if (version > prevVersion) {
      next = {
        accountId,
        id: l.id,
        name: l.name ?? prev?.name ?? '',
        price: l.price ?? prev?.price ?? null,
        pipelineId: l.pipelineId ?? prev?.pipeline_id ?? null,
        statusId: l.statusId ?? prev?.status_id ?? null,
        responsibleUserId: l.responsibleUserId ?? prev?.responsible_user_id ?? null,
        mainContactId: prev?.main_contact_id ?? null,
        contactIds: prev?.contact_ids ?? '[]',
        companyId: prev?.company_id ?? null,
        tags: l.tags.length || !prev ? JSON.stringify(l.tags.map((t) => ({ id: t.id, name: t.name }))) : prev.tags,
        customFields: l.customFields.length || !prev ? JSON.stringify(v2Fields(l.customFields)) : prev.custom_fields,
        lossReasonId: l.lossReasonId ?? prev?.loss_reason_id ?? null,
        closedAt: prev?.closed_at ?? null,
        kommoCreatedAt: l.dateCreate ?? l.createdAt ?? prev?.kommo_created_at ?? null,
        kommoUpdatedAt: version,
        isDeleted: e.action === 'restore' ? 0 : (prev?.is_deleted ?? 0),
        syncedAt: now,
      };
      deps.mirror.applyLeadEvent(next);
      applied = true;
    } else if (version === prevVersion && prev && l.statusId !== undefined && l.statusId !== prev.status_id) {
      // Two changes within one second: only Kommo knows which came last.
      deps.queue.enqueue({
        queue: REFETCH_LEAD_QUEUE,
        accountId,
        payload: { leadId: l.id },
        idempotencyKey: `refetch:${accountId}:${l.id}:${version}`,
        serialKey: leadKey(accountId, l.id),
      });
    }

    const name = leadLabel(ctx, l.id, l.name);
    const by = echo ? ' (by the AI agent)' : '';
    const stage = e.action === 'status' ? deps.read.stageLabel(accountId, l.pipelineId, l.statusId) : null;
    const user = e.action === 'responsible' ? userName(ctx, l.responsibleUserId) : null;
    const title =
      e.action === 'add'
        ? `New lead: ${name}`
        : e.action === 'status'
          ? `${name} moved to ${stage}${by}`
          : e.action === 'responsible'
            ? `${name} reassigned to ${user}${by}`
            : e.action === 'delete'
              ? `Lead deleted: ${name}`
              : e.action === 'restore'
                ? `Lead restored: ${name}`
                : `Lead updated: ${name}${by}`;
    deps.activity.write({
      accountId,
      leadId: l.id,
      userId: l.modifiedUserId ?? null,
      type: `lead.${e.action}`,
      title,
      description: applied ? null : version < prevVersion ? 'Arrived after a newer change; the mirror kept the newer state.' : null,
      params: { name, ...(stage ? { stage } : {}), ...(user ? { user } : {}), ...(echo ? { variant: 'by_agent' } : {}) },
      metadata: {
        kommo: { leadId: l.id, statusId: l.statusId, oldStatusId: l.oldStatusId, pipelineId: l.pipelineId },
        eventId: ctx.eventId,
        echo,
        stale: !applied,
      },
    });

    if (!applied || echo) return;
    const eventKey = `wh:${ctx.eventId}`;
    deps.bus.emit('lead_changed', {
      accountId,
      leadId: l.id,
      action: e.action,
      statusId: l.statusId ?? null,
      pipelineId: l.pipelineId ?? null,
      prev: prev ? snapshotOf(prev.status_id, prev.pipeline_id, prev.responsible_user_id, prev.tags, prev.custom_fields) : null,
      ...(next ? { next: snapshotOf(next.statusId, next.pipelineId, next.responsibleUserId, next.tags, next.customFields) } : {}),
      eventKey,
    });
    const enteredStage =
      (e.action === 'status' || e.action === 'add') && l.statusId !== undefined && l.pipelineId !== undefined && l.statusId !== prev?.status_id;
    if (enteredStage)
      deps.bus.emit('lead_stage_entered', {
        accountId,
        leadId: l.id,
        pipelineId: l.pipelineId!,
        statusId: l.statusId!,
        prevPipelineId: prev?.pipeline_id ?? null,
        prevStatusId: prev?.status_id ?? null,
        source: 'webhook',
        eventKey,
      });
  },
});

/** A lead as rules compare it: stage, responsible, tag names and field values as text (from mirror columns). */
function snapshotOf(statusId: number | null, pipelineId: number | null, responsibleUserId: number | null, tagsJson: string, fieldsJson: string): LeadSnapshot {
  const tags = (JSON.parse(tagsJson) as { name: string }[]).map((t) => t.name);
  const fields: Record<number, string> = {};
  for (const f of JSON.parse(fieldsJson) as FieldValues) fields[f.field_id] = f.values.map((v) => String(v.value ?? '')).join(', ');
  return { statusId, pipelineId, responsibleUserId, tags, fields };
}
