/**
 * Event keys: the dedupe key of every parsed webhook event (Kommo's retries and duplicate deliveries).
 * The formula is below; what each family uses as id, version and extra parts is written at its walker
 * (families/*.ts), and `unknown` events at `pushUnknown` (families/common.ts).
 */
import { createHash } from 'node:crypto';

// eventKey = "{accountId}:{kind}:{action}:{id}:{version}[:{extra}]" — every part after the account id is
// URI-encoded; a missing part is "-". Identical for a re-delivery of the same item (Kommo retries send the
// same body), different once the entity changes again.
//
// hash(data) (`hashOf`, for items with nothing else to tell them apart) = first 24 hex chars of
// sha256(JSON.stringify(plain data)).
//
// Limitation: an entity change that carries no timestamp (Kommo's `leads[delete]` sends id/status/pipeline
// only) keys the same each time: a second delete of the same lead after a restore looks like a duplicate.

/** Characters `encodeURIComponent` leaves as they are: A–Z a–z 0–9 - _ . ! ~ * ' ( ) */
function isUnreserved(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 ||
    c === 95 ||
    c === 46 ||
    c === 33 ||
    c === 126 ||
    c === 42 ||
    c === 39 ||
    c === 40 ||
    c === 41
  );
}

function part(v: string | number | boolean | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = String(v);
  // Ids and timestamps need no escaping: skip encodeURIComponent unless some character does.
  for (let i = 0; i < s.length; i++) if (!isUnreserved(s.charCodeAt(i))) return encodeURIComponent(s);
  return s;
}

export function key(accountId: number, ...parts: Array<string | number | boolean | undefined>): string {
  let out = String(accountId);
  for (const p of parts) out += `:${part(p)}`;
  return out;
}

export function hashOf(data: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(data) ?? 'undefined';
  } catch {
    json = String(data);
  }
  return createHash('sha256').update(json).digest('hex').slice(0, 24);
}

export function versionOf(...vs: Array<number | string | undefined>): number | string | undefined {
  for (const v of vs) if (v !== undefined && v !== '') return v;
  return undefined;
}
