/** Entity writes shared by the HTTP routes and the KommoSim test helpers: defaults, updated_at, events. */
import type { SimCore } from './core.js';
import { nextId } from './state.js';
import type { Company, Contact, Lead, Pipeline, Status } from './types.js';

export function mainPipeline(core: SimCore): Pipeline | undefined {
  const all = [...core.state.pipelines.values()];
  return all.find((p) => p.is_main) ?? all[0];
}

/** First regular (non-incoming, non-closed) stage by sort, as Kommo picks for new leads. */
export function firstOpenStatus(p: Pipeline): Status | undefined {
  const sorted = [...p._embedded.statuses].sort((a, b) => a.sort - b.sort);
  return sorted.find((s) => s.type === 0 && s.id !== 142 && s.id !== 143) ?? sorted[0];
}

export function findStatus(core: SimCore, pipelineId: number, statusId: number): Status | undefined {
  return core.state.pipelines.get(pipelineId)?._embedded.statuses.find((s) => s.id === statusId);
}

export function newLead(core: SimCore, l: Partial<Lead> = {}): Lead {
  const now = core.now();
  const pipeline = (l.pipeline_id !== undefined ? core.state.pipelines.get(l.pipeline_id) : undefined) ?? mainPipeline(core);
  const pipelineId = l.pipeline_id ?? pipeline?.id ?? 0;
  const statusId = l.status_id ?? (pipeline ? firstOpenStatus(pipeline)?.id : undefined) ?? 0;
  const closed = statusId === 142 || statusId === 143;
  const id = l.id ?? nextId(core.state, 'lead');
  return {
    name: `Deal #${id}`,
    price: 0,
    responsible_user_id: core.currentUserId,
    group_id: 0,
    loss_reason_id: null,
    created_by: core.currentUserId,
    updated_by: core.currentUserId,
    created_at: now,
    updated_at: now,
    closed_at: closed ? now : null,
    closest_task_at: null,
    is_deleted: false,
    custom_fields_values: null,
    score: null,
    account_id: core.accountId,
    labor_cost: null,
    ...l,
    id,
    status_id: statusId,
    pipeline_id: pipelineId,
    _embedded: { tags: [], contacts: [], companies: [], ...l._embedded },
  };
}

export function insertLead(core: SimCore, lead: Lead): Lead {
  core.state.leads.set(lead.id, lead);
  core.addEvent('lead_added', 'lead', lead.id, [{ lead_status: { id: lead.status_id, pipeline_id: lead.pipeline_id } }]);
  return lead;
}

/**
 * Applies `next` onto the stored lead (same object, so references tests hold stay live), bumps updated_at
 * unless the patch set it, maintains closed_at and records Kommo-style events for what changed.
 */
export function commitLead(core: SimCore, lead: Lead, next: Partial<Lead>, opts: { explicitUpdatedAt?: boolean } = {}): Lead {
  const before = {
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    responsible_user_id: lead.responsible_user_id,
    price: lead.price,
    name: lead.name,
  };
  const now = core.now();
  Object.assign(lead, next);
  if (!opts.explicitUpdatedAt && next.updated_at === undefined) lead.updated_at = now;
  if (next.updated_by === undefined) lead.updated_by = core.currentUserId;
  const statusChanged = before.status_id !== lead.status_id || before.pipeline_id !== lead.pipeline_id;
  if (statusChanged) {
    const closed = lead.status_id === 142 || lead.status_id === 143;
    if (next.closed_at === undefined) lead.closed_at = closed ? now : null;
    core.addEvent(
      'lead_status_changed',
      'lead',
      lead.id,
      [{ lead_status: { id: lead.status_id, pipeline_id: lead.pipeline_id } }],
      [{ lead_status: { id: before.status_id, pipeline_id: before.pipeline_id } }],
    );
  }
  if (before.responsible_user_id !== lead.responsible_user_id) {
    core.addEvent(
      'entity_responsible_changed',
      'lead',
      lead.id,
      [{ responsible_user: { id: lead.responsible_user_id } }],
      [{ responsible_user: { id: before.responsible_user_id } }],
    );
  }
  if (before.price !== lead.price) {
    core.addEvent('sale_field_changed', 'lead', lead.id, [{ sale_field_value: { sale: lead.price } }], [{ sale_field_value: { sale: before.price } }]);
  }
  if (before.name !== lead.name) {
    core.addEvent('name_field_changed', 'lead', lead.id, [{ name_field_value: { name: lead.name } }], [{ name_field_value: { name: before.name } }]);
  }
  return lead;
}

export function newContact(core: SimCore, c: Partial<Contact> = {}): Contact {
  const now = core.now();
  const id = c.id ?? nextId(core.state, 'contact');
  const first = c.first_name ?? '';
  const last = c.last_name ?? '';
  return {
    name: c.name ?? ([first, last].filter(Boolean).join(' ') || `Contact #${id}`),
    first_name: first,
    last_name: last,
    responsible_user_id: core.currentUserId,
    group_id: 0,
    created_by: core.currentUserId,
    updated_by: core.currentUserId,
    created_at: now,
    updated_at: now,
    closest_task_at: null,
    is_deleted: false,
    is_unsorted: false,
    custom_fields_values: null,
    account_id: core.accountId,
    ...c,
    id,
    _embedded: { tags: [], companies: [], ...c._embedded },
  };
}

export function newCompany(core: SimCore, c: Partial<Company> = {}): Company {
  const now = core.now();
  const id = c.id ?? nextId(core.state, 'company');
  return {
    name: `Company #${id}`,
    responsible_user_id: core.currentUserId,
    group_id: 0,
    created_by: core.currentUserId,
    updated_by: core.currentUserId,
    created_at: now,
    updated_at: now,
    closest_task_at: null,
    is_deleted: false,
    custom_fields_values: null,
    account_id: core.accountId,
    ...c,
    id,
    _embedded: { tags: [], ...c._embedded },
  };
}

/** Contacts/companies: assign, bump updated_at (unless given), record a responsible change. */
export function commitSimple<T extends Contact | Company>(core: SimCore, kind: 'contact' | 'company', e: T, next: Partial<T>): T {
  const beforeResp = e.responsible_user_id;
  Object.assign(e, next);
  if (next.updated_at === undefined) e.updated_at = core.now();
  if (next.updated_by === undefined) e.updated_by = core.currentUserId;
  if (beforeResp !== e.responsible_user_id) {
    core.addEvent('entity_responsible_changed', kind, e.id, [{ responsible_user: { id: e.responsible_user_id } }], [{ responsible_user: { id: beforeResp } }]);
  }
  return e;
}
