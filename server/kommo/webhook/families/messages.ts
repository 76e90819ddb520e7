/**
 * Messages family: chat messages. `message[add]` items with `type=outgoing` (the `add_outgoing_message`
 * subscription) → `direction: 'outgoing'`; anything else under `message[add]` is incoming.
 * `outgoing_message[add]` (seen in one third-party test, UNCONFIRMED) is read as outgoing too.
 * Payload type, zod spec, fast reader, mapping and walker.
 */
import type { z } from 'zod';
import { key } from '../event-key.js';
import { zObj, zOptInt, zOptObj, zOptStr, zStr } from '../fields.js';
import type { FormObject, FormValue } from '../form.js';
import { formToPlain } from '../form-values.js';
import { objectAt, optInt, optObj, optStr, run, setIf, str } from '../readers.js';
import { defined, itemsOf, plainRaw, pushUnknown, type Ctx, type Raw, type UnknownEvent, type Walker } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export interface MessageAuthor {
  id?: string;
  /** As sent: "external" (the client), "internal" (a user), "bot", … */
  type?: string;
  name?: string;
  avatarUrl?: string;
  [key: string]: unknown;
}

export interface MessagePayload {
  id: string;
  chatId?: string;
  talkId?: number;
  contactId?: number;
  text: string;
  createdAt?: number;
  elementType?: number;
  elementId?: number;
  entityType?: string;
  entityId?: number;
  /** As sent: "incoming" / "outgoing". */
  type?: string;
  origin?: string;
  author?: MessageAuthor;
  /** Who wrote it, from `author[type]`: external → contact; internal/user → user; bot/integration/system → bot. */
  sender: 'contact' | 'user' | 'bot' | 'unknown';
  attachment?: Record<string, unknown>;
  raw: Raw;
}

export type MessageEvent = {
  kind: 'message';
  action: 'add';
  direction: 'incoming' | 'outgoing';
  message: MessagePayload;
  eventKey: string;
};

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readMessage` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const MessageSchema = zObj({
  id: zStr,
  chat_id: zOptStr,
  talk_id: zOptInt,
  contact_id: zOptInt,
  text: zOptStr,
  created_at: zOptInt,
  element_type: zOptInt,
  element_id: zOptInt,
  entity_type: zOptStr,
  entity_id: zOptInt,
  type: zOptStr,
  origin: zOptStr,
  author: zOptObj({ id: zOptStr, type: zOptStr, name: zOptStr, avatar_url: zOptStr }),
  attachment: zOptObj({}),
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type MessageOut = z.output<typeof MessageSchema>;

const NO_KEYS: ReadonlySet<string> = new Set();

const AUTHOR_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'name', 'avatar_url']);

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

/** Validate a message item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readMessage = (v: FormValue | undefined, at: string): MessageOut => run(message, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

function senderOf(authorType: string | undefined): MessagePayload['sender'] {
  switch (authorType?.trim().toLowerCase()) {
    case 'external':
    case 'contact':
    case 'client':
      return 'contact';
    case 'internal':
    case 'user':
    case 'manager':
      return 'user';
    case 'bot':
    case 'salesbot':
    case 'integration':
    case 'system':
    case 'robot':
      return 'bot';
    default:
      return 'unknown';
  }
}

function toMessage(o: z.output<typeof MessageSchema>, item: FormObject): MessagePayload {
  let author: MessageAuthor | undefined;
  if (o.author) {
    const { id, type, name, avatar_url, ...rest } = o.author;
    author = defined({ ...(formToPlain(rest as FormValue) as Record<string, unknown>), id, type, name, avatarUrl: avatar_url });
  }
  return defined({
    id: o.id,
    chatId: o.chat_id,
    talkId: o.talk_id,
    contactId: o.contact_id,
    text: o.text ?? '',
    createdAt: o.created_at,
    elementType: o.element_type,
    elementId: o.element_id,
    entityType: o.entity_type,
    entityId: o.entity_id,
    type: o.type,
    origin: o.origin,
    author,
    sender: senderOf(o.author?.type),
    attachment: o.attachment ? (formToPlain(o.attachment as FormValue) as Record<string, unknown>) : undefined,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

/**
 * `message[add][i]` / `outgoing_message[add][i]` → `message` events; any other action → `unknown`.
 * Event key "{accountId}:message:add:{message id}" (a message id is a uuid, unique per message).
 */
function walkMessageEntity(ctx: Ctx<MessageEvent | UnknownEvent>, entity: string, actions: FormObject, forceOutgoing: boolean): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    if (action !== 'add') {
      pushUnknown(ctx, entity, action, value);
      continue;
    }
    for (const { item, path } of itemsOf(value, `${entity}[${action}]`)) {
      const message = toMessage(readMessage(item, path), item);
      const direction = forceOutgoing || message.type?.trim().toLowerCase() === 'outgoing' ? 'outgoing' : 'incoming';
      ctx.events.push({
        kind: 'message',
        action: 'add',
        direction,
        message,
        eventKey: key(ctx.accountId, 'message', 'add', message.id),
      });
    }
  }
}

export const walkMessages: Walker<MessageEvent | UnknownEvent> = (ctx, entity, actions) => walkMessageEntity(ctx, entity, actions, false);
export const walkOutgoingMessages: Walker<MessageEvent | UnknownEvent> = (ctx, entity, actions) => walkMessageEntity(ctx, entity, actions, true);
