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

/** `__proto__`, `constructor`, `prototype` (lengths 9 and 11): a length test first keeps the common case cheap. */
export function isForbidden(seg: string): boolean {
  const n = seg.length;
  return (n === 9 || n === 11) && FORBIDDEN_SEGMENTS.has(seg);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point (they are stripped from error texts)
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

/** Shorten a user-supplied string for an error message. */
export function clip(s: string, max = 60): string {
  const oneLine = s.replace(CONTROL_CHARS, '?');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** True for a canonical list index ("0", "17"; not "01", "-1", "1.0"). Same as `/^(0|[1-9]\d*)$/`. */
export function isIndexKey(key: string): boolean {
  const n = key.length;
  if (n === 0) return false;
  const c0 = key.charCodeAt(0);
  if (c0 === 48 /* 0 */) return n === 1;
  if (c0 < 49 || c0 > 57) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isFormObject(v: unknown): v is FormObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Hex digit value, or -1. */
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** The reference decoder: `+` is a space, then `decodeURIComponent`; null on a bad escape. */
function decodeSlow(s: string): string | null {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return null;
  }
}

/**
 * `+` → space and `%XX` → character, null on a bad escape. Same result as `decodeSlow`; handles the common
 * cases (no escape at all, only ASCII escapes such as `%5B`/`%5D`/`%2F`) without the `decodeURIComponent`
 * round trip, and hands anything else (UTF-8 sequences, bad escapes) to it.
 */
function decodeComponent(s: string): string | null {
  const pct = s.indexOf('%');
  if (pct === -1) return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  let out = '';
  let last = 0;
  const n = s.length;
  for (let i = s.indexOf('+') === -1 ? pct : 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 43 /* + */) {
      out += i > last ? `${s.slice(last, i)} ` : ' ';
      last = i + 1;
    } else if (c === 37 /* % */) {
      if (i + 2 >= n) return decodeSlow(s);
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h < 0 || l < 0 || h >= 8) return decodeSlow(s); // bad escape or a UTF-8 byte: the reference decides
      const ch = String.fromCharCode((h << 4) | l);
      out += i > last ? s.slice(last, i) + ch : ch;
      i += 2;
      last = i + 1;
    }
  }
  return last === 0 ? s : last < n ? out + s.slice(last) : out;
}

/** Split a decoded key into its segments: `a[b][]` → ['a', 'b', '']. Returns an error string on a malformed key. */
function splitKey(key: string, maxDepth: number): string[] | string {
  const open = key.indexOf('[');
  if (open === -1) {
    if (key.includes(']')) return 'unbalanced "]"';
    return [key];
  }
  if (open === 0) return 'empty name before "["';
  const base = key.slice(0, open);
  if (base.includes(']')) return 'unbalanced "]"';
  const segments = [base];
  let pos = open;
  const n = key.length;
  while (pos < n) {
    if (key.charCodeAt(pos) !== 91 /* [ */) return 'text after "]"';
    const close = key.indexOf(']', pos + 1);
    if (close === -1) return 'unclosed "["';
    const inner = key.indexOf('[', pos + 1);
    if (inner !== -1 && inner < close) return 'nested "[" inside brackets';
    segments.push(key.slice(pos + 1, close));
    if (segments.length > maxDepth) return `nested deeper than ${maxDepth} levels`;
    pos = close + 1;
  }
  return segments;
}

/** `%5B` / `%5b` at `i`. */
function isPctOpen(s: string, i: number): boolean {
  return s.charCodeAt(i) === 37 && s.charCodeAt(i + 1) === 53 && (s.charCodeAt(i + 2) | 0x20) === 98;
}

/** `%5D` / `%5d` at `i`. */
function isPctClose(s: string, i: number): boolean {
  return s.charCodeAt(i) === 37 && s.charCodeAt(i + 1) === 53 && (s.charCodeAt(i + 2) | 0x20) === 100;
}

/**
 * Fast path for the usual key shape `name[a][b]…` in `body[from, to)`: brackets literal or percent-encoded
 * (`%5B`/`%5D`, as PHP's http_build_query sends them), no other escape and no `+`. Returns the segments, sliced
 * straight from the body, or null for anything else (another escape, `+`, a stray or nested bracket, text
 * after `]`, deeper than `maxDepth`, longer than `maxKeyLength` decoded…): the general decode-then-split path
 * then decides, errors included. When it returns segments they are exactly what decoding the key and
 * `splitKey` would give, and the decoded key is within the limits.
 */
function scanKey(body: string, from: number, to: number, maxDepth: number, maxKeyLength: number): string[] | null {
  let i = from;
  for (; i < to; i++) {
    const c = body.charCodeAt(i);
    if (c === 91 /* [ */ || c === 93 /* ] */ || c === 37 /* % */ || c === 43 /* + */) break;
  }
  if (i === from) return null;
  const out = [body.slice(from, i)];
  let decoded = i - from;
  while (i < to) {
    if (body.charCodeAt(i) === 91) i += 1;
    else if (i + 2 < to && isPctOpen(body, i)) i += 3;
    else return null;
    const segStart = i;
    let closeLen = 0;
    for (; i < to; i++) {
      const c = body.charCodeAt(i);
      if (c === 93) {
        closeLen = 1;
        break;
      }
      if (c === 37) {
        if (i + 2 < to && isPctClose(body, i)) {
          closeLen = 3;
          break;
        }
        return null;
      }
      if (c === 91 || c === 43) return null;
    }
    if (closeLen === 0 || out.length === maxDepth) return null;
    out.push(body.slice(segStart, i));
    decoded += i - segStart + 2;
    i += closeLen;
  }
  return decoded > maxKeyLength ? null : out;
}

/** The decoded key of a pair the fast path split (only ASCII escapes: cannot fail), for an error message. */
function decodedKey(body: string, from: number, to: number): string {
  const raw = body.slice(from, to);
  return decodeComponent(raw) ?? raw;
}

/** 1 + the highest canonical index among a container's keys (0 when none): where `[]` appends. */
function nextIndexOf(node: FormObject): number {
  let next = 0;
  for (const k in node) if (isIndexKey(k) && Number(k) + 1 > next) next = Number(k) + 1;
  return next;
}

/**
 * Merged limits, cached per frozen `limits` object holding only data properties (e.g. the Kommo limits):
 * such an object cannot change later, so merging it once is the same as merging it on every call.
 */
const mergedLimits = new WeakMap<object, FormLimits>();

function limitsOf(limits: Partial<FormLimits> | undefined): FormLimits {
  if (limits === undefined || limits === null) return DEFAULT_FORM_LIMITS;
  if (typeof limits !== 'object') return { ...DEFAULT_FORM_LIMITS, ...(limits as object) };
  const cached = mergedLimits.get(limits);
  if (cached !== undefined) return cached;
  const merged = { ...DEFAULT_FORM_LIMITS, ...limits };
  if (Object.isFrozen(limits) && Object.values(Object.getOwnPropertyDescriptors(limits)).every((d) => 'value' in d)) {
    mergedLimits.set(limits, Object.freeze(merged));
  }
  return merged;
}

/** Decode a form body into a nested null-prototype object. Never throws. */
export function parseBracketForm(body: string, limits?: Partial<FormLimits>): ParseFormResult {
  try {
    return parseUnsafe(body, limitsOf(limits));
  } catch (e) {
    // Defensive: nothing above is expected to throw, but the contract is "never throws".
    return { ok: false, error: `form decode failed: ${clip(e instanceof Error ? e.message : String(e))}` };
  }
}

function parseUnsafe(body: string, lim: FormLimits): ParseFormResult {
  if (typeof body !== 'string') return { ok: false, error: 'body is not a string' };
  if (body.length > lim.maxBodyLength) return { ok: false, error: `body longer than ${lim.maxBodyLength} characters` };

  const root: FormObject = Object.create(null) as FormObject;
  // Next index for `[]` appends, per container: computed on a container's first `[]` (1 + its highest index),
  // then kept up to date; containers never appended to cost nothing.
  let nextIndex: Map<FormObject, number> | null = null;
  const maxIndexDigits = String(lim.maxIndex).length;
  const maxRawKey = lim.maxKeyLength * 12;
  const len = body.length;
  let pairs = 0;
  let start = 0;
  // Position of the next "=" at or after `start` (-1: none left). Kept across pairs so the body is scanned once.
  let eqPos = body.indexOf('=');
  // The containers the previous pair walked through: `pathSeg[d]` is its segment at depth d (a `[]` as the
  // index it resolved to) and `pathNode[d]` the container under it; `pathLen` entries are valid. Kommo sends
  // an item's keys together (`leads[status][0][id]`, `leads[status][0][name]`, …), so most pairs repeat the
  // previous pair's leading segments: those are re-entered without a lookup. Sound because a container,
  // once made, is never replaced, and those segments already passed every check below.
  const pathSeg: string[] = [];
  const pathNode: FormObject[] = [];
  let pathLen = 0;

  while (start <= len) {
    let amp = body.indexOf('&', start);
    if (amp === -1) amp = len;
    if (amp === start) {
      start = amp + 1;
      continue;
    }

    pairs++;
    if (pairs > lim.maxPairs) return { ok: false, error: `more than ${lim.maxPairs} pairs` };

    if (eqPos !== -1 && eqPos < start) eqPos = body.indexOf('=', start);
    const keyEnd = eqPos === -1 || eqPos > amp ? amp : eqPos;
    const pairStart = start;
    start = amp + 1;
    // A decoded UTF-16 unit comes from at most 9 raw characters (%XX%XX%XX): a cheap bound before decoding.
    if (keyEnd - pairStart > maxRawKey) return { ok: false, error: `pair ${pairs}: key longer than ${lim.maxKeyLength} characters` };

    // `key` (decoded) is needed by the general path, and otherwise only for an error message.
    let key: string | null = null;
    let segments = scanKey(body, pairStart, keyEnd, lim.maxDepth, lim.maxKeyLength);
    if (segments === null) {
      // General path (any other escape, `+`, a malformed or too long key): decode, then split.
      const rawKey = body.slice(pairStart, keyEnd);
      key = decodeComponent(rawKey);
      if (key === null) return { ok: false, error: `pair ${pairs}: bad percent-encoding in key "${clip(rawKey)}"` };
      if (key.length === 0) return { ok: false, error: `pair ${pairs}: empty key` };
      if (key.length > lim.maxKeyLength) return { ok: false, error: `pair ${pairs}: key longer than ${lim.maxKeyLength} characters` };
    }
    const value = keyEnd + 1 >= amp ? '' : decodeComponent(body.slice(keyEnd + 1, amp));
    if (value === null) return { ok: false, error: `${clip(key ?? decodedKey(body, pairStart, keyEnd))}: bad percent-encoding in value` };
    if (segments === null) {
      const split = splitKey(key as string, lim.maxDepth);
      if (typeof split === 'string') return { ok: false, error: `${clip(key as string)}: malformed key (${split})` };
      segments = split;
    }

    const last = segments.length - 1;
    let node = root;
    let i = 0;
    // Re-enter the containers shared with the previous pair (never the leaf: `i < last`).
    while (i < last && i < pathLen && segments[i] === pathSeg[i]) node = pathNode[i++] as FormObject;
    pathLen = i;
    for (; i <= last; i++) {
      let seg = segments[i] as string;
      if (isForbidden(seg)) return { ok: false, error: `${clip(key ?? decodedKey(body, pairStart, keyEnd))}: forbidden key segment "${seg}"` };
      if (seg === '') {
        if (i === 0) return { ok: false, error: `pair ${pairs}: empty key` };
        if (nextIndex === null) nextIndex = new Map();
        let next = nextIndex.get(node);
        if (next === undefined) {
          next = nextIndexOf(node);
          nextIndex.set(node, next);
        }
        seg = String(next);
        segments[i] = seg; // error paths show the index a `[]` resolved to
      }
      if (isIndexKey(seg)) {
        if (seg.length > maxIndexDigits || Number(seg) > lim.maxIndex) {
          return { ok: false, error: `${clip(key ?? decodedKey(body, pairStart, keyEnd))}: index ${clip(seg, 24)} above ${lim.maxIndex}` };
        }
        if (nextIndex !== null) {
          const n = Number(seg);
          const next = nextIndex.get(node);
          if (next !== undefined && n + 1 > next) nextIndex.set(node, n + 1);
        }
      }
      const existing = node[seg];
      if (i === last) {
        if (existing !== undefined && typeof existing !== 'string') {
          return { ok: false, error: `${clip(pathOf(segments, i))}: a value and nested keys at the same path` };
        }
        node[seg] = value;
      } else {
        if (existing === undefined) {
          const child: FormObject = Object.create(null) as FormObject;
          node[seg] = child;
          node = child;
        } else if (typeof existing === 'string') {
          return { ok: false, error: `${clip(pathOf(segments, i))}: a value and nested keys at the same path` };
        } else {
          node = existing;
        }
        pathSeg[i] = seg;
        pathNode[i] = node;
        pathLen = i + 1;
      }
    }
  }
  return { ok: true, value: root };
}

/** `a[b][c]` for segments 0..i (for error messages). */
function pathOf(segments: string[], i: number): string {
  let path = segments[0] as string;
  for (let j = 1; j <= i; j++) path += `[${segments[j] as string}]`;
  return path;
}
