/**
 * Hand-written validators for the webhook item schemas of `events.ts` (`AccountSchema`, `LeadSchema`, …),
 * built from the primitives of readers.ts (which says what "the same as the schema" means).
 * `validate.test.ts` checks the equivalence against the zod schemas on random items.
 */
import type { z } from 'zod';
import type { AccountSchema, MessageSchema, TalkSchema } from './events.js';
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
export type MessageOut = z.output<typeof MessageSchema>;
export type TalkOut = z.output<typeof TalkSchema>;

// ---------------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------------

const LINKS_KEYS: ReadonlySet<string> = new Set(['self']);
const NO_KEYS: ReadonlySet<string> = new Set();
const AUTHOR_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'name', 'avatar_url']);
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

function message(v: FormValue | undefined): MessageOut {
  const o = objectAt(v);
  return {
    id: str(o, 'id'),
    chat_id: optStr(o, 'chat_id'),
    talk_id: optInt(o, 'talk_id'),
    contact_id: optInt(o, 'contact_id'),
    text: optStr(o, 'text'),
    created_at: optInt(o, 'created_at'),
    element_type: optInt(o, 'element_type'),
    element_id: optInt(o, 'element_id'),
    entity_type: optStr(o, 'entity_type'),
    entity_id: optInt(o, 'entity_id'),
    type: optStr(o, 'type'),
    origin: optStr(o, 'origin'),
    author: optObj(o, 'author', AUTHOR_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'id', optStr(x, 'id'));
      setIf(out, x, 'type', optStr(x, 'type'));
      setIf(out, x, 'name', optStr(x, 'name'));
      setIf(out, x, 'avatar_url', optStr(x, 'avatar_url'));
      return out as NonNullable<MessageOut['author']>;
    }),
    attachment: optObj(o, 'attachment', NO_KEYS, () => ({})),
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
export const readMessage = (v: FormValue | undefined, at: string): MessageOut => run(message, v, at);
export const readTalk = (v: FormValue | undefined, at: string): TalkOut => run(talk, v, at);
