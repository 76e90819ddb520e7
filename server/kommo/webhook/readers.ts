/**
 * The shared primitives of the hand-written item readers (each family's `read…` in families/*.ts): one
 * function per zod building block of fields.ts — zInt → `int`, zOptInt → `optInt`, …, zOptObj → `optObj`,
 * zTags → `tags`, zCustomFields → `customFields` — plus the path-tracking `bad()` that names the field.
 *
 * The zod schemas stay the specification; the readers are the hot path (every delivery is parsed before
 * Kommo gets its answer), written by hand because zod's per-field effects dominated the cost of a delivery.
 * For any decoded form value a reader returns what `check(Schema, value, base)` returns:
 * the same data for every schema key (nested passthrough objects — `author`, `params`, `result`, `_links`,
 * `attachment` — with their extra keys too), or the same first error `path: message`. What they skip is zod's
 * per-field machinery (contexts, issue objects, effect chains) and unknown top-level keys, which no caller reads.
 * `validate.test.ts` checks the equivalence, family by family, against the zod schemas on random items.
 *
 * Inputs are decoded form values (`string` or a null-prototype `FormObject`, `undefined` when a key is absent).
 * The first problem aborts (zod reports every issue in schema order; only the first is used, so stopping there
 * gives the same answer).
 */
import type { Checked, CustomField, CustomFieldValue, KommoTag } from './fields.js';
import { isIndexKey, type FormObject, type FormValue } from './form.js';
import { formToPlain } from './form-values.js';

/** A validation failure; `message` is the whole `path: message` text. */
export class FieldError extends Error {}

// The bracket path of the value being checked: `base` plus the keys below it. Parsing is synchronous and
// these validators do not re-enter, so one stack serves every call; each entry point resets it.
let base = '';
const path: string[] = [];

export function bad(key: string | null, message: string): never {
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
  if (Number.isNaN(v)) bad(key, 'expected a number');
  if (v === Infinity) bad(key, 'number out of range');
  return v;
}

/** zInt: a required integer. */
export function int(o: FormObject, key: string): number {
  const v = o[key];
  if (typeof v !== 'string') bad(key, v === undefined ? 'is required' : 'expected a number');
  return toInt(v, key);
}

/** zOptInt: "" is absent. */
export function optInt(o: FormObject, key: string): number | undefined {
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
export function optDec(o: FormObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a number');
  const t = trimmed(v);
  const n = Number(t);
  if (!isDecimal(t) || !Number.isFinite(n)) bad(key, 'expected a number');
  return n;
}

/** zOptTime: a unix number when all digits, else the trimmed string; "" is absent. */
export function optTime(o: FormObject, key: string): number | string | undefined {
  const v = o[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') bad(key, 'expected a timestamp');
  const t = trimmed(v);
  const n = intValue(t);
  return !Number.isNaN(n) && n !== Infinity ? n : t;
}

/** zStr: required, non-empty. */
export function str(o: FormObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') bad(key, v === undefined ? 'is required' : 'expected a string');
  if (v.length === 0) bad(key, 'must not be empty');
  return v;
}

/** zOptStr: kept as sent, "" included. */
export function optStr(o: FormObject, key: string): string | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'string') bad(key, 'expected a string');
  return v;
}

/** zOptBool: "1"/"true"/"y" and "0"/"false"/"n"; "" is absent. */
export function optBool(o: FormObject, key: string): boolean | undefined {
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
export function optObj<T extends Record<string, unknown>>(
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
export function setIf(out: Record<string, unknown>, v: FormObject, key: string, value: unknown): void {
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
    if (!Number.isNaN(n) && n !== Infinity) out.enum = n;
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

export const tags = (o: FormObject): KommoTag[] => list(o, 'tags', tag, csvToList);
export const customFields = (o: FormObject): CustomField[] => list(o, 'custom_fields', customField);

/** The item itself must be an object. */
export function objectAt(v: FormValue | undefined): FormObject {
  if (typeof v !== 'object') bad(null, v === undefined ? 'is required' : 'expected an object');
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------------------

/** Run an item reader at bracket path `at`; throws `FieldError` (message `path: problem`) on the first problem. */
export function run<T>(read: (v: FormValue | undefined) => T, value: FormValue | undefined, at: string): T {
  base = at;
  path.length = 0;
  return read(value);
}

/** The `check()`-style result of a reader (for callers that prefer a value to an exception, and for tests). */
export function checked<T>(read: (v: FormValue | undefined, at: string) => T, value: FormValue | undefined, at: string): Checked<T> {
  try {
    return { ok: true, data: read(value, at) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}
