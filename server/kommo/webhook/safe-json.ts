/**
 * JSON from untrusted input (Kommo note texts/metadata, Digital Pipeline bodies), made safe to hand on:
 * `JSON.parse` itself never pollutes a prototype, but it creates own `__proto__` keys that a later
 * `Object.assign`/merge would turn into prototype writes. `sanitizeJson` rebuilds the value without the keys
 * `__proto__`, `constructor`, `prototype`, bounded in depth and breadth. Nothing here throws.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 16;
const MAX_ITEMS = 10_000;

export function sanitizeJson(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => sanitizeJson(x, depth + 1));
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(k)) continue;
    if (++n > MAX_ITEMS) break;
    out[k] = sanitizeJson((v as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}

export type SafeJsonResult = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJsonSafe(text: string): SafeJsonResult {
  try {
    return { ok: true, value: sanitizeJson(JSON.parse(text) as unknown) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.slice(0, 120) : 'invalid JSON' };
  }
}

/** A JSON object embedded in a string (e.g. a call note's text), or null when the string is not one. */
export function jsonObjectIn(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (!t.startsWith('{') || t.length > 200_000) return null;
  const r = parseJsonSafe(t);
  return r.ok && r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? (r.value as Record<string, unknown>) : null;
}
