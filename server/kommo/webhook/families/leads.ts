/**
 * Leads family: `leads[add|update|delete|restore|status|responsible][i]` → `lead` events (and `leads[note]`,
 * handed to the notes family). Payload type, zod spec, fast reader, mapping and walker.
 */
import type { z } from 'zod';
import { key, versionOf } from '../event-key.js';
import { zCustomFields, zInt, zObj, zOptDec, zOptInt, zOptStr, zTags } from '../fields.js';
import type { FormObject, FormValue } from '../form.js';
import { customFields, int, objectAt, optDec, optInt, optStr, run, tags } from '../readers.js';
import { defined, itemsOf, plainRaw, pushUnknown, type Ctx, type EntityCommon, type UnknownEvent } from './common.js';
import { walkNotes, type NoteEvent } from './notes.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export interface LeadPayload extends EntityCommon {
  name?: string;
  statusId?: number;
  oldStatusId?: number;
  pipelineId?: number;
  oldPipelineId?: number;
  price?: number;
  lossReasonId?: number;
}

export type LeadAction = 'add' | 'update' | 'delete' | 'restore' | 'status' | 'responsible';

export type LeadEvent = { kind: 'lead'; action: LeadAction; lead: LeadPayload; eventKey: string };

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readLead` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const LeadSchema = zObj({
  id: zInt,
  name: zOptStr,
  status_id: zOptInt,
  old_status_id: zOptInt,
  pipeline_id: zOptInt,
  old_pipeline_id: zOptInt,
  price: zOptDec,
  responsible_user_id: zOptInt,
  old_responsible_user_id: zOptInt,
  loss_reason_id: zOptInt,
  last_modified: zOptInt,
  modified_user_id: zOptInt,
  created_user_id: zOptInt,
  date_create: zOptInt,
  created_at: zOptInt,
  updated_at: zOptInt,
  account_id: zOptInt,
  tags: zTags,
  custom_fields: zCustomFields,
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type LeadOut = z.output<typeof LeadSchema>;

function lead(v: FormValue | undefined): LeadOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    name: optStr(o, 'name'),
    status_id: optInt(o, 'status_id'),
    old_status_id: optInt(o, 'old_status_id'),
    pipeline_id: optInt(o, 'pipeline_id'),
    old_pipeline_id: optInt(o, 'old_pipeline_id'),
    price: optDec(o, 'price'),
    responsible_user_id: optInt(o, 'responsible_user_id'),
    old_responsible_user_id: optInt(o, 'old_responsible_user_id'),
    loss_reason_id: optInt(o, 'loss_reason_id'),
    last_modified: optInt(o, 'last_modified'),
    modified_user_id: optInt(o, 'modified_user_id'),
    created_user_id: optInt(o, 'created_user_id'),
    date_create: optInt(o, 'date_create'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
    account_id: optInt(o, 'account_id'),
    tags: tags(o),
    custom_fields: customFields(o),
  };
}

/** Validate a lead item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readLead = (v: FormValue | undefined, at: string): LeadOut => run(lead, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

function toLead(o: z.output<typeof LeadSchema>, item: FormObject): LeadPayload {
  return defined({
    id: o.id,
    name: o.name,
    statusId: o.status_id,
    oldStatusId: o.old_status_id,
    pipelineId: o.pipeline_id,
    oldPipelineId: o.old_pipeline_id,
    price: o.price,
    responsibleUserId: o.responsible_user_id,
    oldResponsibleUserId: o.old_responsible_user_id,
    lossReasonId: o.loss_reason_id,
    lastModified: o.last_modified,
    modifiedUserId: o.modified_user_id,
    createdUserId: o.created_user_id,
    dateCreate: o.date_create,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    accountId: o.account_id,
    tags: o.tags,
    customFields: o.custom_fields,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

const LEAD_ACTIONS = new Set<string>(['add', 'update', 'delete', 'restore', 'status', 'responsible']);

/**
 * `leads[{action}][i]` → `lead` events; `leads[note]` → lead notes; any other action → `unknown`.
 * Event key "{accountId}:lead:{action}:{lead id}:{version}[:{extra}]", version = last_modified ?? updated_at ??
 * date_create ?? created_at; action "status" adds ":{status_id}:{pipeline_id}", "responsible" adds
 * ":{responsible_user_id}".
 */
export function walkLeads(ctx: Ctx<LeadEvent | NoteEvent | UnknownEvent>, entity: string, actions: FormObject): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    const base = `${entity}[${action}]`;
    if (action === 'note') {
      walkNotes(ctx, 'lead_note', value, base);
    } else if (LEAD_ACTIONS.has(action)) {
      for (const { item, path } of itemsOf(value, base)) {
        const lead = toLead(readLead(item, path), item);
        const version = versionOf(lead.lastModified, lead.updatedAt, lead.dateCreate, lead.createdAt);
        const extra: Array<number | undefined> =
          action === 'status' ? [lead.statusId, lead.pipelineId] : action === 'responsible' ? [lead.responsibleUserId] : [];
        ctx.events.push({
          kind: 'lead',
          action: action as LeadAction,
          lead,
          eventKey: key(ctx.accountId, 'lead', action, lead.id, version, ...extra),
        });
      }
    } else {
      pushUnknown(ctx, entity, action, value);
    }
  }
}
