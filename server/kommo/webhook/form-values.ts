/**
 * Reading a decoded form (see form.ts): list containers (keys "0", "1", …) as ordered entries, and any
 * value as plain JSON-friendly data.
 */
import { isForbidden, isIndexKey, type FormObject, type FormValue } from './form.js';

/** Sort `[key, …]` pairs by numeric key unless they already are (integer-like keys usually enumerate in order). */
function sortByIndex<T extends [string, unknown] | string>(xs: T[]): T[] {
  let prev = -1;
  for (const x of xs) {
    const n = Number(typeof x === 'string' ? x : x[0]);
    if (n < prev) {
      const num = (y: T): number => Number(typeof y === 'string' ? y : y[0]);
      return xs.sort((a, b) => num(a) - num(b));
    }
    prev = n;
  }
  return xs;
}

/**
 * The numeric-keyed entries of a container, ordered by index (a "list" in Kommo's form shape).
 * Returns null when the container has any non-index key.
 */
export function listEntries(obj: FormObject): Array<[string, FormValue]> | null {
  const keys = Object.keys(obj);
  const out: Array<[string, FormValue]> = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (!isIndexKey(k)) return null;
    out.push([k, obj[k] as FormValue]);
  }
  // Integer-like keys already enumerate in ascending order; sort anyway (when needed) so the contract does not rest on that.
  return sortByIndex(out);
}

/**
 * Convert a decoded form value to ordinary JSON-friendly data: containers whose keys are all list indexes
 * become arrays (in index order, compacted), other containers become plain objects. Depth is already
 * bounded by the decoder.
 */
export function formToPlain(v: FormValue): unknown {
  if (typeof v === 'string') return v;
  const keys = Object.keys(v);
  const n = keys.length;
  let list = n > 0;
  for (let i = 0; list && i < n; i++) list = isIndexKey(keys[i] as string);
  if (list) {
    sortByIndex(keys);
    const arr: unknown[] = [];
    for (let i = 0; i < n; i++) arr.push(formToPlain(v[keys[i] as string] as FormValue));
    return arr;
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = keys[i] as string;
    if (isForbidden(k)) continue; // cannot happen for decoder output; cheap insurance for hand-built input
    out[k] = formToPlain(v[k] as FormValue);
  }
  return out;
}
