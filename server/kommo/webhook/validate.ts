/**
 * Hand-written validators for the webhook item schemas of `events.ts` (`AccountSchema`, `LeadSchema`, …).
 *
 * The zod schemas stay the specification; these functions are the hot path (every delivery is parsed before
 * Kommo gets its answer). For any decoded form value they return what `check(Schema, value, base)` returns:
 * the same data for every schema key (nested passthrough objects — `author`, `params`, `result`, `_links`,
 * `attachment` — with their extra keys too), or the same first error `path: message`. What they skip is zod's
 * per-field machinery (contexts, issue objects, effect chains) and unknown top-level keys, which no caller reads.
 * `validate.test.ts` checks the equivalence against the zod schemas on random items.
 *
 * Inputs are decoded form values (`string` or a null-prototype `FormObject`, `undefined` when a key is absent).
 * The first problem aborts (zod reports every issue in schema order; only the first is used, so stopping there
 * gives the same answer).
 */
import type { z } from 'zod';
import type { AccountSchema, ContactSchema, LeadSchema, MessageSchema, NoteSchema, TalkSchema, TaskSchema } from './events.js';
import type { Checked, CustomField, CustomFieldValue, KommoTag } from './fields.js';
import { formToPlain, isIndexKey, type FormObject, type FormValue } from './form.js';

export type AccountOut = z.output<typeof AccountSchema>;
export type LeadOut = z.output<typeof LeadSchema>;
export type ContactOut = z.output<typeof ContactSchema>;
export type NoteOut = z.output<typeof NoteSchema>;
export type TaskOut = z.output<typeof TaskSchema>;
export type MessageOut = z.output<typeof MessageSchema>;
export type TalkOut = z.output<typeof TalkSchema>;

/** A validation failure; `message` is the whole `path: message` text. */
export class FieldError extends Error {}

// The bracket path of the value being checked: `base` plus the keys below it. Parsing is synchronous and
// these validators do not re-enter, so one stack serves every call; each entry point resets it.
let base = '';
const path: string[] = [];

function bad(key: string | null, message: string): never {
  let where = base;
  for (const p of path) where = where === '' ? p : `${where}[${p}]`;
  if (key !== null) where = where === '' ? key : `${where}[${key}]`;
  throw new FieldError(`${where || '(body)'}: ${message}`);
}

// ---------------------------------------------------------------------------------------------------------
// Scalars (mirroring zInt, zOptInt, zOptDec, zOptTime, zStr, zOptStr, zOptBool of fields.ts)
// ---------------------------------------------------------------------------------------------------------

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `s.trim()`, skipping the call when the ends cannot be whitespace (a digit, a sign, a letter…). */
function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a > 32 && a < 127 && b > 32 && b < 127 ? s : s.trim();
}

/**
 * A trimmed string matching `/^-?\d+$/` → its value; NaN when it does not match; Infinity when the value
 * is not a safe integer. (`Number(t)` semantics: "007" → 7, "-0" → -0.)
 */
function intValue(t: string): number {
  const n = t.length;
  let i = n > 0 && t.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === n) return NaN;
  const digits = n - i;
  if (digits <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = t.charCodeAt(i);
      if (!isDigit(c)) return NaN;
      v = v * 10 + (c - 48);
    }
    return n - digits === 1 ? -v : v;
  }
  for (; i < n; i++) if (!isDigit(t.charCodeAt(i))) return NaN;
  const v = Number(t);
  return Number.isSafeInteger(v) ? v : Infinity;
}

function toInt(s: string, key: string): number {
  const v = intValue(trimmed(s));
  if (v !== v) bad(key, 'expected a number');
  if (v === Infinity) bad(key, 'number out of range');
  return v;
}

/** zInt: a required integer. */
function int(o: FormObject, key: string): number {
  const v = o[key];
  if (typeof v !== 'string') bad(key, v === undefined ? 'is required' : 'expected a number');
  return toInt(v, key);
}

/** zOptInt: "" is absent. */
function optInt(o: FormObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a number');
  return toInt(v, key);
}

/** `/^-?\d+(\.\d+)?$/` */
function isDecimal(t: string): boolean {
  const n = t.length;
  let i = n > 0 && t.charCodeAt(0) === 45 ? 1 : 0;
  const intStart = i;
  while (i < n && isDigit(t.charCodeAt(i))) i++;
  if (i === intStart) return false;
  if (i === n) return true;
  if (t.charCodeAt(i) !== 46 /* . */) return false;
  const fracStart = ++i;
  while (i < n && isDigit(t.charCodeAt(i))) i++;
  return i === n && i > fracStart;
}

/** zOptDec: "" is absent. */
function optDec(o: FormObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a number');
  const t = trimmed(v);
  const n = Number(t);
  if (!isDecimal(t) || !Number.isFinite(n)) bad(key, 'expected a number');
  return n;
}

/** zOptTime: a unix number when all digits, else the trimmed string; "" is absent. */
function optTime(o: FormObject, key: string): number | string | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a timestamp');
  const t = trimmed(v);
  const n = intValue(t);
  return n === n && n !== Infinity ? n : t;
}

/** zStr: required, non-empty. */
function str(o: FormObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') bad(key, v === undefined ? 'is required' : 'expected a string');
  if (v.length === 0) bad(key, 'must not be empty');
  return v;
}

/** zOptStr: kept as sent, "" included. */
function optStr(o: FormObject, key: string): string | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'string') bad(key, 'expected a string');
  return v;
}

/** zOptBool: "1"/"true"/"y" and "0"/"false"/"n"; "" is absent. */
function optBool(o: FormObject, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a boolean');
  const t = v.trim().toLowerCase();
  if (t === '1' || t === 'true' || t === 'y') return true;
  if (t === '0' || t === 'false' || t === 'n') return false;
  return bad(key, 'expected a boolean');
}

// ---------------------------------------------------------------------------------------------------------
// Containers (zOptObj, zList)
// ---------------------------------------------------------------------------------------------------------

/**
 * zOptObj(shape): "" and absent are undefined, another string is an error. `read` validates the shape keys
 * (in schema order) and returns the output, to which the keys outside `shapeKeys` are then added as sent
 * (zod's passthrough, in the same order: schema keys first, then the others in input order).
 */
function optObj<T extends Record<string, unknown>>(
  o: FormObject,
  key: string,
  shapeKeys: ReadonlySet<string>,
  read: (v: FormObject) => T,
): T | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'string') bad(key, 'expected an object');
  path.push(key);
  const out = read(v);
  path.pop();
  const rec = out as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!shapeKeys.has(k)) rec[k] = v[k];
  return out;
}

/** Sets a schema key on a passthrough output only when the input has it (zod leaves absent keys out). */
function setIf(out: Record<string, unknown>, v: FormObject, key: string, value: unknown): void {
  if (v[key] !== undefined) out[key] = value;
}

/**
 * zList(item): absent / "" is an empty list; a non-empty string goes through `fromString` (or is an error
 * when there is none); an object must have index keys only; items come back in index order.
 */
function list<T>(o: FormObject, key: string, item: (v: FormValue, index: string) => T, fromString?: (s: string) => FormObject): T[] {
  let v = o[key];
  if (v === undefined || v === '') return [];
  if (typeof v === 'string') {
    if (fromString === undefined) bad(key, 'expected a list');
    v = fromString(v);
  }
  path.push(key);
  const keys = Object.keys(v);
  const out: T[] = [];
  let sorted = true;
  let prev = -1;
  for (const k of keys) {
    if (!isIndexKey(k)) bad(k, 'expected a list index');
    const n = Number(k);
    if (n < prev) sorted = false;
    prev = n;
    out.push(item(v[k] as FormValue, k));
  }
  path.pop();
  if (sorted) return out;
  // Not reachable for decoder output (index keys enumerate in ascending order); kept for exactness.
  const order = keys.map((k, i) => [Number(k), i] as const).sort((a, b) => a[0] - b[0]);
  return order.map(([, i]) => out[i] as T);
}

/** Make a list out of "a,b" (some integrations send tags that way): same as fields.ts. */
function csvToList(s: string): FormObject {
  const out = Object.create(null) as FormObject;
  let i = 0;
  for (const part of s.split(',')) {
    const x = part.trim();
    if (x.length === 0) continue;
    if (i >= 1000) break;
    out[String(i++)] = x;
  }
  return out;
}

function singleValue(s: string): FormObject {
  const out = Object.create(null) as FormObject;
  out['0'] = s;
  return out;
}

function tag(v: FormValue, index: string): KommoTag {
  if (typeof v === 'string') return { name: v };
  path.push(index);
  const id = optInt(v, 'id');
  const name = optStr(v, 'name');
  path.pop();
  return id === undefined ? { name: name ?? '' } : { id, name: name ?? '' };
}

function cfValue(v: FormValue, index: string): CustomFieldValue {
  if (typeof v === 'string') return { value: v };
  path.push(index);
  const raw = v.value;
  // A composite value (legal entity, …) arrives nested: keep it as JSON text so `value` stays a string.
  const value = raw === undefined ? '' : typeof raw === 'string' ? raw : JSON.stringify(formToPlain(raw));
  const e0 = optStr(v, 'enum');
  const subtype = optStr(v, 'subtype');
  path.pop();
  const out: CustomFieldValue = { value };
  if (e0 !== undefined) {
    const e = e0.trim();
    const n = intValue(e);
    if (n === n && n !== Infinity) out.enum = n;
    else if (e !== '') out.enumCode = e;
  }
  if (subtype !== undefined) out.subtype = subtype;
  return out;
}

function customField(v: FormValue, index: string): CustomField {
  if (typeof v === 'string') bad(index, 'expected an object');
  path.push(index);
  const id = int(v, 'id');
  const name = optStr(v, 'name');
  const code = optStr(v, 'code');
  const values = list(v, 'values', cfValue, singleValue);
  path.pop();
  const out = { id } as CustomField;
  if (name !== undefined) out.name = name;
  if (code !== undefined) out.code = code;
  out.values = values;
  return out;
}

const tags = (o: FormObject): KommoTag[] => list(o, 'tags', tag, csvToList);
const customFields = (o: FormObject): CustomField[] => list(o, 'custom_fields', customField);

// ---------------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------------

const LINKS_KEYS: ReadonlySet<string> = new Set(['self']);
const NO_KEYS: ReadonlySet<string> = new Set();
const RESULT_KEYS: ReadonlySet<string> = new Set(['id', 'text']);
const AUTHOR_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'name', 'avatar_url']);
const PARAMS_KEYS: ReadonlySet<string> = new Set(['uniq', 'duration', 'source', 'link', 'phone', 'call_status', 'call_result']);

function objectAt(v: FormValue | undefined): FormObject {
  if (typeof v !== 'object') bad(null, v === undefined ? 'is required' : 'expected an object');
  return v;
}

function account(v: FormValue | undefined): AccountOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    subdomain: str(o, 'subdomain'),
    _links: optObj(o, '_links', LINKS_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'self', optStr(x, 'self'));
      return out as { self?: string };
    }),
  };
}

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

function contact(v: FormValue | undefined): ContactOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    type: optStr(o, 'type'),
    name: optStr(o, 'name'),
    first_name: optStr(o, 'first_name'),
    last_name: optStr(o, 'last_name'),
    company_name: optStr(o, 'company_name'),
    linked_company_id: optInt(o, 'linked_company_id'),
    responsible_user_id: optInt(o, 'responsible_user_id'),
    old_responsible_user_id: optInt(o, 'old_responsible_user_id'),
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

function note(v: FormValue | undefined): NoteOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    note_type: optStr(o, 'note_type'),
    text: optStr(o, 'text'),
    element_type: optInt(o, 'element_type'),
    element_id: optInt(o, 'element_id'),
    created_by: optInt(o, 'created_by'),
    main_user_id: optInt(o, 'main_user_id'),
    modified_by: optInt(o, 'modified_by'),
    group_id: optInt(o, 'group_id'),
    account_id: optInt(o, 'account_id'),
    date_create: optTime(o, 'date_create'),
    last_modified: optTime(o, 'last_modified'),
    timestamp_x: optStr(o, 'timestamp_x'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
    metadata: o.metadata,
    params: optObj(o, 'params', PARAMS_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'uniq', optStr(x, 'uniq'));
      setIf(out, x, 'duration', optInt(x, 'duration'));
      setIf(out, x, 'source', optStr(x, 'source'));
      setIf(out, x, 'link', optStr(x, 'link'));
      setIf(out, x, 'phone', optStr(x, 'phone'));
      setIf(out, x, 'call_status', optInt(x, 'call_status'));
      setIf(out, x, 'call_result', optStr(x, 'call_result'));
      return out as NonNullable<NoteOut['params']>;
    }),
  };
}

function task(v: FormValue | undefined): TaskOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    element_id: optInt(o, 'element_id'),
    element_type: optInt(o, 'element_type'),
    task_type: optInt(o, 'task_type'),
    text: optStr(o, 'text'),
    status: optInt(o, 'status'),
    result: optObj(o, 'result', RESULT_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'id', optInt(x, 'id'));
      setIf(out, x, 'text', optStr(x, 'text'));
      return out as NonNullable<TaskOut['result']>;
    }),
    responsible_user_id: optInt(o, 'responsible_user_id'),
    old_responsible_user_id: optInt(o, 'old_responsible_user_id'),
    complete_till: optStr(o, 'complete_till'),
    complete_before: optInt(o, 'complete_before'),
    last_modified: optTime(o, 'last_modified'),
    created_user_id: optInt(o, 'created_user_id'),
    modified_user_id: optInt(o, 'modified_user_id'),
    date_create: optTime(o, 'date_create'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
    account_id: optInt(o, 'account_id'),
    group_id: optInt(o, 'group_id'),
  };
}

function message(v: FormValue | undefined): MessageOut {
  const o = objectAt(v);
  return {
    id: str(o, 'id'),
    chat_id: optStr(o, 'chat_id'),
    talk_id: optInt(o, 'talk_id'),
    contact_id: optInt(o, 'contact_id'),
    text: optStr(o, 'text'),
    created_at: optInt(o, 'created_at'),
    element_type: optInt(o, 'element_type'),
    element_id: optInt(o, 'element_id'),
    entity_type: optStr(o, 'entity_type'),
    entity_id: optInt(o, 'entity_id'),
    type: optStr(o, 'type'),
    origin: optStr(o, 'origin'),
    author: optObj(o, 'author', AUTHOR_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'id', optStr(x, 'id'));
      setIf(out, x, 'type', optStr(x, 'type'));
      setIf(out, x, 'name', optStr(x, 'name'));
      setIf(out, x, 'avatar_url', optStr(x, 'avatar_url'));
      return out as NonNullable<MessageOut['author']>;
    }),
    attachment: optObj(o, 'attachment', NO_KEYS, () => ({})),
  };
}

function talk(v: FormValue | undefined): TalkOut {
  const o = objectAt(v);
  const out: TalkOut = {
    talk_id: optInt(o, 'talk_id'),
    id: optInt(o, 'id'),
    chat_id: optStr(o, 'chat_id'),
    contact_id: optInt(o, 'contact_id'),
    entity_id: optInt(o, 'entity_id'),
    entity_type: optStr(o, 'entity_type'),
    is_in_work: optBool(o, 'is_in_work'),
    is_read: optBool(o, 'is_read'),
    origin: optStr(o, 'origin'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
  };
  if (out.talk_id === undefined && out.id === undefined) bad('talk_id', 'is required');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------------------

function run<T>(read: (v: FormValue | undefined) => T, value: FormValue | undefined, at: string): T {
  base = at;
  path.length = 0;
  return read(value);
}

/** Validate; throws `FieldError` (message `path: problem`) on the first problem. */
export const readAccount = (v: FormValue | undefined, at: string): AccountOut => run(account, v, at);
export const readLead = (v: FormValue | undefined, at: string): LeadOut => run(lead, v, at);
export const readContact = (v: FormValue | undefined, at: string): ContactOut => run(contact, v, at);
export const readNote = (v: FormValue | undefined, at: string): NoteOut => run(note, v, at);
export const readTask = (v: FormValue | undefined, at: string): TaskOut => run(task, v, at);
export const readMessage = (v: FormValue | undefined, at: string): MessageOut => run(message, v, at);
export const readTalk = (v: FormValue | undefined, at: string): TalkOut => run(talk, v, at);

/** The `check()`-style result of a reader (for callers that prefer a value to an exception, and for tests). */
export function checked<T>(read: (v: FormValue | undefined, at: string) => T, value: FormValue | undefined, at: string): Checked<T> {
  try {
    return { ok: true, data: read(value, at) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}
