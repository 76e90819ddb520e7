/**
 * The account of a webhook: `account[id]` (integer) and `account[subdomain]` (non-empty) are required,
 * `account[_links][self]` is kept when sent. Not an event family: every delivery has exactly one, read first.
 */
import type { z } from 'zod';
import { zInt, zObj, zOptObj, zOptStr, zStr } from '../fields.js';
import type { FormValue } from '../form.js';
import { int, objectAt, optObj, optStr, run, setIf, str } from '../readers.js';
import { defined } from './common.js';

export interface KommoAccountRef {
  id: number;
  subdomain: string;
  link?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readAccount` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const AccountSchema = zObj({
  id: zInt,
  subdomain: zStr,
  _links: zOptObj({ self: zOptStr }),
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type AccountOut = z.output<typeof AccountSchema>;

const LINKS_KEYS: ReadonlySet<string> = new Set(['self']);

function account(v: FormValue | undefined): AccountOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    subdomain: str(o, 'subdomain'),
    _links: optObj(o, '_links', LINKS_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'self', optStr(x, 'self'));
      return out as { self?: string };
    }),
  };
}

/** Validate the `account[…]` object; throws `FieldError` (message `path: problem`) on the first problem. */
export const readAccount = (v: FormValue | undefined, at: string): AccountOut => run(account, v, at);

/** Read `account[…]`; throws `FieldError` naming the field (`account[id]: expected a number`). */
export function toAccount(value: FormValue | undefined): KommoAccountRef {
  const acc = readAccount(value, 'account');
  return defined({
    id: acc.id,
    subdomain: acc.subdomain,
    link: acc._links?.self,
  });
}
