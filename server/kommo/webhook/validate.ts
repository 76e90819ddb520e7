/**
 * Hand-written validators for the webhook item schemas of `events.ts` (`AccountSchema`, `LeadSchema`, …),
 * built from the primitives of readers.ts (which says what "the same as the schema" means).
 * `validate.test.ts` checks the equivalence against the zod schemas on random items.
 */
import type { z } from 'zod';
import type { AccountSchema, TalkSchema } from './events.js';
import type { FormValue } from './form.js';
import {
  bad,
  int,
  objectAt,
  optBool,
  optInt,
  optObj,
  optStr,
  run,
  setIf,
  str,
} from './readers.js';

export { checked, FieldError } from './readers.js';

export type AccountOut = z.output<typeof AccountSchema>;
export type TalkOut = z.output<typeof TalkSchema>;

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

function talk(v: FormValue | undefined): TalkOut {
  const o = objectAt(v);
  const out: TalkOut = {
    talk_id: optInt(o, 'talk_id'),
    id: optInt(o, 'id'),
    chat_id: optStr(o, 'chat_id'),
    contact_id: optInt(o, 'contact_id'),
    entity_id: optInt(o, 'entity_id'),
    entity_type: optStr(o, 'entity_type'),
    is_in_work: optBool(o, 'is_in_work'),
    is_read: optBool(o, 'is_read'),
    origin: optStr(o, 'origin'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
  };
  if (out.talk_id === undefined && out.id === undefined) bad('talk_id', 'is required');
  return out;
}

/** Validate; throws `FieldError` (message `path: problem`) on the first problem. */
export const readAccount = (v: FormValue | undefined, at: string): AccountOut => run(account, v, at);
export const readTalk = (v: FormValue | undefined, at: string): TalkOut => run(talk, v, at);
