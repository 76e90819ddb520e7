/**
 * zod building blocks for Kommo's form-shaped payloads, where every value is a string and lists are
 * objects keyed "0", "1", …. Numbers arriving as JSON numbers (Digital Pipeline JSON) are accepted too.
 * Error messages are short and meant to follow a bracket path: `leads[status][0][id]: expected a number`.
 */
import { z } from 'zod';
import { isFormObject, isIndexKey } from './form.js';
import { formToPlain } from './form-values.js';

const INT_RE = /^-?\d+$/;
const DEC_RE = /^-?\d+(\.\d+)?$/;

/** JSON numbers become strings so that one string pipeline validates both form and JSON input. */
const numToStr = (v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v);
/** A scalar-or-nothing field: "" means absent. */
const emptyToUndefined = (v: unknown): unknown => (v === '' ? undefined : numToStr(v));

function toInt(s: string, ctx: z.RefinementCtx): number {
  const t = s.trim();
  if (!INT_RE.test(t)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a number' });
    return z.NEVER;
  }
  const n = Number(t);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'number out of range' });
    return z.NEVER;
  }
  return n;
}

function toDec(s: string, ctx: z.RefinementCtx): number {
  const t = s.trim();
  const n = Number(t);
  if (!DEC_RE.test(t) || !Number.isFinite(n)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a number' });
    return z.NEVER;
  }
  return n;
}

const numberString = (required: boolean) =>
  z.string({ required_error: required ? 'is required' : 'expected a number', invalid_type_error: 'expected a number' });

/** Required integer (ids). */
export const zInt = z.preprocess(numToStr, numberString(true).transform(toInt));
/** Optional integer; "" is absent. */
export const zOptInt = z.preprocess(emptyToUndefined, numberString(false).transform(toInt).optional());
/** Optional decimal (price); "" is absent. */
export const zOptDec = z.preprocess(emptyToUndefined, numberString(false).transform(toDec).optional());
/**
 * Optional time whose format is not settled (tasks' `last_modified`, notes' `date_create`): a unix number when
 * the value is all digits, otherwise the string as sent (e.g. "2024-01-31 12:00:00"); "" is absent.
 */
export const zOptTime = z.preprocess(
  emptyToUndefined,
  z
    .string({ invalid_type_error: 'expected a timestamp' })
    .transform((s): number | string => {
      const t = s.trim();
      if (INT_RE.test(t)) {
        const n = Number(t);
        if (Number.isSafeInteger(n)) return n;
      }
      return t;
    })
    .optional(),
);
/** Required non-empty string. */
export const zStr = z.preprocess(numToStr, z.string({ required_error: 'is required', invalid_type_error: 'expected a string' }).min(1, 'must not be empty'));
/** Optional string (kept as sent, "" included). */
export const zOptStr = z.preprocess(numToStr, z.string({ invalid_type_error: 'expected a string' }).optional());
/** Optional boolean: "1"/"true" and "0"/"false"; "" is absent. */
export const zOptBool = z.preprocess(
  (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : emptyToUndefined(v)),
  z
    .string({ invalid_type_error: 'expected a boolean' })
    .transform((s, ctx): boolean => {
      const t = s.trim().toLowerCase();
      if (t === '1' || t === 'true' || t === 'y') return true;
      if (t === '0' || t === 'false' || t === 'n') return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a boolean' });
      return z.NEVER;
    })
    .optional(),
);

/** An object that keeps unknown keys. */
export function zObj<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { required_error: 'is required', invalid_type_error: 'expected an object' }).passthrough();
}

/** An optional object; "" (Kommo's way of sending an empty structure) is absent. */
export function zOptObj<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), zObj(shape).optional());
}

const INDEX_KEY = z.string().refine(isIndexKey, 'expected a list index');

/**
 * A Kommo list: an object keyed by indexes ("0", "1", …) → an array in index order. Missing or "" is an
 * empty list. Error paths keep the original index.
 */
export function zList<S extends z.ZodTypeAny>(item: S) {
  return z
    .preprocess((v) => (v === undefined || v === '' ? {} : v), z.record(INDEX_KEY, item, { invalid_type_error: 'expected a list' }))
    .transform((rec) => {
      const r = rec as Record<string, z.output<S>>;
      return Object.keys(r)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => r[k] as z.output<S>);
    });
}

/** Make a list out of "a,b" (some integrations send tags that way). */
function csvToList(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  s.split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0)
    .slice(0, 1000)
    .forEach((x, i) => {
      out[String(i)] = x;
    });
  return out;
}

export interface KommoTag {
  id?: number;
  name: string;
}

const zTag = z
  .preprocess((v) => (typeof v === 'string' ? { name: v } : v), zObj({ id: zOptInt, name: zOptStr }))
  .transform((t): KommoTag => compact({ id: t.id, name: t.name ?? '' }));

/** `tags[i][id|name]` → `{id?, name}[]`. */
export const zTags = z.preprocess((v) => (typeof v === 'string' && v !== '' ? csvToList(v) : v), zList(zTag));

export interface CustomFieldValue {
  value: string;
  /** Numeric enum id (select/multiselect, phone/email types). */
  enum?: number;
  /** Enum sent as a code rather than an id ("WORK"): kept apart so `enum` stays a number. */
  enumCode?: string;
  /** Part of a composite field (address lines). */
  subtype?: string;
}

export interface CustomField {
  id: number;
  name?: string;
  code?: string;
  values: CustomFieldValue[];
}

const zCfValue = z
  .preprocess(
    (v) => (typeof v === 'string' ? { value: v } : v),
    zObj({
      // A composite value (legal entity, …) arrives nested: keep it as JSON text so `value` stays a string.
      value: z.preprocess(
        (v) => (isFormObject(v) ? JSON.stringify(formToPlain(v)) : numToStr(v)),
        z.string({ invalid_type_error: 'expected a string' }).optional(),
      ),
      enum: zOptStr,
      subtype: zOptStr,
    }),
  )
  .transform((v): CustomFieldValue => {
    const e = v.enum?.trim();
    const isNum = e !== undefined && INT_RE.test(e) && Number.isSafeInteger(Number(e));
    return compact({
      value: v.value ?? '',
      enum: isNum ? Number(e) : undefined,
      enumCode: e !== undefined && e !== '' && !isNum ? e : undefined,
      subtype: v.subtype,
    });
  });

/** Old v2 `custom_fields[i][id|name|code|values[j][value|enum]]` → `CustomField[]`. */
export const zCustomFields = zList(
  zObj({
    id: zInt,
    name: zOptStr,
    code: zOptStr,
    values: z.preprocess((v) => (typeof v === 'string' && v !== '' ? { 0: v } : v), zList(zCfValue)),
  }).transform((f): CustomField => compact({ id: f.id, name: f.name, code: f.code, values: f.values })),
);

/** Drop keys whose value is undefined (keeps logs and snapshots readable). */
export function compact<T extends object>(o: T): T {
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return o;
}

/** `base` + zod issue path as brackets: `leads[add][0]` + ['custom_fields', '0', 'id']. */
export function bracketPath(base: string, path: ReadonlyArray<string | number>): string {
  let out = base;
  for (const p of path) out = out === '' ? String(p) : `${out}[${String(p)}]`;
  return out;
}

export type Checked<T> = { ok: true; data: T } | { ok: false; error: string };

/** Run a schema; the first issue becomes `path: message`. */
export function check<S extends z.ZodTypeAny>(schema: S, value: unknown, base: string): Checked<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data as z.output<S> };
  const issue = r.error.issues[0];
  const where = bracketPath(base, issue?.path ?? []);
  return { ok: false, error: `${where || '(body)'}: ${issue?.message ?? 'invalid'}` };
}
