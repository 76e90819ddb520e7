/** /api/v4/leads: list (paging, filters, order, with=contacts), get, batch create, batch/single patch. */
import type { SimCore } from './core.js';
import { applyTags, digits, fieldTexts, mergeFieldValues, parseFieldValues } from './fields.js';
import { ErrorBag, inRange, int, isObj, json, multiNum, noContent, problem, range, type Reply, type Req, withSet } from './http-util.js';
import { applyOrder, listReply } from './list.js';
import { commitLead, findStatus, firstOpenStatus, insertLead, mainPipeline, newLead } from './mutations.js';
import type { Router } from './router.js';
import { leadOut } from './serialize.js';
import type { EntityLink, Lead } from './types.js';

const MAX_BATCH = 250;

export function registerLeadRoutes(r: Router, core: SimCore): void {
  r.on('GET', '/api/v4/leads', (req) => listLeads(core, req));
  r.on('GET', '/api/v4/leads/#id', (req) => {
    const lead = core.state.leads.get(Number(req.params[0]));
    if (!lead) return noContent();
    return json(200, leadOut(core, lead, withSet(req.query).has('contacts')));
  });
  r.on('POST', '/api/v4/leads', (req) => createLeads(core, req));
  r.on('PATCH', '/api/v4/leads', (req) => patchLeads(core, req));
  r.on('PATCH', '/api/v4/leads/#id', (req) => {
    const id = Number(req.params[0]);
    const lead = core.state.leads.get(id);
    if (!lead) return problem(404, 'Not Found', `Lead ${id} not found`);
    if (!isObj(req.body)) return problem(400, 'Bad Request', 'Body must be a JSON object');
    const bag = new ErrorBag();
    const next = prepareLeadPatch(core, lead, req.body, bag, '0');
    if (!bag.empty || !next) return bag.reply();
    commitLead(core, lead, next);
    return json(200, { id: lead.id, updated_at: lead.updated_at, _links: core.link(`/api/v4/leads/${lead.id}`) });
  });
}

export function matchesQuery(name: string, values: Lead['custom_fields_values'], q: string): boolean {
  const needle = q.toLowerCase();
  if (name.toLowerCase().includes(needle)) return true;
  const texts = fieldTexts(values);
  if (texts.some((t) => t.toLowerCase().includes(needle))) return true;
  const d = digits(q);
  return d.length >= 4 && texts.some((t) => digits(t).includes(d));
}

export function ifModifiedSince(req: Req): number | undefined {
  const h = req.headers['if-modified-since'];
  if (typeof h !== 'string') return undefined;
  const ms = Date.parse(h);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

function listLeads(core: SimCore, req: Req): Reply {
  const q = req.query;
  const ids = new Set(multiNum(q, 'filter[id]'));
  const resp = new Set(multiNum(q, 'filter[responsible_user_id]'));
  const pipes = new Set(multiNum(q, 'filter[pipeline_id]'));
  const statuses: { pipeline_id?: number; status_id?: number }[] = [];
  for (const [k, v] of q) {
    const m = /^filter\[statuses\]\[(\d+)\]\[(pipeline_id|status_id)\]$/.exec(k);
    if (m) (statuses[Number(m[1])] ??= {})[m[2] as 'pipeline_id' | 'status_id'] = Number(v);
  }
  const st = statuses.filter(Boolean);
  const upd = range(q, 'filter[updated_at]');
  const crt = range(q, 'filter[created_at]');
  const cls = range(q, 'filter[closed_at]');
  const ims = ifModifiedSince(req);
  const query = q.get('query');
  const items: Lead[] = [];
  for (const l of core.state.leads.values()) {
    if (ids.size && !ids.has(l.id)) continue;
    if (resp.size && !resp.has(l.responsible_user_id)) continue;
    if (pipes.size && !pipes.has(l.pipeline_id)) continue;
    if (
      st.length &&
      !st.some((s) => (s.pipeline_id === undefined || s.pipeline_id === l.pipeline_id) && (s.status_id === undefined || s.status_id === l.status_id))
    )
      continue;
    if (!inRange(l.updated_at, upd) || !inRange(l.created_at, crt) || !inRange(l.closed_at, cls)) continue;
    if (ims !== undefined && l.updated_at < ims) continue;
    if (query && !matchesQuery(l.name, l.custom_fields_values, query)) continue;
    items.push(l);
  }
  applyOrder(items, q);
  const withContacts = withSet(q).has('contacts');
  return listReply(core, req, 'leads', items, (l) => leadOut(core, l, withContacts));
}

function links(input: unknown, withMain: boolean): EntityLink[] | undefined {
  if (!Array.isArray(input)) return undefined;
  return input.filter(isObj).map((c, i) => ({ id: int(c.id) ?? 0, ...(withMain ? { is_main: c.is_main === undefined ? i === 0 : Boolean(c.is_main) } : {}) }));
}

/** Validates `body` against `lead` (or a new lead when null). Returns the fields to assign, or undefined on error. */
export function prepareLeadPatch(core: SimCore, lead: Lead | null, body: Record<string, unknown>, bag: ErrorBag, rid: string): Partial<Lead> | undefined {
  const next: Partial<Lead> = {};
  const errorsBefore = bag.size;
  if ('name' in body) {
    if (typeof body.name !== 'string') bag.add(rid, 'InvalidType', 'name', 'This value should be of type string.');
    else next.name = body.name;
  }
  if ('price' in body) {
    const p = int(body.price);
    if (p === undefined || p < 0) bag.add(rid, 'InvalidType', 'price', 'This value should be of type int.');
    else next.price = p;
  }
  if ('responsible_user_id' in body) {
    const u = int(body.responsible_user_id);
    if (u === undefined || !core.state.users.has(u)) bag.add(rid, 'NotSupportedChoice', 'responsible_user_id');
    else next.responsible_user_id = u;
  }
  for (const k of ['created_at', 'updated_at', 'closed_at', 'loss_reason_id', 'created_by', 'updated_by'] as const) {
    if (k in body) {
      const v = body[k] === null ? null : int(body[k]);
      if (v === undefined) bag.add(rid, 'InvalidType', k, 'This value should be of type int.');
      else (next as Record<string, unknown>)[k] = v;
    }
  }
  // pipeline / status
  const hasPipe = 'pipeline_id' in body;
  const hasStatus = 'status_id' in body;
  if (hasPipe || hasStatus || !lead) {
    const pid = hasPipe ? int(body.pipeline_id) : lead ? lead.pipeline_id : mainPipeline(core)?.id;
    const pipeline = pid !== undefined ? core.state.pipelines.get(pid) : undefined;
    if (!pipeline) bag.add(rid, 'NotSupportedChoice', 'pipeline_id');
    else if (hasStatus) {
      const sid = int(body.status_id);
      if (sid === undefined || !findStatus(core, pipeline.id, sid)) bag.add(rid, 'NotSupportedChoice', 'status_id');
      else Object.assign(next, { pipeline_id: pipeline.id, status_id: sid });
    } else if (!lead || lead.pipeline_id !== pipeline.id) {
      const keep = lead && findStatus(core, pipeline.id, lead.status_id) ? lead.status_id : firstOpenStatus(pipeline)?.id;
      Object.assign(next, { pipeline_id: pipeline.id, status_id: keep });
    }
  }
  if ('custom_fields_values' in body) {
    const patch = parseFieldValues(core, 'leads', body.custom_fields_values, bag, rid);
    next.custom_fields_values = mergeFieldValues(lead?.custom_fields_values ?? null, patch);
  }
  const tags = applyTags(core, 'leads', lead?._embedded.tags ?? [], body, bag, rid);
  const emb = isObj(body._embedded) ? body._embedded : {};
  const contacts = links(emb.contacts, true);
  const companies = links(emb.companies, false);
  contacts?.forEach((c, i) => {
    if (!core.state.contacts.has(c.id)) bag.add(rid, 'NotFound', `_embedded.contacts.${i}.id`, 'Contact not found');
  });
  companies?.forEach((c, i) => {
    if (!core.state.companies.has(c.id)) bag.add(rid, 'NotFound', `_embedded.companies.${i}.id`, 'Company not found');
  });
  if (tags || contacts || companies) {
    const cur = lead?._embedded ?? { tags: [], contacts: [], companies: [] };
    // On PATCH Kommo links additional contacts rather than replacing the list.
    const mergedContacts = contacts ? (lead ? [...cur.contacts, ...contacts.filter((c) => !cur.contacts.some((x) => x.id === c.id))] : contacts) : cur.contacts;
    next._embedded = { tags: tags ?? cur.tags, contacts: mergedContacts, companies: companies ?? cur.companies };
  }
  if (bag.size !== errorsBefore) return undefined;
  return next;
}

function createLeads(core: SimCore, req: Req): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'Body must be a JSON array of leads');
  if (body.length > MAX_BATCH) return problem(400, 'Bad Request', `Too many entities: at most ${MAX_BATCH} per request`);
  const bag = new ErrorBag();
  const prepared: { next: Partial<Lead>; rid: string }[] = [];
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    const next = prepareLeadPatch(core, null, item, bag, rid);
    if (next) prepared.push({ next, rid });
  });
  if (!bag.empty) return bag.reply();
  const out = prepared.map(({ next, rid }) => {
    const lead = insertLead(core, newLead(core, next));
    return { id: lead.id, request_id: rid, _links: core.link(`/api/v4/leads/${lead.id}`) };
  });
  return json(200, { _links: core.link('/api/v4/leads'), _embedded: { leads: out } });
}

function patchLeads(core: SimCore, req: Req): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'Body must be a JSON array of leads');
  if (body.length > MAX_BATCH) return problem(400, 'Bad Request', `Too many entities: at most ${MAX_BATCH} per request`);
  const bag = new ErrorBag();
  const prepared: { lead: Lead; next: Partial<Lead> }[] = [];
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    const id = int(item.id);
    const lead = id !== undefined ? core.state.leads.get(id) : undefined;
    if (!lead) return bag.add(rid, id === undefined ? 'NotBlank' : 'NotFound', 'id', id === undefined ? 'This value should not be blank.' : 'Lead not found');
    const next = prepareLeadPatch(core, lead, item, bag, rid);
    if (next) prepared.push({ lead, next });
  });
  if (!bag.empty) return bag.reply();
  const out = prepared.map(({ lead, next }) => {
    commitLead(core, lead, next);
    return { id: lead.id, updated_at: lead.updated_at, _links: core.link(`/api/v4/leads/${lead.id}`) };
  });
  return json(200, { _links: core.link('/api/v4/leads'), _embedded: { leads: out } });
}
