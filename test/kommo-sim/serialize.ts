/** Stored entities → Kommo v4 JSON (adds `_links`, trims internal fields). */
import type { SimCore } from './core.js';
import type { Company, Contact, CustomField, Lead, Note, Pipeline, SimEvent, Status, Task, User, Webhook } from './types.js';

const cfvOut = <T extends { custom_fields_values: unknown[] | null }>(e: T) => (e.custom_fields_values?.length ? e.custom_fields_values : null);

export function leadOut(core: SimCore, l: Lead, withContacts: boolean): unknown {
  const emb: Record<string, unknown> = {
    tags: l._embedded.tags,
    companies: l._embedded.companies.map((c) => ({ id: c.id, _links: core.link(`/api/v4/companies/${c.id}`) })),
  };
  if (withContacts) {
    emb.contacts = l._embedded.contacts.map((c) => ({
      id: c.id,
      is_main: Boolean(c.is_main),
      _links: core.link(`/api/v4/contacts/${c.id}`),
    }));
  }
  return { ...l, custom_fields_values: cfvOut(l), _links: core.link(`/api/v4/leads/${l.id}`), _embedded: emb };
}

export function contactOut(core: SimCore, c: Contact, leadIds?: number[]): unknown {
  const emb: Record<string, unknown> = {
    tags: c._embedded.tags,
    companies: c._embedded.companies.map((x) => ({ id: x.id, _links: core.link(`/api/v4/companies/${x.id}`) })),
  };
  if (leadIds) emb.leads = leadIds.map((id) => ({ id, _links: core.link(`/api/v4/leads/${id}`) }));
  return { ...c, custom_fields_values: cfvOut(c), _links: core.link(`/api/v4/contacts/${c.id}`), _embedded: emb };
}

export function companyOut(core: SimCore, c: Company, extra?: { leads?: number[]; contacts?: number[] }): unknown {
  const emb: Record<string, unknown> = { tags: c._embedded.tags };
  if (extra?.leads) emb.leads = extra.leads.map((id) => ({ id, _links: core.link(`/api/v4/leads/${id}`) }));
  if (extra?.contacts) emb.contacts = extra.contacts.map((id) => ({ id, _links: core.link(`/api/v4/contacts/${id}`) }));
  return { ...c, custom_fields_values: cfvOut(c), _links: core.link(`/api/v4/companies/${c.id}`), _embedded: emb };
}

export const userOut = (core: SimCore, u: User): unknown => ({ ...u, _links: core.link(`/api/v4/users/${u.id}`) });

export const statusOut = (core: SimCore, s: Status): unknown => ({
  ...s,
  _links: core.link(`/api/v4/leads/pipelines/${s.pipeline_id}/statuses/${s.id}`),
});

export const pipelineOut = (core: SimCore, p: Pipeline): unknown => ({
  ...p,
  _links: core.link(`/api/v4/leads/pipelines/${p.id}`),
  _embedded: { statuses: [...p._embedded.statuses].sort((a, b) => a.sort - b.sort).map((s) => statusOut(core, s)) },
});

export const fieldOut = (core: SimCore, f: CustomField): unknown => ({
  ...f,
  _links: core.link(`/api/v4/${f.entity_type}/custom_fields/${f.id}`),
});

export const taskOut = (core: SimCore, t: Task): unknown => ({ ...t, _links: core.link(`/api/v4/tasks/${t.id}`) });

export function noteOut(core: SimCore, n: Note): unknown {
  const { entity_type, ...rest } = n;
  return { ...rest, _links: core.link(`/api/v4/${entity_type}/${n.entity_id}/notes/${n.id}`) };
}

const SINGULAR_TO_PLURAL: Record<string, string> = { lead: 'leads', contact: 'contacts', company: 'companies', task: 'tasks' };

export const eventOut = (core: SimCore, e: SimEvent): unknown => ({
  ...e,
  _links: core.link(`/api/v4/events/${e.id}`),
  _embedded: {
    entity: { id: e.entity_id, _links: core.link(`/api/v4/${SINGULAR_TO_PLURAL[e.entity_type] ?? e.entity_type}/${e.entity_id}`) },
  },
});

export const webhookOut = (w: Webhook): unknown => ({ ...w });
