/** Custom-field values and tags: validation + merge rules shared by leads, contacts and companies. */
import type { SimCore } from './core.js';
import { type ErrorBag, int, isObj, NOT_CHOICE } from './http-util.js';
import { nextId } from './state.js';
import type { CustomField, CustomFieldValue, CustomFieldValueItem, EntityKind, Tag } from './types.js';

export interface FieldPatch {
  field: CustomField;
  /** null → clear the field */
  values: CustomFieldValueItem[] | null;
}

const ENUM_TYPES = new Set(['select', 'multiselect', 'radiobutton', 'category']);
const DATE_TYPES = new Set(['date', 'date_time', 'birthday']);

export function parseFieldValues(core: SimCore, entity: EntityKind, input: unknown, bag: ErrorBag, rid: string, base = 'custom_fields_values'): FieldPatch[] {
  const out: FieldPatch[] = [];
  if (input === null || input === undefined) return out;
  if (!Array.isArray(input)) {
    bag.add(rid, 'InvalidType', base, 'This value should be of type array.');
    return out;
  }
  const fields = core.state.customFields[entity];
  input.forEach((item, i) => {
    const p = `${base}.${i}`;
    if (!isObj(item)) return bag.add(rid, 'InvalidType', p, 'This value should be of type object.');
    const fid = int(item.field_id);
    let field: CustomField | undefined;
    if (fid !== undefined) field = fields.get(fid);
    else if (typeof item.field_code === 'string') {
      const code = item.field_code.toUpperCase();
      for (const f of fields.values()) if (f.code === code) field = f;
    }
    if (!field) return bag.add(rid, 'NotSupportedChoice', `${p}.${fid !== undefined ? 'field_id' : 'field_code'}`);
    if (item.values === null) return out.push({ field, values: null });
    if (!Array.isArray(item.values)) return bag.add(rid, 'InvalidType', `${p}.values`, 'This value should be of type array.');
    const values: CustomFieldValueItem[] = [];
    item.values.forEach((v, j) => {
      const vp = `${p}.values.${j}`;
      if (!isObj(v)) return bag.add(rid, 'InvalidType', vp, 'This value should be of type object.');
      const parsed = parseOne(field, v, bag, rid, vp);
      if (parsed) values.push(parsed);
    });
    out.push({ field, values });
  });
  return out;
}

function parseOne(f: CustomField, v: Record<string, unknown>, bag: ErrorBag, rid: string, vp: string): CustomFieldValueItem | null {
  if (ENUM_TYPES.has(f.type)) {
    const eid = int(v.enum_id);
    const e = eid !== undefined ? f.enums?.find((x) => x.id === eid) : f.enums?.find((x) => x.value === String(v.value ?? v.enum_code));
    if (!e) {
      bag.add(rid, 'NotSupportedChoice', eid !== undefined ? `${vp}.enum_id` : `${vp}.value`, NOT_CHOICE);
      return null;
    }
    return { value: e.value, enum_id: e.id };
  }
  if (v.value === undefined || v.value === null || v.value === '') {
    bag.add(rid, 'NotBlank', `${vp}.value`, 'This value should not be blank.');
    return null;
  }
  if (f.type === 'multitext') {
    const eid = int(v.enum_id);
    const code = typeof v.enum_code === 'string' ? v.enum_code.toUpperCase() : undefined;
    const e = eid !== undefined ? f.enums?.find((x) => x.id === eid) : code ? f.enums?.find((x) => x.value === code) : f.enums?.[0];
    if (!e) {
      bag.add(rid, 'NotSupportedChoice', `${vp}.${eid !== undefined ? 'enum_id' : 'enum_code'}`);
      return null;
    }
    return { value: String(v.value), enum_id: e.id, enum_code: e.value };
  }
  if (f.type === 'numeric' || f.type === 'price') {
    if (!Number.isFinite(Number(v.value))) {
      bag.add(rid, 'InvalidType', `${vp}.value`, 'This value should be of type numeric.');
      return null;
    }
    return { value: String(v.value) };
  }
  if (f.type === 'checkbox') return { value: Boolean(v.value) };
  if (DATE_TYPES.has(f.type)) {
    const n = int(v.value) ?? (typeof v.value === 'string' ? Math.floor(Date.parse(v.value) / 1000) : NaN);
    if (!Number.isFinite(n)) {
      bag.add(rid, 'InvalidType', `${vp}.value`, 'This value should be a unix timestamp.');
      return null;
    }
    return { value: n };
  }
  return { value: String(v.value) };
}

/** Merge by field_id: a patched field replaces that field's values; null/[] clears it. */
export function mergeFieldValues(current: CustomFieldValue[] | null, patch: FieldPatch[]): CustomFieldValue[] | null {
  if (patch.length === 0) return current;
  const out = (current ?? []).filter((c) => !patch.some((p) => p.field.id === c.field_id));
  for (const p of patch) {
    if (!p.values || p.values.length === 0) continue;
    out.push({ field_id: p.field.id, field_name: p.field.name, field_code: p.field.code, field_type: p.field.type, values: p.values });
  }
  return out.length ? out : null;
}

// ---- tags ---------------------------------------------------------------------------------------------

function resolveTags(core: SimCore, entity: EntityKind, input: unknown, bag: ErrorBag, rid: string, path: string, create: boolean): Tag[] {
  if (input === null || input === undefined) return [];
  if (!Array.isArray(input)) {
    bag.add(rid, 'InvalidType', path, 'This value should be of type array.');
    return [];
  }
  const reg = core.state.tags[entity];
  const out: Tag[] = [];
  input.forEach((t, i) => {
    const id = isObj(t) ? int(t.id) : undefined;
    const name = isObj(t) && typeof t.name === 'string' ? t.name : typeof t === 'string' ? t : undefined;
    if (id !== undefined) {
      const tag = reg.get(id);
      if (tag) out.push(tag);
      else if (create) bag.add(rid, 'NotFound', `${path}.${i}.id`, 'Tag not found');
      return;
    }
    if (name === undefined) return bag.add(rid, 'NotBlank', `${path}.${i}.name`, 'This value should not be blank.');
    let tag = [...reg.values()].find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!tag && create) {
      tag = { id: nextId(core.state, 'tag'), name, color: null };
      reg.set(tag.id, tag);
    }
    if (tag) out.push(tag);
  });
  return out;
}

/** `_embedded.tags` replaces; `tags_to_add` / `tags_to_delete` edit. Returns the new list or undefined (unchanged). */
export function applyTags(core: SimCore, entity: EntityKind, current: Tag[], body: Record<string, unknown>, bag: ErrorBag, rid: string): Tag[] | undefined {
  const emb = isObj(body._embedded) ? body._embedded : undefined;
  let tags: Tag[] | undefined;
  if (emb && 'tags' in emb) tags = resolveTags(core, entity, emb.tags, bag, rid, '_embedded.tags', true);
  if ('tags_to_add' in body) {
    const add = resolveTags(core, entity, body.tags_to_add, bag, rid, 'tags_to_add', true);
    tags = [...(tags ?? current)];
    for (const t of add) if (!tags.some((x) => x.id === t.id)) tags.push(t);
  }
  if ('tags_to_delete' in body) {
    const del = resolveTags(core, entity, body.tags_to_delete, bag, rid, 'tags_to_delete', false);
    tags = (tags ?? current).filter((x) => !del.some((d) => d.id === x.id));
  }
  return tags?.map((t) => ({ ...t }));
}

/** Text of every custom-field value, for `query=` search. */
export function fieldTexts(values: CustomFieldValue[] | null): string[] {
  const out: string[] = [];
  for (const f of values ?? []) for (const v of f.values) out.push(String(v.value));
  return out;
}

export const digits = (s: string): string => s.replace(/\D+/g, '');
