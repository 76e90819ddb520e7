/**
 * Hand-written validators for the webhook item schemas of `events.ts` (`AccountSchema`, `LeadSchema`, …),
 * built from the primitives of readers.ts (which says what "the same as the schema" means).
 * `validate.test.ts` checks the equivalence against the zod schemas on random items.
 */
import type { z } from 'zod';
import type { AccountSchema } from './events.js';
import type { FormValue } from './form.js';
import {
  int,
  objectAt,
  optObj,
  optStr,
  run,
  setIf,
  str,
} from './readers.js';

export { checked, FieldError } from './readers.js';

export type AccountOut = z.output<typeof AccountSchema>;
// ---------------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------------

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

/** Validate; throws `FieldError` (message `path: problem`) on the first problem. */
export const readAccount = (v: FormValue | undefined, at: string): AccountOut => run(account, v, at);
