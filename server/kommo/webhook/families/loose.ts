/**
 * Loose family: customers and unsorted. Their items stay untyped (`data` is the item as plain data), so there
 * is no zod spec and no fast reader here: nothing in them is validated, and any action is accepted.
 */
import { hashOf, key, versionOf } from '../event-key.js';
import { isFormObject, type FormObject, type FormValue } from '../form.js';
import { formToPlain, listEntries } from '../form-values.js';
import { pushUnknown, strOf, type Ctx, type UnknownEvent, type Walker } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export type LooseEvent = { kind: 'customer' | 'unsorted'; action: string; data: Record<string, unknown>; eventKey: string };

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

/**
 * Customers and unsorted: untyped data, any action; items that are not objects become `unknown`.
 * Event key "{accountId}:{kind}:{action}:{id}:{version}", id = id ?? uid ?? lead_id ?? note[id]; version =
 * last_modified ?? updated_at ?? created_at ?? date_create; when both id and version are missing: id = "h" +
 * hash(data).
 */
function walkLooseEntity(ctx: Ctx<LooseEvent | UnknownEvent>, kind: LooseEvent['kind'], entity: string, actions: FormObject): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    const entries = isFormObject(value) ? listEntries(value) : null;
    if (entries === null || entries.length === 0) {
      pushUnknown(ctx, entity, action, value);
      continue;
    }
    for (const [, item] of entries) {
      if (!isFormObject(item)) {
        pushUnknown(ctx, entity, action, item);
        continue;
      }
      const data = formToPlain(item) as Record<string, unknown>;
      const note = isFormObject(item.note) ? item.note : undefined;
      const id = strOf(item.id) ?? strOf(item.uid) ?? strOf(item.lead_id) ?? (note ? strOf(note.id) : undefined);
      const version = versionOf(strOf(item.last_modified), strOf(item.updated_at), strOf(item.created_at), strOf(item.date_create));
      const idPart = id === undefined && version === undefined ? `h${hashOf(data)}` : id;
      ctx.events.push({ kind, action, data, eventKey: key(ctx.accountId, kind, action, idPart, version) });
    }
  }
}

export const walkCustomers: Walker<LooseEvent | UnknownEvent> = (ctx, entity, actions) => walkLooseEntity(ctx, 'customer', entity, actions);
export const walkUnsorted: Walker<LooseEvent | UnknownEvent> = (ctx, entity, actions) => walkLooseEntity(ctx, 'unsorted', entity, actions);
