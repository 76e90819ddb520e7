/**
 * Notes family: the notes of leads and contacts (`leads[note]`, `contacts[note]`) → `lead_note` /
 * `contact_note` events. Payload type, zod spec, fast reader, mapping and walker.
 */
import { z } from 'zod';
import { key } from '../event-key.js';
import { compact, zInt, zObj, zOptInt, zOptObj, zOptStr, zOptTime } from '../fields.js';
import { isFormObject, type FormObject, type FormValue } from '../form.js';
import { formToPlain } from '../form-values.js';
import { int, objectAt, optInt, optObj, optStr, optTime, run, setIf } from '../readers.js';
import { jsonObjectIn, parseJsonSafe } from '../safe-json.js';
import { defined, fail, itemsOf, plainRaw, strOf, type Ctx, type Raw } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

/** Call details: from `note[params][…]` when sent, else from the JSON that v2 call notes carry in `text`. */
export interface NoteParams {
  uniq?: string;
  duration?: number;
  source?: string;
  link?: string;
  phone?: string;
  callStatus?: number;
  callResult?: string;
  [key: string]: unknown;
}

export interface NotePayload {
  id: number;
  /**
   * v4 name when the v2 numeric code is known (4 → "common", 10 → "call_in", 11 → "call_out", 25 →
   * "service_message", 102 → "sms_in", …), otherwise the value as sent ("amomail_message", "15").
   */
  noteType: string;
  /** The numeric v2 code when `note_type` was numeric. */
  noteTypeCode?: number;
  text?: string;
  elementType?: number;
  elementId?: number;
  createdBy?: number;
  mainUserId?: number;
  modifiedBy?: number;
  groupId?: number;
  accountId?: number;
  dateCreate?: number | string;
  lastModified?: number | string;
  timestampX?: string;
  createdAt?: number;
  updatedAt?: number;
  /** `metadata`: parsed when it is JSON text (e.g. `{"event_source":{"author_name":…}}`), else as sent. */
  metadata?: unknown;
  /** Call notes always have params (maybe empty); other notes when `params` or a JSON `text` was sent. */
  params?: NoteParams;
  raw: Raw;
}

export type NoteEvent = { kind: 'lead_note' | 'contact_note'; note: NotePayload; eventKey: string };

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readNote` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

const NoteParamsSchema = zOptObj({
  uniq: zOptStr,
  duration: zOptInt,
  source: zOptStr,
  link: zOptStr,
  phone: zOptStr,
  call_status: zOptInt,
  call_result: zOptStr,
});

export const NoteSchema = zObj({
  id: zInt,
  note_type: zOptStr,
  text: zOptStr,
  element_type: zOptInt,
  element_id: zOptInt,
  created_by: zOptInt,
  main_user_id: zOptInt,
  modified_by: zOptInt,
  group_id: zOptInt,
  account_id: zOptInt,
  date_create: zOptTime,
  last_modified: zOptTime,
  timestamp_x: zOptStr,
  created_at: zOptInt,
  updated_at: zOptInt,
  metadata: z.unknown(),
  params: NoteParamsSchema,
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type NoteOut = z.output<typeof NoteSchema>;

const PARAMS_KEYS: ReadonlySet<string> = new Set(['uniq', 'duration', 'source', 'link', 'phone', 'call_status', 'call_result']);

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

/** Validate a note item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readNote = (v: FormValue | undefined, at: string): NoteOut => run(note, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

/** v2 numeric note types (amoCRM API v2 docs / SDK constants) → v4 names. */
export const NOTE_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'lead_created',
  2: 'contact_created',
  3: 'lead_status_changed',
  4: 'common',
  5: 'attachment',
  6: 'call',
  7: 'mail_message',
  8: 'mail_message_attachment',
  9: 'external_attach',
  10: 'call_in',
  11: 'call_out',
  12: 'company_created',
  13: 'task_result',
  25: 'service_message',
  102: 'sms_in',
  103: 'sms_out',
});

function intOf(v: unknown): number | undefined {
  const s = strOf(v)?.trim();
  if (s === undefined || !/^-?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Case-insensitive lookup in a JSON object from a note text (`DURATION`, `duration`, …). */
function pick(obj: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) {
    for (const k of Object.keys(obj)) if (k.toLowerCase() === n) return obj[k];
  }
  return undefined;
}

const CALL_TEXT_KEYS = new Set(['uniq', 'duration', 'source', 'src', 'link', 'phone', 'call_status', 'call_result']);

function toNote(o: z.output<typeof NoteSchema>, item: FormObject): NotePayload {
  const rawType = o.note_type?.trim() ?? '';
  const code = /^\d+$/.test(rawType) ? Number(rawType) : undefined;
  const noteType = (code !== undefined ? NOTE_TYPE_NAMES[code] : undefined) ?? (rawType === '' ? 'unknown' : rawType);

  let metadata: unknown;
  if (typeof o.metadata === 'string') {
    const t = o.metadata.trim();
    const parsed = t.startsWith('{') || t.startsWith('[') ? parseJsonSafe(t) : null;
    metadata = parsed?.ok ? parsed.value : o.metadata;
  } else if (isFormObject(o.metadata)) {
    metadata = formToPlain(o.metadata);
  }

  // Params: the JSON that v2 call notes carry in `text` ({"UNIQ":…,"DURATION":…,"LINK":…,"PHONE":…,"SRC":…}),
  // overridden by bracket `params[…]` when Kommo sends those (validated by the schema above).
  const textJson = jsonObjectIn(o.text);
  const isCall = noteType === 'call_in' || noteType === 'call_out';
  const bracket = o.params;
  let params: NoteParams | undefined;
  if (bracket !== undefined || textJson !== null || isCall) {
    params = {};
    // Call notes: the call keys are normalized below; other keys of the JSON are kept as sent.
    for (const [k, v] of Object.entries(textJson ?? {})) if (!(isCall && CALL_TEXT_KEYS.has(k.toLowerCase()))) params[k] = v;
    if (isCall && textJson !== null) {
      const fromText = compact({
        uniq: strOf(pick(textJson, 'uniq')),
        duration: intOf(pick(textJson, 'duration')),
        source: strOf(pick(textJson, 'source', 'src')),
        link: strOf(pick(textJson, 'link')),
        phone: strOf(pick(textJson, 'phone')),
        callStatus: intOf(pick(textJson, 'call_status')),
        callResult: strOf(pick(textJson, 'call_result')),
      });
      Object.assign(params, fromText);
    }
    if (bracket !== undefined) {
      const { uniq, duration, source, link, phone, call_status, call_result, ...rest } = bracket;
      Object.assign(params, formToPlain(rest as FormValue), compact({ uniq, duration, source, link, phone, callStatus: call_status, callResult: call_result }));
    }
  }

  return defined({
    id: o.id,
    noteType,
    noteTypeCode: code !== undefined && Number.isSafeInteger(code) ? code : undefined,
    text: o.text,
    elementType: o.element_type,
    elementId: o.element_id,
    createdBy: o.created_by,
    mainUserId: o.main_user_id,
    modifiedBy: o.modified_by,
    groupId: o.group_id,
    accountId: o.account_id,
    dateCreate: o.date_create,
    lastModified: o.last_modified,
    timestampX: o.timestamp_x,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    metadata,
    params,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

/**
 * `leads[note]` / `contacts[note]` items → events. Event key "{accountId}:{kind}:note:{note id}" (a note id
 * is never reused).
 */
export function walkNotes(ctx: Ctx<NoteEvent>, kind: NoteEvent['kind'], value: FormValue, base: string): void {
  for (const { item, path } of itemsOf(value, base)) {
    // Kommo wraps the note: `leads[note][0][note][id]`. Accept an unwrapped item too.
    const wrapped = item.note;
    const inner = isFormObject(wrapped) ? wrapped : item;
    const innerPath = isFormObject(wrapped) ? `${path}[note]` : path;
    if (wrapped !== undefined && !isFormObject(wrapped)) fail(`${path}[note]: expected an object`);
    const note = toNote(readNote(inner, innerPath), inner);
    ctx.events.push({ kind, note, eventKey: key(ctx.accountId, kind, 'note', note.id) });
  }
}
