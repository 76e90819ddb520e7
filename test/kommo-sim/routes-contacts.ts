/** /api/v4/contacts and /api/v4/companies: list (query=, filters, order, with=leads), get, create, patch. */
import type { SimCore } from './core.js';
import { applyTags, mergeFieldValues, parseFieldValues } from './fields.js';
import { ErrorBag, inRange, int, isObj, json, multiNum, noContent, problem, range, type Reply, type Req, withSet } from './http-util.js';
import { applyOrder, listReply } from './list.js';
import { commitSimple, newCompany, newContact } from './mutations.js';
import type { Router } from './router.js';
import { ifModifiedSince, matchesQuery } from './routes-leads.js';
import { companyOut, contactOut } from './serialize.js';
import type { Company, Contact } from './types.js';

type Kind = 'contacts' | 'companies';
type Entity = Contact | Company;

function store(core: SimCore, kind: Kind): Map<number, Entity> {
  return kind === 'contacts' ? core.state.contacts : core.state.companies;
}

/** contact/company id → ids of leads linked to it. */
function leadIndex(core: SimCore, kind: Kind): Map<number, number[]> {
  const idx = new Map<number, number[]>();
  for (const l of core.state.leads.values()) {
    for (const c of kind === 'contacts' ? l._embedded.contacts : l._embedded.companies) {
      const arr = idx.get(c.id);
      if (arr) arr.push(l.id);
      else idx.set(c.id, [l.id]);
    }
  }
  return idx;
}

function serializer(core: SimCore, kind: Kind, q: URLSearchParams): (e: Entity) => unknown {
  const w = withSet(q);
  const leads = w.has('leads') ? leadIndex(core, kind) : undefined;
  if (kind === 'contacts') return (e) => contactOut(core, e as Contact, leads ? (leads.get(e.id) ?? []) : undefined);
  let contactsOf: Map<number, number[]> | undefined;
  if (w.has('contacts')) {
    contactsOf = new Map();
    for (const c of core.state.contacts.values()) {
      for (const k of c._embedded.companies) contactsOf.set(k.id, [...(contactsOf.get(k.id) ?? []), c.id]);
    }
  }
  return (e) =>
    companyOut(core, e as Company, {
      ...(leads ? { leads: leads.get(e.id) ?? [] } : {}),
      ...(contactsOf ? { contacts: contactsOf.get(e.id) ?? [] } : {}),
    });
}

export function registerContactRoutes(r: Router, core: SimCore): void {
  for (const kind of ['contacts', 'companies'] as const) {
    const singular = kind === 'contacts' ? 'Contact' : 'Company';
    r.on('GET', `/api/v4/${kind}`, (req) => list(core, kind, req));
    r.on('GET', `/api/v4/${kind}/#id`, (req) => {
      const e = store(core, kind).get(Number(req.params[0]));
      return e ? json(200, serializer(core, kind, req.query)(e)) : noContent();
    });
    r.on('POST', `/api/v4/${kind}`, (req) => write(core, kind, req, 'create'));
    r.on('PATCH', `/api/v4/${kind}`, (req) => write(core, kind, req, 'batch'));
    r.on('PATCH', `/api/v4/${kind}/#id`, (req) => {
      const id = Number(req.params[0]);
      if (!store(core, kind).has(id)) return problem(404, 'Not Found', `${singular} ${id} not found`);
      if (!isObj(req.body)) return problem(400, 'Bad Request', 'Body must be a JSON object');
      return write(core, kind, { ...req, body: [{ ...req.body, id }] }, 'single');
    });
  }
}

function list(core: SimCore, kind: Kind, req: Req): Reply {
  const q = req.query;
  const ids = new Set(multiNum(q, 'filter[id]'));
  const resp = new Set(multiNum(q, 'filter[responsible_user_id]'));
  const upd = range(q, 'filter[updated_at]');
  const crt = range(q, 'filter[created_at]');
  const ims = ifModifiedSince(req);
  const name = q.get('filter[name]');
  const query = q.get('query');
  const items: Entity[] = [];
  for (const e of store(core, kind).values()) {
    if (ids.size && !ids.has(e.id)) continue;
    if (resp.size && !resp.has(e.responsible_user_id)) continue;
    if (!inRange(e.updated_at, upd) || !inRange(e.created_at, crt)) continue;
    if (ims !== undefined && e.updated_at < ims) continue;
    if (name && e.name !== name) continue;
    if (query && !matchesQuery(e.name, e.custom_fields_values, query)) continue;
    items.push(e);
  }
  applyOrder(items, q);
  return listReply(core, req, kind, items, serializer(core, kind, q));
}

function write(core: SimCore, kind: Kind, req: Req, mode: 'create' | 'batch' | 'single'): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', `Body must be a JSON array of ${kind}`);
  if (body.length > 250) return problem(400, 'Bad Request', 'Too many entities: at most 250 per request');
  const bag = new ErrorBag();
  const prepared: { e: Entity | null; next: Partial<Contact & Company>; rid: string }[] = [];
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    let e: Entity | null = null;
    if (mode !== 'create') {
      const id = int(item.id);
      e = (id !== undefined ? store(core, kind).get(id) : undefined) ?? null;
      if (!e) return bag.add(rid, 'NotFound', 'id', 'Entity not found');
    }
    const before = bag.size;
    const next: Partial<Contact & Company> = {};
    for (const k of kind === 'contacts' ? (['name', 'first_name', 'last_name'] as const) : (['name'] as const)) {
      if (k in item) {
        if (typeof item[k] !== 'string') bag.add(rid, 'InvalidType', k, 'This value should be of type string.');
        else next[k] = item[k] as string;
      }
    }
    if ('responsible_user_id' in item) {
      const u = int(item.responsible_user_id);
      if (u === undefined || !core.state.users.has(u)) bag.add(rid, 'NotSupportedChoice', 'responsible_user_id');
      else next.responsible_user_id = u;
    }
    for (const k of ['created_at', 'updated_at'] as const) {
      if (k in item) {
        const v = int(item[k]);
        if (v === undefined) bag.add(rid, 'InvalidType', k, 'This value should be of type int.');
        else next[k] = v;
      }
    }
    if ('custom_fields_values' in item) {
      next.custom_fields_values = mergeFieldValues(e?.custom_fields_values ?? null, parseFieldValues(core, kind, item.custom_fields_values, bag, rid));
    }
    const tags = applyTags(core, kind, e?._embedded.tags ?? [], item, bag, rid);
    const emb = isObj(item._embedded) ? item._embedded : {};
    let companies: { id: number }[] | undefined;
    if (kind === 'contacts' && Array.isArray(emb.companies)) {
      companies = emb.companies.filter(isObj).map((c) => ({ id: int(c.id) ?? 0 }));
      companies.forEach((c, j) => {
        if (!core.state.companies.has(c.id)) bag.add(rid, 'NotFound', `_embedded.companies.${j}.id`, 'Company not found');
      });
    }
    if (tags || companies) {
      const cur = (e?._embedded ?? { tags: [], companies: [] }) as Contact['_embedded'];
      next._embedded = { tags: tags ?? cur.tags, companies: companies ?? cur.companies ?? [] };
    }
    if (kind === 'contacts' && !('name' in item) && ('first_name' in item || 'last_name' in item)) {
      const c = e as Contact | null;
      next.name = [next.first_name ?? c?.first_name ?? '', next.last_name ?? c?.last_name ?? ''].filter(Boolean).join(' ');
    }
    if (bag.size === before) prepared.push({ e, next, rid });
  });
  if (!bag.empty) return bag.reply();
  const singular = kind === 'contacts' ? 'contact' : 'company';
  const out = prepared.map(({ e, next, rid }) => {
    if (e) {
      commitSimple(core, singular, e, next);
      return { id: e.id, updated_at: e.updated_at, ...(mode === 'batch' ? { request_id: rid } : {}), _links: core.link(`/api/v4/${kind}/${e.id}`) };
    }
    const created = kind === 'contacts' ? newContact(core, next as Partial<Contact>) : newCompany(core, next as Partial<Company>);
    store(core, kind).set(created.id, created);
    core.addEvent(`${singular}_added`, singular, created.id);
    return { id: created.id, request_id: rid, _links: core.link(`/api/v4/${kind}/${created.id}`) };
  });
  if (mode === 'single') return json(200, out[0]);
  return json(200, { _links: core.link(`/api/v4/${kind}`), _embedded: { [kind]: out } });
}
