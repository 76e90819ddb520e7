/**
 * What a configuration change changed, as a short list of fields with their old and new values. Secret
 * fields (passwords, tokens, keys) never show a value: only that they changed. Values are cut short, and
 * the walk is bounded, so a large script or knowledge text costs the same as a small one.
 */

export interface FieldChange {
  field: string;
  from?: string | null;
  to?: string | null;
  /** A secret: the values are never recorded. */
  secret?: true;
}

const SECRET = /pass(word)?|secret|token|api_?key|private_?key|credential/i;
/** Bookkeeping that changes on every write and says nothing about the change. */
const NOISE = new Set(['updatedAt', 'createdAt', 'updated_at', 'created_at']);
const MAX_VALUE = 80;
const MAX_DEPTH = 3;
const MAX_CHANGES = 30;

export const isSecretKey = (key: string) => SECRET.test(key);

function show(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaves of an object as dotted paths, down to MAX_DEPTH; deeper values and arrays compare whole. */
function leaves(v: unknown, prefix: string, depth: number, out: Map<string, unknown>) {
  if (isPlain(v) && depth < MAX_DEPTH) {
    for (const [k, x] of Object.entries(v)) if (!NOISE.has(k)) leaves(x, prefix ? `${prefix}.${k}` : k, depth + 1, out);
    return;
  }
  out.set(prefix, v);
}

/** The fields that differ between two versions of one configuration object (either side may be null). */
export function diffConfig(before: unknown, after: unknown): FieldChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== null && before !== undefined) leaves(before, '', 0, a);
  if (after !== null && after !== undefined) leaves(after, '', 0, b);
  const changes: FieldChange[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(field);
    const y = b.get(field);
    if (JSON.stringify(x ?? null) === JSON.stringify(y ?? null)) continue;
    if (field.split('.').some(isSecretKey)) changes.push({ field, secret: true });
    else changes.push({ field, from: show(x), to: show(y) });
    if (changes.length >= MAX_CHANGES) break;
  }
  return changes;
}

/** Secret fields a request set, by name only (for objects whose reads never return them, like a mailbox password). */
export function secretFieldsIn(body: unknown, prefix = '', depth = 0): string[] {
  if (!isPlain(body) || depth >= MAX_DEPTH) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isSecretKey(k) && v !== undefined && v !== null && v !== '') out.push(path);
    else out.push(...secretFieldsIn(v, path, depth + 1));
  }
  return out;
}

/** "mode: draft → autopilot; smtp.password: changed" */
export function describeChanges(changes: FieldChange[]): string {
  return changes.map((c) => (c.secret ? `${c.field}: changed` : `${c.field}: ${c.from ?? '—'} → ${c.to ?? '—'}`)).join('; ');
}
