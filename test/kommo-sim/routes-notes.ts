/** Notes (/api/v4/{entity}/notes, /api/v4/{entity}/{id}/notes) and calls (/api/v4/calls). */
import type { SimCore } from './core.js';
import { digits } from './fields.js';
import { ErrorBag, inRange, int, isObj, json, multi, multiNum, noContent, problem, range, type Reply, type Req } from './http-util.js';
import { applyOrder, listReply } from './list.js';
import type { Router } from './router.js';
import { noteOut } from './serialize.js';
import { nextId } from './state.js';
import type { Call, EntityKind, Note } from './types.js';

const KINDS: EntityKind[] = ['leads', 'contacts', 'companies'];

/** Writable note types → required params. `mail_message`/`amomail_message` are not writable in Kommo. */
const WRITABLE: Record<string, string[]> = {
  common: ['text'],
  call_in: ['uniq', 'duration', 'source', 'phone'],
  call_out: ['uniq', 'duration', 'source', 'phone'],
  service_message: ['service', 'text'],
  extended_service_message: ['service', 'text'],
  sms_in: ['text', 'phone'],
  sms_out: ['text', 'phone'],
  attachment: [],
  geolocation: [],
};

const NOTE_EVENT: Record<string, string> = {
  common: 'common_note_added',
  call_in: 'incoming_call',
  call_out: 'outgoing_call',
  service_message: 'service_note_added',
  extended_service_message: 'service_note_added',
  sms_in: 'incoming_sms',
  sms_out: 'outgoing_sms',
  attachment: 'attachment_note_added',
  geolocation: 'geo_note_added',
};

const SINGULAR: Record<EntityKind, string> = { leads: 'lead', contacts: 'contact', companies: 'company' };

function exists(core: SimCore, kind: EntityKind, id: number): boolean {
  return (kind === 'leads' ? core.state.leads : kind === 'contacts' ? core.state.contacts : core.state.companies).has(id);
}

export function addNote(core: SimCore, kind: EntityKind, entityId: number, noteType: string, params: Record<string, unknown>, responsible?: number): Note {
  const now = core.now();
  const n: Note = {
    id: nextId(core.state, 'note'),
    entity_type: kind,
    entity_id: entityId,
    created_by: core.currentUserId,
    updated_by: core.currentUserId,
    created_at: now,
    updated_at: now,
    responsible_user_id: responsible ?? core.currentUserId,
    group_id: 0,
    note_type: noteType,
    params,
    account_id: core.accountId,
  };
  core.state.notes.set(n.id, n);
  core.addEvent(NOTE_EVENT[noteType] ?? 'common_note_added', SINGULAR[kind], entityId, [{ note: { id: n.id } }]);
  return n;
}

export function registerNoteRoutes(r: Router, core: SimCore): void {
  for (const kind of KINDS) {
    r.on('GET', `/api/v4/${kind}/notes`, (req) => listNotes(core, kind, req, undefined));
    r.on('GET', `/api/v4/${kind}/#id/notes`, (req) => listNotes(core, kind, req, Number(req.params[0])));
    r.on('GET', `/api/v4/${kind}/notes/#nid`, (req) => getNote(core, kind, Number(req.params[0])));
    r.on('GET', `/api/v4/${kind}/#id/notes/#nid`, (req) => getNote(core, kind, Number(req.params[1])));
    r.on('POST', `/api/v4/${kind}/notes`, (req) => createNotes(core, kind, req, undefined));
    r.on('POST', `/api/v4/${kind}/#id/notes`, (req) => createNotes(core, kind, req, Number(req.params[0])));
  }
  r.on('POST', '/api/v4/calls', (req) => createCalls(core, req));
}

function getNote(core: SimCore, kind: EntityKind, id: number): Reply {
  const n = core.state.notes.get(id);
  return n && n.entity_type === kind ? json(200, noteOut(core, n)) : noContent();
}

function listNotes(core: SimCore, kind: EntityKind, req: Req, entityId: number | undefined): Reply {
  const q = req.query;
  const ids = new Set(multiNum(q, 'filter[id]'));
  const entityIds = new Set(multiNum(q, 'filter[entity_id]'));
  const types = new Set(multi(q, 'filter[note_type]'));
  const upd = range(q, 'filter[updated_at]');
  const items: Note[] = [];
  for (const n of core.state.notes.values()) {
    if (n.entity_type !== kind) continue;
    if (entityId !== undefined && n.entity_id !== entityId) continue;
    if (ids.size && !ids.has(n.id)) continue;
    if (entityIds.size && !entityIds.has(n.entity_id)) continue;
    if (types.size && !types.has(n.note_type)) continue;
    if (!inRange(n.updated_at, upd)) continue;
    items.push(n);
  }
  applyOrder(items, q);
  return listReply(core, req, 'notes', items, (n) => noteOut(core, n));
}

function createNotes(core: SimCore, kind: EntityKind, req: Req, pathEntityId: number | undefined): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'Body must be a JSON array of notes');
  if (body.length > 250) return problem(400, 'Bad Request', 'Too many entities: at most 250 per request');
  const bag = new ErrorBag();
  const ok: { entityId: number; type: string; params: Record<string, unknown>; rid: string; resp?: number }[] = [];
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    const before = bag.size;
    const entityId = pathEntityId ?? int(item.entity_id);
    if (entityId === undefined) bag.add(rid, 'NotBlank', 'entity_id', 'This value should not be blank.');
    else if (!exists(core, kind, entityId)) bag.add(rid, 'NotFound', 'entity_id', 'Entity not found');
    const type = typeof item.note_type === 'string' ? item.note_type : '';
    const required = WRITABLE[type];
    const params = isObj(item.params) ? item.params : {};
    if (!required) bag.add(rid, 'NotSupportedChoice', 'note_type');
    else
      for (const p of required) {
        if (params[p] === undefined || params[p] === null || params[p] === '') bag.add(rid, 'NotBlank', `params.${p}`, 'This value should not be blank.');
      }
    if (bag.size === before && entityId !== undefined) ok.push({ entityId, type, params, rid, resp: int(item.responsible_user_id) });
  });
  if (!bag.empty) return bag.reply();
  const out = ok.map(({ entityId, type, params, rid, resp }) => {
    const n = addNote(core, kind, entityId, type, params, resp);
    return { id: n.id, entity_id: n.entity_id, request_id: rid, _links: core.link(`/api/v4/${kind}/${entityId}/notes/${n.id}`) };
  });
  return json(200, { _links: core.link(`/api/v4/${kind}/notes`), _embedded: { notes: out } });
}

/** The contact (else company) whose PHONE field matches `phone` on the last 10 digits. */
function findByPhone(core: SimCore, phone: string): { kind: 'contacts' | 'companies'; id: number } | null {
  const want = digits(phone).slice(-10);
  if (want.length < 5) return null;
  for (const kind of ['contacts', 'companies'] as const) {
    for (const e of core.state[kind].values()) {
      for (const f of e.custom_fields_values ?? []) {
        if (f.field_code !== 'PHONE') continue;
        if (f.values.some((v) => digits(String(v.value)).slice(-10) === want)) return { kind, id: e.id };
      }
    }
  }
  return null;
}

function createCalls(core: SimCore, req: Req): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'Body must be a JSON array of calls');
  const bag = new ErrorBag();
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    if (item.direction !== 'inbound' && item.direction !== 'outbound') bag.add(rid, 'NotSupportedChoice', 'direction');
    for (const k of ['phone', 'source'] as const) {
      if (typeof item[k] !== 'string' || item[k] === '') bag.add(rid, 'NotBlank', k, 'This value should not be blank.');
    }
    if (int(item.duration) === undefined) bag.add(rid, 'InvalidType', 'duration', 'This value should be of type int.');
    const st = item.call_status === undefined ? undefined : int(item.call_status);
    if (item.call_status !== undefined && (st === undefined || st < 1 || st > 8)) bag.add(rid, 'NotSupportedChoice', 'call_status');
  });
  if (!bag.empty) return bag.reply();
  const calls: unknown[] = [];
  const errors: unknown[] = [];
  body.forEach((raw: Record<string, unknown>, i) => {
    const rid = raw.request_id !== undefined ? String(raw.request_id) : String(i);
    const target = findByPhone(core, String(raw.phone));
    const direction = raw.direction as 'inbound' | 'outbound';
    const params = {
      uniq: raw.uniq ?? null,
      duration: int(raw.duration) ?? 0,
      source: raw.source,
      link: raw.link ?? null,
      phone: raw.phone,
      call_status: raw.call_status ?? null,
      call_result: raw.call_result ?? null,
    };
    const note = target ? addNote(core, target.kind, target.id, direction === 'inbound' ? 'call_in' : 'call_out', params, int(raw.responsible_user_id)) : null;
    const call: Call = {
      id: nextId(core.state, 'call'),
      direction,
      uniq: (raw.uniq as string) ?? null,
      duration: int(raw.duration) ?? 0,
      source: String(raw.source),
      link: (raw.link as string) ?? null,
      phone: String(raw.phone),
      call_status: int(raw.call_status) ?? null,
      call_result: (raw.call_result as string) ?? null,
      responsible_user_id: int(raw.responsible_user_id) ?? core.currentUserId,
      created_at: int(raw.created_at) ?? core.now(),
      entity_id: target?.id ?? null,
      entity_type: target?.kind ?? null,
      note_id: note?.id ?? null,
      raw,
    };
    core.state.calls.push(call);
    if (!target) {
      errors.push({ request_id: rid, title: 'Entity not found', detail: `No contact or company with phone ${raw.phone}`, status: 404 });
      return;
    }
    const singular = target.kind === 'contacts' ? 'contact' : 'company';
    calls.push({
      id: note!.id,
      entity_id: target.id,
      entity_type: singular,
      account_id: core.accountId,
      request_id: rid,
      _embedded: { entity: { id: target.id, _links: core.link(`/api/v4/${target.kind}/${target.id}`) } },
    });
  });
  return json(200, { _total_items: calls.length, _embedded: { calls, errors } });
}
