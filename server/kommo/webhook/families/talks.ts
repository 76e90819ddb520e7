/**
 * Talks family: `talk[add|update][i]` (also sent as `talks[…]`) → `talk` events (a chat conversation taken
 * into work, read, closed). Payload type, zod spec, fast reader, mapping and walker.
 */
import { z } from 'zod';
import { key, versionOf } from '../event-key.js';
import { zObj, zOptBool, zOptInt, zOptStr } from '../fields.js';
import type { FormObject, FormValue } from '../form.js';
import { bad, objectAt, optBool, optInt, optStr, run } from '../readers.js';
import { defined, itemsOf, plainRaw, pushUnknown, type Ctx, type Raw, type UnknownEvent } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export interface TalkPayload {
  talkId: number;
  chatId?: string;
  contactId?: number;
  entityId?: number;
  entityType?: string;
  isInWork?: boolean;
  isRead?: boolean;
  origin?: string;
  createdAt?: number;
  updatedAt?: number;
  raw: Raw;
}

export type TalkAction = 'add' | 'update';

export type TalkEvent = { kind: 'talk'; action: TalkAction; talk: TalkPayload; eventKey: string };

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readTalk` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const TalkSchema = zObj({
  talk_id: zOptInt,
  id: zOptInt,
  chat_id: zOptStr,
  contact_id: zOptInt,
  entity_id: zOptInt,
  entity_type: zOptStr,
  is_in_work: zOptBool,
  is_read: zOptBool,
  origin: zOptStr,
  created_at: zOptInt,
  updated_at: zOptInt,
}).superRefine((t, ctx) => {
  if (t.talk_id === undefined && t.id === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['talk_id'], message: 'is required' });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type TalkOut = z.output<typeof TalkSchema>;

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

/** Validate a talk item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readTalk = (v: FormValue | undefined, at: string): TalkOut => run(talk, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

function toTalk(o: z.output<typeof TalkSchema>, item: FormObject): TalkPayload {
  return defined({
    talkId: (o.talk_id ?? o.id) as number,
    chatId: o.chat_id,
    contactId: o.contact_id,
    entityId: o.entity_id,
    entityType: o.entity_type,
    isInWork: o.is_in_work,
    isRead: o.is_read,
    origin: o.origin,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

const TALK_ACTIONS = new Set<string>(['add', 'update']);

/**
 * `talk[add|update][i]` / `talks[…]` → `talk` events; any other action → `unknown`.
 * Event key "{accountId}:talk:{action}:{talk_id}:{version}:{is_in_work}{is_read}", version = updated_at ??
 * created_at, each flag 1/0/- (so taking a talk into work or reading it is a new event).
 */
export function walkTalks(ctx: Ctx<TalkEvent | UnknownEvent>, entity: string, actions: FormObject): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    if (!TALK_ACTIONS.has(action)) {
      pushUnknown(ctx, entity, action, value);
      continue;
    }
    for (const { item, path } of itemsOf(value, `${entity}[${action}]`)) {
      const talk = toTalk(readTalk(item, path), item);
      const flags = `${talk.isInWork === undefined ? '-' : talk.isInWork ? 1 : 0}${talk.isRead === undefined ? '-' : talk.isRead ? 1 : 0}`;
      ctx.events.push({
        kind: 'talk',
        action: action as TalkAction,
        talk,
        eventKey: key(ctx.accountId, 'talk', action, talk.talkId, versionOf(talk.updatedAt, talk.createdAt), flags),
      });
    }
  }
}
