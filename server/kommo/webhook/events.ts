/**
 * Kommo webhooks (kommo.md §4) → typed, validated events. Pure, and never throws.
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
 * Event keys (dedupe of Kommo's retries and duplicate deliveries) — see event-key.ts for the formula.
 */
import {
  clip,
  DEFAULT_FORM_LIMITS,
  isFormObject,
  listEntries,
  parseBracketForm,
  type FormLimits,
  type FormObject,
  type FormValue,
} from './form.js';
import {
  zInt,
  zObj,
  zOptObj,
  zOptStr,
  zStr,
} from './fields.js';
import {
  defined,
  fail,
  pushUnknown,
  WebhookError,
  type Ctx,
  type UnknownEvent,
} from './families/common.js';
import { walkCustomers, walkUnsorted, type LooseEvent } from './families/loose.js';
import { walkTalks, type TalkEvent } from './families/talks.js';
import { walkMessages, walkOutgoingMessages, type MessageEvent } from './families/messages.js';
import { walkTasks, type TaskEvent } from './families/tasks.js';
import { walkCompanies, walkContacts, type ContactEvent } from './families/contacts.js';
import { walkLeads, type LeadEvent } from './families/leads.js';
import { type NoteEvent } from './families/notes.js';
import {
  FieldError,
  readAccount,
} from './validate.js';

export type { CustomField, CustomFieldValue, KommoTag } from './fields.js';
export type { LooseEvent } from './families/loose.js';
export type { TalkAction, TalkEvent, TalkPayload } from './families/talks.js';
export type { MessageAuthor, MessageEvent, MessagePayload } from './families/messages.js';
export type { TaskAction, TaskEvent, TaskPayload } from './families/tasks.js';
export type { ContactAction, ContactEvent, ContactPayload } from './families/contacts.js';
export type { LeadAction, LeadEvent, LeadPayload } from './families/leads.js';
export type { NoteEvent, NoteParams, NotePayload } from './families/notes.js';

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

// ---------------------------------------------------------------------------------------------------------
// Payload types
// ---------------------------------------------------------------------------------------------------------

export type KommoEvent =
  | LeadEvent
  | NoteEvent
  | ContactEvent
  | TaskEvent
  | MessageEvent
  | TalkEvent
  | LooseEvent
  | UnknownEvent;

export type KommoEventKind = KommoEvent['kind'];
/** The event variant(s) for a kind: `KommoEventOf<'contact_note'>` is the note variant. */
export type KommoEventOf<K extends KommoEventKind> = KommoEvent extends infer E
  ? E extends { kind: infer EK }
    ? K extends EK
      ? E
      : never
    : never
  : never;

export interface KommoAccountRef {
  id: number;
  subdomain: string;
  link?: string;
}

export type KommoWebhookResult =
  | { ok: true; account: KommoAccountRef; events: KommoEvent[] }
  | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------------
// Schemas (form items; every value a string, lists keyed "0", "1", …)
//
// These are the specification. Parsing runs the hand-written readers of validate.ts instead (same data, same
// first error; validate.test.ts holds them to these schemas), because zod's per-field effects dominated the
// cost of a delivery. Change a field here → change its reader there.
// ---------------------------------------------------------------------------------------------------------

export const AccountSchema = zObj({
  id: zInt,
  subdomain: zStr,
  _links: zOptObj({ self: zOptStr }),
});

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

// Parsing
// ---------------------------------------------------------------------------------------------------------

function parseForm(form: FormObject): KommoWebhookResult {
  if (form.account === undefined) return { ok: false, error: 'account: is required' };
  const acc = readAccount(form.account, 'account');
  const account: KommoAccountRef = defined({
    id: acc.id,
    subdomain: acc.subdomain,
    link: acc._links?.self,
  });
  const events: KommoEvent[] = [];
  const ctx: Ctx<KommoEvent> = { accountId: account.id, events };

  for (const entity of Object.keys(form)) {
    if (entity === 'account') continue;
    const value = form[entity] as FormValue;
    const known = ENTITY_HANDLERS[entity];
    if (!known) {
      if (isFormObject(value) && listEntries(value) === null) {
        for (const action of Object.keys(value)) pushUnknown(ctx, entity, action, value[action] as FormValue);
      } else {
        pushUnknown(ctx, entity, '', value);
      }
      continue;
    }
    if (!isFormObject(value)) fail(`${entity}: expected an object`);
    known(ctx, entity, value);
  }
  return { ok: true, account, events };
}

const ENTITY_HANDLERS: Readonly<Record<string, (ctx: Ctx<KommoEvent>, entity: string, actions: FormObject) => void>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, (ctx: Ctx<KommoEvent>, entity: string, actions: FormObject) => void>, {
    leads: walkLeads,
    contacts: walkContacts,
    companies: walkCompanies,
    task: walkTasks,
    tasks: walkTasks,
    message: walkMessages,
    outgoing_message: walkOutgoingMessages,
    talk: walkTalks,
    talks: walkTalks,
    customers: walkCustomers,
    unsorted: walkUnsorted,
  }),
);

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
