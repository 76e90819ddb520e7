/**
 * Contacts family: contacts and companies. Companies arrive under `contacts` with `type=company` → `kind:
 * 'company'` (a `companies` entity, if ever sent, is read the same way). `contacts[note]` is handed to the
 * notes family. Payload type, zod spec, fast reader, mapping and walker.
 */
import type { z } from 'zod';
import { key, versionOf } from '../event-key.js';
import { zCustomFields, zInt, zObj, zOptInt, zOptStr, zTags } from '../fields.js';
import type { FormObject, FormValue } from '../form.js';
import { customFields, int, objectAt, optInt, optStr, run, tags } from '../readers.js';
import { defined, itemsOf, plainRaw, pushUnknown, type Ctx, type EntityCommon, type UnknownEvent, type Walker } from './common.js';
import { walkNotes, type NoteEvent } from './notes.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export interface ContactPayload extends EntityCommon {
  /** From `type`; a missing type is a contact. */
  type: 'contact' | 'company';
  name?: string;
  firstName?: string;
  lastName?: string;
  companyName?: string;
  linkedCompanyId?: number;
}

export type ContactAction = 'add' | 'update' | 'delete' | 'restore' | 'responsible';

export type ContactEvent = { kind: 'contact' | 'company'; action: ContactAction; contact: ContactPayload; eventKey: string };

type ContactsFamilyEvent = ContactEvent | NoteEvent | UnknownEvent;

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readContact` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const ContactSchema = zObj({
  id: zInt,
  type: zOptStr,
  name: zOptStr,
  first_name: zOptStr,
  last_name: zOptStr,
  company_name: zOptStr,
  linked_company_id: zOptInt,
  responsible_user_id: zOptInt,
  old_responsible_user_id: zOptInt,
  last_modified: zOptInt,
  modified_user_id: zOptInt,
  created_user_id: zOptInt,
  date_create: zOptInt,
  created_at: zOptInt,
  updated_at: zOptInt,
  account_id: zOptInt,
  tags: zTags,
  custom_fields: zCustomFields,
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type ContactOut = z.output<typeof ContactSchema>;

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

/** Validate a contact or company item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readContact = (v: FormValue | undefined, at: string): ContactOut => run(contact, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

function toContact(o: z.output<typeof ContactSchema>, item: FormObject, forceCompany: boolean): ContactPayload {
  return defined({
    id: o.id,
    type: forceCompany || o.type?.trim().toLowerCase() === 'company' ? 'company' : 'contact',
    name: o.name,
    firstName: o.first_name,
    lastName: o.last_name,
    companyName: o.company_name,
    linkedCompanyId: o.linked_company_id,
    responsibleUserId: o.responsible_user_id,
    oldResponsibleUserId: o.old_responsible_user_id,
    lastModified: o.last_modified,
    modifiedUserId: o.modified_user_id,
    createdUserId: o.created_user_id,
    dateCreate: o.date_create,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    accountId: o.account_id,
    tags: o.tags,
    customFields: o.custom_fields,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

const CONTACT_ACTIONS = new Set<string>(['add', 'update', 'delete', 'restore', 'responsible']);

/**
 * `contacts[{action}][i]` → `contact` or `company` events (`companies[…]`: always `company`);
 * `contacts[note]` → contact notes; any other action → `unknown`.
 * Event key "{accountId}:{contact|company}:{action}:{id}:{version}[:{extra}]", version = last_modified ??
 * updated_at ?? date_create ?? created_at (as for leads); "responsible" adds ":{responsible_user_id}".
 */
function walkContactEntity(ctx: Ctx<ContactsFamilyEvent>, entity: string, actions: FormObject, forceCompany: boolean): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    const base = `${entity}[${action}]`;
    if (action === 'note') {
      walkNotes(ctx, 'contact_note', value, base);
    } else if (CONTACT_ACTIONS.has(action)) {
      for (const { item, path } of itemsOf(value, base)) {
        const contact = toContact(readContact(item, path), item, forceCompany);
        const version = versionOf(contact.lastModified, contact.updatedAt, contact.dateCreate, contact.createdAt);
        const extra = action === 'responsible' ? [contact.responsibleUserId] : [];
        ctx.events.push({
          kind: contact.type,
          action: action as ContactAction,
          contact,
          eventKey: key(ctx.accountId, contact.type, action, contact.id, version, ...extra),
        });
      }
    } else {
      pushUnknown(ctx, entity, action, value);
    }
  }
}

export const walkContacts: Walker<ContactsFamilyEvent> = (ctx, entity, actions) => walkContactEntity(ctx, entity, actions, false);
export const walkCompanies: Walker<ContactsFamilyEvent> = (ctx, entity, actions) => walkContactEntity(ctx, entity, actions, true);
