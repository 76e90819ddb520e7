import type { KommoEvent, KommoEventKind } from '../../../kommo/webhook/events.js';
import { contactsHandler } from './contacts.js';
import type { AnyHandler } from './context.js';
import { leadsHandler } from './leads.js';
import { looseHandler } from './loose.js';
import { messagesHandler } from './messages.js';
import { notesHandler } from './notes.js';
import { talksHandler } from './talks.js';
import { tasksHandler } from './tasks.js';

/** Every event family's handler. A new family is one file here and one in kommo/webhook/families/. */
const HANDLERS = [leadsHandler, contactsHandler, notesHandler, tasksHandler, messagesHandler, talksHandler, looseHandler] as unknown as AnyHandler[];

const BY_KIND = new Map<KommoEventKind, AnyHandler>(HANDLERS.flatMap((h) => h.kinds.map((k: KommoEventKind) => [k, h] as const)));

/** The handler for an event's kind; undefined for kinds we store but do not handle (`unknown`). */
export const handlerFor = (e: KommoEvent): AnyHandler | undefined => BY_KIND.get(e.kind);
