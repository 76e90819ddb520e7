/**
 * What the event families share: the walker's context, the `entity[action]` item list, the `unknown` event,
 * and the helpers that build typed payloads.
 */
import { hashOf, key } from '../event-key.js';
import type { CustomField, KommoTag } from '../fields.js';
import { isFormObject, type FormObject, type FormValue } from '../form.js';
import { formToPlain, listEntries } from '../form-values.js';

export type Raw = Record<string, unknown>;

/** What every entity event (lead, contact, company) carries besides its own fields. */
export interface EntityCommon {
  id: number;
  responsibleUserId?: number;
  oldResponsibleUserId?: number;
  lastModified?: number;
  modifiedUserId?: number;
  createdUserId?: number;
  dateCreate?: number;
  createdAt?: number;
  updatedAt?: number;
  accountId?: number;
  tags: KommoTag[];
  customFields: CustomField[];
  raw: Raw;
}

/** An entity or action the parser does not know (`catalogs`, `leads[foo]`): kept, never an error. */
export type UnknownEvent = { kind: 'unknown'; entity: string; action: string; data: unknown; eventKey: string };

/**
 * What a walker writes to: the account and the parser's event list. `E` is the events the walker makes;
 * `push` (not an array) so that the parser's `KommoEvent[]` fits every family's narrower `Ctx<E>`.
 */
export interface Ctx<E> {
  readonly accountId: number;
  readonly events: { readonly push: (event: E) => unknown };
}

/** Turns `entity[action][i]` items of one entity into events: `actions` is the decoded `entity[…]` object. */
export type Walker<E> = (ctx: Ctx<E>, entity: string, actions: FormObject) => void;

/** A structural error of a known entity; the whole webhook is refused with its message. */
export class WebhookError extends Error {}

export function fail(error: string): never {
  throw new WebhookError(error);
}

/** `entity[action]` must be a list of objects. */
export function itemsOf(value: FormValue, path: string): Array<{ item: FormObject; path: string }> {
  if (!isFormObject(value)) fail(`${path}: expected a list`);
  const entries = listEntries(value);
  if (entries === null) fail(`${path}: expected a list`);
  return entries.map(([i, item]) => {
    const p = `${path}[${i}]`;
    if (!isFormObject(item)) fail(`${p}: expected an object`);
    return { item, path: p };
  });
}

/** Event key: "{accountId}:unknown:{entity}:{action}:h{hash(data)}". */
export function pushUnknown(ctx: Ctx<UnknownEvent>, entity: string, action: string, value: FormValue): void {
  // One event per list item when the value is a list, else one event for the whole value.
  const entries = isFormObject(value) ? listEntries(value) : null;
  const datas = entries && entries.length > 0 ? entries.map(([, v]) => formToPlain(v)) : [formToPlain(value)];
  for (const data of datas) {
    ctx.events.push({ kind: 'unknown', entity, action, data, eventKey: key(ctx.accountId, 'unknown', entity, action, `h${hashOf(data)}`) });
  }
}

export function plainRaw(item: FormObject): Raw {
  return formToPlain(item) as Raw;
}

/** `compact` into a fresh object (no `delete`, which would turn the payload into a slow dictionary object). */
export function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

export function strOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
