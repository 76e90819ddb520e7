/**
 * `application/x-www-form-urlencoded` with PHP-style bracket keys (`a[b][0][c]=v`) → a nested object.
 *
 * Kommo posts every webhook (and sometimes the Digital Pipeline request) in this shape. The input is
 * attacker-controlled (webhook URLs are not signed), so the decoder is defensive:
 *  - every container is built with `Object.create(null)`, and the segments `__proto__`, `constructor`,
 *    `prototype` are refused outright, so nothing can reach `Object.prototype`;
 *  - numeric segments stay object keys (no sparse-array allocation); an index above `maxIndex` is refused;
 *  - body length, pair count, key length and depth are bounded;
 *  - a scalar and an object at the same path (`a=1&a[b]=2`) is a conflict, reported, not a crash;
 *  - a bad percent escape (`%zz`, `%E0%A4` cut short) is reported.
 * It never throws: every problem is `{ ok: false, error }`.
 *
 * Semantics otherwise follow PHP's `parse_str`: `+` is a space, a pair without `=` has the value `""`,
 * empty pairs (`&&`) are skipped, a repeated scalar key keeps the last value, `a[]=x` appends at
 * (highest numeric index + 1).
 */

export type FormValue = string | FormObject;
/** A container built with a null prototype. Numeric segments are canonical-integer string keys ("0", "1", …). */
export interface FormObject {
  [key: string]: FormValue;
}

export interface FormLimits {
  /** Max body length in characters. */
  maxBodyLength: number;
  /** Max number of `key=value` pairs. */
  maxPairs: number;
  /** Max length of a decoded key (whole `a[b][c]` string). */
  maxKeyLength: number;
  /** Max number of segments in a key, the base name included (`a[b][c]` is 3). */
  maxDepth: number;
  /** Max numeric segment (list index). */
  maxIndex: number;
}

export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  maxBodyLength: 1_000_000,
  maxPairs: 5_000,
  maxKeyLength: 256,
  maxDepth: 8,
  maxIndex: 10_000,
});

export type ParseFormResult = { ok: true; value: FormObject } | { ok: false; error: string };

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const CANONICAL_INDEX = /^(0|[1-9]\d*)$/;

/** Shorten a user-supplied string for an error message. */
export function clip(s: string, max = 60): string {
  const oneLine = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** True for a canonical list index ("0", "17"; not "01", "-1", "1.0"). */
export function isIndexKey(key: string): boolean {
  return CANONICAL_INDEX.test(key);
}

export function isFormObject(v: unknown): v is FormObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeComponent(s: string): string | null {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return null;
  }
}

/** Split a decoded key into its segments: `a[b][]` → ['a', 'b', '']. Returns an error string on a malformed key. */
function splitKey(key: string, maxDepth: number): string[] | string {
  const open = key.indexOf('[');
  if (open === -1) {
    if (key.includes(']')) return 'unbalanced "]"';
    return [key];
  }
  const base = key.slice(0, open);
  if (base.length === 0) return 'empty name before "["';
  if (base.includes(']')) return 'unbalanced "]"';
  const segments = [base];
  let pos = open;
  while (pos < key.length) {
    if (key[pos] !== '[') return 'text after "]"';
    const close = key.indexOf(']', pos + 1);
    if (close === -1) return 'unclosed "["';
    const seg = key.slice(pos + 1, close);
    if (seg.includes('[')) return 'nested "[" inside brackets';
    segments.push(seg);
    if (segments.length > maxDepth) return `nested deeper than ${maxDepth} levels`;
    pos = close + 1;
  }
  return segments;
}

/** Decode a form body into a nested null-prototype object. Never throws. */
export function parseBracketForm(body: string, limits?: Partial<FormLimits>): ParseFormResult {
  try {
    return parseUnsafe(body, { ...DEFAULT_FORM_LIMITS, ...(limits ?? {}) });
  } catch (e) {
    // Defensive: nothing above is expected to throw, but the contract is "never throws".
    return { ok: false, error: `form decode failed: ${clip(e instanceof Error ? e.message : String(e))}` };
  }
}

function parseUnsafe(body: string, lim: FormLimits): ParseFormResult {
  if (typeof body !== 'string') return { ok: false, error: 'body is not a string' };
  if (body.length > lim.maxBodyLength) return { ok: false, error: `body longer than ${lim.maxBodyLength} characters` };

  const root: FormObject = Object.create(null) as FormObject;
  // Next index for `[]` appends, per container.
  const nextIndex = new WeakMap<FormObject, number>();
  const maxIndexDigits = String(lim.maxIndex).length;
  let pairs = 0;
  let start = 0;

  while (start <= body.length) {
    let amp = body.indexOf('&', start);
    if (amp === -1) amp = body.length;
    const pair = body.slice(start, amp);
    start = amp + 1;
    if (pair.length === 0) continue;

    pairs++;
    if (pairs > lim.maxPairs) return { ok: false, error: `more than ${lim.maxPairs} pairs` };

    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    // A decoded UTF-16 unit comes from at most 9 raw characters (%XX%XX%XX): a cheap bound before decoding.
    if (rawKey.length > lim.maxKeyLength * 12) return { ok: false, error: `pair ${pairs}: key longer than ${lim.maxKeyLength} characters` };

    const key = decodeComponent(rawKey);
    if (key === null) return { ok: false, error: `pair ${pairs}: bad percent-encoding in key "${clip(rawKey)}"` };
    if (key.length === 0) return { ok: false, error: `pair ${pairs}: empty key` };
    if (key.length > lim.maxKeyLength) return { ok: false, error: `pair ${pairs}: key longer than ${lim.maxKeyLength} characters` };
    const value = decodeComponent(rawValue);
    if (value === null) return { ok: false, error: `${clip(key)}: bad percent-encoding in value` };

    const segments = splitKey(key, lim.maxDepth);
    if (typeof segments === 'string') return { ok: false, error: `${clip(key)}: malformed key (${segments})` };

    let node = root;
    let path = '';
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i] as string;
      if (FORBIDDEN_SEGMENTS.has(seg)) return { ok: false, error: `${clip(key)}: forbidden key segment "${seg}"` };
      if (seg === '') {
        if (i === 0) return { ok: false, error: `pair ${pairs}: empty key` };
        seg = String(nextIndex.get(node) ?? 0);
      }
      if (isIndexKey(seg)) {
        if (seg.length > maxIndexDigits || Number(seg) > lim.maxIndex) {
          return { ok: false, error: `${clip(key)}: index ${clip(seg, 24)} above ${lim.maxIndex}` };
        }
        const n = Number(seg);
        if (n + 1 > (nextIndex.get(node) ?? 0)) nextIndex.set(node, n + 1);
      }
      path = i === 0 ? seg : `${path}[${seg}]`;
      const isLeaf = i === segments.length - 1;
      const existing = node[seg];
      if (isLeaf) {
        if (existing !== undefined && typeof existing !== 'string') {
          return { ok: false, error: `${clip(path)}: a value and nested keys at the same path` };
        }
        node[seg] = value;
      } else if (existing === undefined) {
        const child: FormObject = Object.create(null) as FormObject;
        node[seg] = child;
        node = child;
      } else if (typeof existing === 'string') {
        return { ok: false, error: `${clip(path)}: a value and nested keys at the same path` };
      } else {
        node = existing;
      }
    }
  }
  return { ok: true, value: root };
}

/**
 * The numeric-keyed entries of a container, ordered by index (a "list" in Kommo's form shape).
 * Returns null when the container has any non-index key.
 */
export function listEntries(obj: FormObject): Array<[string, FormValue]> | null {
  const out: Array<[string, FormValue]> = [];
  for (const k of Object.keys(obj)) {
    if (!isIndexKey(k)) return null;
    out.push([k, obj[k] as FormValue]);
  }
  // Integer-like keys already enumerate in ascending order; sort anyway so the contract does not rest on that.
  out.sort((a, b) => Number(a[0]) - Number(b[0]));
  return out;
}

/**
 * Convert a decoded form value to ordinary JSON-friendly data: containers whose keys are all list indexes
 * become arrays (in index order, compacted), other containers become plain objects. Depth is already
 * bounded by the decoder.
 */
export function formToPlain(v: FormValue): unknown {
  if (typeof v === 'string') return v;
  const entries = listEntries(v);
  if (entries !== null && entries.length > 0) return entries.map(([, x]) => formToPlain(x));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_SEGMENTS.has(k)) continue; // cannot happen for decoder output; cheap insurance for hand-built input
    out[k] = formToPlain(v[k] as FormValue);
  }
  return out;
}
