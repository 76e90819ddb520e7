/**
 * Kommo webhooks (docs/kommo.md §4) → typed, validated events. Pure, and never throws.
 *
 * Body: `application/x-www-form-urlencoded`, bracket keys `{entity}[{action}][{i}][field]` plus
 * `account[id]`, `account[subdomain]`, `account[_links][self]`; all values are strings; entities use the old
 * v2 shape (`custom_fields[i][id|name|code|values[j][value|enum]]`, `tags[i][id|name]`).
 *
 * Rules:
 *  - `account[id]` (integer) and `account[subdomain]` (non-empty) are required.
 *  - A known entity/action whose item has a field of the wrong type is an error naming the bracket path
 *    (`leads[status][0][id]: expected a number`); the whole webhook is refused so nothing half-applies.
 *  - An unknown entity (e.g. `catalogs`) or an unknown action of a known entity (`leads[foo]`) is not an
 *    error: it becomes `kind: 'unknown'`.
 *  - Each typed payload keeps the whole original item as plain data in `raw`.
 *
 * Each entity is read by its family (families/*.ts: payload type, zod spec, fast reader, walker), found
 * through the table of families/index.ts. Event keys (dedupe of Kommo's retries and duplicate deliveries):
 * the formula is in event-key.ts, each family's id/version/extra parts at its walker.
 */
import { toAccount, type KommoAccountRef } from './families/account.js';
import { fail, pushUnknown, WebhookError, type Ctx, type UnknownEvent, type Walker } from './families/common.js';
import type { ContactEvent } from './families/contacts.js';
import { FAMILY_WALKERS } from './families/index.js';
import type { LeadEvent } from './families/leads.js';
import type { LooseEvent } from './families/loose.js';
import type { MessageEvent } from './families/messages.js';
import type { NoteEvent } from './families/notes.js';
import type { TalkEvent } from './families/talks.js';
import type { TaskEvent } from './families/tasks.js';
import { clip, DEFAULT_FORM_LIMITS, isFormObject, parseBracketForm, type FormLimits, type FormObject, type FormValue } from './form.js';
import { listEntries } from './form-values.js';
import { FieldError } from './readers.js';

export type { KommoAccountRef } from './families/account.js';
export type { UnknownEvent } from './families/common.js';
export type { ContactAction, ContactEvent, ContactPayload } from './families/contacts.js';
export type { LeadAction, LeadEvent, LeadPayload } from './families/leads.js';
export type { LooseEvent } from './families/loose.js';
export type { MessageAuthor, MessageEvent, MessagePayload } from './families/messages.js';
export type { NoteEvent, NoteParams, NotePayload } from './families/notes.js';
export type { TalkAction, TalkEvent, TalkPayload } from './families/talks.js';
export type { TaskAction, TaskEvent, TaskPayload } from './families/tasks.js';
export type { CustomField, CustomFieldValue, KommoTag } from './fields.js';

/**
 * Form limits for Kommo webhooks. Looser than `DEFAULT_FORM_LIMITS` on purpose:
 *  - depth 12: `unsorted[add][0][data][contacts][0][custom_fields][0][values][0][value]` is 11 segments;
 *  - 20,000 pairs / 4 MB: Kommo batches many entities (each with its custom fields) into one POST.
 * Still bounded: no recursion or allocation grows beyond these.
 */
export const KOMMO_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  ...DEFAULT_FORM_LIMITS,
  maxBodyLength: 4_000_000,
  maxPairs: 20_000,
  maxDepth: 12,
});

/** Every event a webhook can carry: the union of the families' events. */
export type KommoEvent = LeadEvent | NoteEvent | ContactEvent | TaskEvent | MessageEvent | TalkEvent | LooseEvent | UnknownEvent;

export type KommoEventKind = KommoEvent['kind'];
/** The event variant(s) for a kind: `KommoEventOf<'contact_note'>` is the note variant. */
export type KommoEventOf<K extends KommoEventKind> = KommoEvent extends infer E ? (E extends { kind: infer EK } ? (K extends EK ? E : never) : never) : never;

export type KommoWebhookResult = { ok: true; account: KommoAccountRef; events: KommoEvent[] } | { ok: false; error: string };

/** The families' table, typed here: a family whose events are not in `KommoEvent` fails to compile. */
const WALKERS: Readonly<Record<string, Walker<KommoEvent>>> = FAMILY_WALKERS;

function parseForm(form: FormObject): KommoWebhookResult {
  if (form.account === undefined) return { ok: false, error: 'account: is required' };
  const account = toAccount(form.account);
  const events: KommoEvent[] = [];
  const ctx: Ctx<KommoEvent> = { accountId: account.id, events };

  for (const entity of Object.keys(form)) {
    if (entity === 'account') continue;
    const value = form[entity] as FormValue;
    const walk = WALKERS[entity];
    if (!walk) {
      if (isFormObject(value) && listEntries(value) === null) {
        for (const action of Object.keys(value)) pushUnknown(ctx, entity, action, value[action] as FormValue);
      } else {
        pushUnknown(ctx, entity, '', value);
      }
      continue;
    }
    if (!isFormObject(value)) fail(`${entity}: expected an object`);
    walk(ctx, entity, value);
  }
  return { ok: true, account, events };
}

/**
 * Parse a Kommo webhook body (`application/x-www-form-urlencoded`). Never throws: a malformed body,
 * a missing/invalid `account[id]` or a wrongly typed field of a known entity is `{ ok: false, error }`,
 * the error naming the bracket path.
 */
export function parseKommoWebhook(body: string, limits: Partial<FormLimits> = KOMMO_FORM_LIMITS): KommoWebhookResult {
  try {
    if (typeof body !== 'string') return { ok: false, error: 'body is not a string' };
    const form = parseBracketForm(body, limits);
    if (!form.ok) return form;
    return parseForm(form.value);
  } catch (e) {
    if (e instanceof WebhookError || e instanceof FieldError) return { ok: false, error: e.message };
    return { ok: false, error: `webhook parse failed: ${clip(e instanceof Error ? e.message : String(e), 120)}` };
  }
}
