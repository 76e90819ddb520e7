import type { FieldValues } from '../../../../db/schema/index.js';
import type { Env } from '../../../env.js';
import type { JobQueue } from '../../../jobs/queue.js';
import type { KommoEvent, KommoEventKind, KommoEventOf } from '../../../kommo/webhook/events.js';
import type { CustomField } from '../../../kommo/webhook/fields.js';
import type { EventBus } from '../../../lib/bus.js';
import type { Clock } from '../../../lib/clock.js';
import type { Notifier } from '../../../lib/ports.js';
import type { ActivityService } from '../../activity/activity.service.js';
import type { ConversationsRepo } from '../../conversations/conversations.repo.js';
import type { OwnWrites } from '../../kommo/own-writes.js';
import type { MirrorReadRepo } from '../../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../../mirror/mirror.repo.js';
import type { RecordsRepo } from '../../mirror/records.repo.js';
import type { BurstsRepo } from '../bursts.repo.js';

/** What the handlers may use: database-only work that joins the event's transaction, and the bus. */
export interface HandlerDeps {
  env: Pick<Env, 'WEBHOOK_BURST_WINDOW_MS'>;
  clock: Clock;
  queue: JobQueue;
  tx<T>(fn: () => T): T;
  bus: EventBus;
  activity: ActivityService;
  ownWrites: OwnWrites;
  mirror: MirrorRepo;
  records: RecordsRepo;
  read: MirrorReadRepo;
  conversations: ConversationsRepo;
  bursts: BurstsRepo;
  notifier: Notifier;
  /** The account's settings: its language for the notices a handler sends. */
  accounts: { settings(accountId: number): Record<string, unknown> };
}

/** What every webhook handler gets: its deps, the account, and the stored event's id. */
export interface HandlerCtx {
  deps: HandlerDeps;
  accountId: number;
  eventId: number;
}

/** One event family's handler: which kinds it takes, how they are ordered and named, and what it does. */
export interface FamilyHandler<K extends KommoEventKind = KommoEventKind> {
  kinds: readonly K[];
  /** Events with the same key run in order (everything about one lead, one contact, one talk). */
  serialKey(accountId: number, e: KommoEventOf<K>): string | undefined;
  /** The Kommo entity the event is about, stored beside it. */
  entityId(e: KommoEventOf<K>): string | null;
  /** Synchronous: runs inside the event's (group-committed) transaction. No network calls. */
  handle(ctx: HandlerCtx, e: KommoEventOf<K>): void;
}

export const defineHandler = <K extends KommoEventKind>(h: FamilyHandler<K>): FamilyHandler<K> => h;

/** A handler as the lookup table holds it: it takes any event of its kinds (the table routes by kind). */
export type AnyHandler = Omit<FamilyHandler, 'serialKey' | 'entityId' | 'handle'> & {
  serialKey(accountId: number, e: KommoEvent): string | undefined;
  entityId(e: KommoEvent): string | null;
  handle(ctx: HandlerCtx, e: KommoEvent): void;
};

export const leadKey = (accountId: number, id?: number | null) => (id ? `lead:${accountId}:${id}` : undefined);

export const preview = (text: string | undefined | null, n = 80) => {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

export const userName = (ctx: HandlerCtx, userId: number | null | undefined): string =>
  userId ? (ctx.deps.read.userName(ctx.accountId, userId) ?? `user #${userId}`) : 'nobody';

export const leadLabel = (ctx: HandlerCtx, leadId: number, name?: string | null): string =>
  name || ctx.deps.read.leadName(ctx.accountId, leadId) || `lead #${leadId}`;

export const openLeadOfContact = (ctx: HandlerCtx, contactId: number | undefined | null): number | null =>
  contactId ? ctx.deps.read.openLeadOfContact(ctx.accountId, contactId) : null;

/** v2 webhook custom fields → the mirror's v4-shaped field values. */
export function v2Fields(fields: CustomField[]): FieldValues {
  return fields.map((f) => ({
    field_id: f.id,
    field_code: f.code ?? null,
    field_name: f.name ?? null,
    values: f.values.map((v) => ({ value: v.value, enum_id: v.enum ?? null, enum_code: v.enumCode ?? null })),
  }));
}

export const valuesByCode = (fields: FieldValues, code: string) =>
  fields
    .filter((f) => f.field_code === code)
    .flatMap((f) => f.values.map((v) => String(v.value ?? '').trim()))
    .filter(Boolean);
