import type { Db } from '../../../db/client.js';
import type { ActivityRow } from '../../../db/schema/index.js';
import type { Clock } from '../../lib/clock.js';
import { badRequest } from '../../lib/errors.js';
import { insertActivities, insertActivity, listActivity, type FeedQuery, type NewActivity } from './activity.repo.js';

export type { ActivityParams, NewActivity } from './activity.repo.js';

export function createActivityService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  /** Modules whose entries are written in batches after the fact (the rules' verdicts): brought up to date before the feed is read. */
  const sources: ((accountId: number) => void)[] = [];
  const sync = (accountId: number) => {
    for (const catchUp of sources) catchUp(accountId);
  };
  return {
    write(entry: NewActivity): ActivityRow {
      return insertActivity(db, entry, clock.now());
    },
    /** Entries for things that happened earlier, each dated when it happened (a source catching up writes them). */
    writeAllAt(entries: { entry: NewActivity; at: number }[]): void {
      insertActivities(db, entries);
    },
    /** Register a source of entries written after the fact; `catchUp` writes an account's pending ones (in its own transactions). */
    addSource(catchUp: (accountId: number) => void) {
      sources.push(catchUp);
    },
    /** Write the account's pending entries from every source now (the feed does before each read). */
    sync,

    feed(q: Omit<FeedQuery, 'before'> & { cursor?: string }) {
      sync(q.accountId);
      const before = q.cursor ? decodeCursor(q.cursor) : undefined;
      const rows = listActivity(db, { ...q, before, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > q.limit && last ? encodeCursor(last) : null;
      return { items: items.map(toDto), nextCursor };
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;

function encodeCursor(row: { createdAt: number; id: number }): string {
  return Buffer.from(`${row.createdAt}:${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: number } {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest('Invalid cursor: pass the nextCursor value from the previous page', [{ field: 'cursor', message: 'not a cursor from this feed' }]);
  return { createdAt: Number(m[1]), id: Number(m[2]) };
}

function toDto(r: ActivityRow) {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    description: r.description,
    userId: r.userId,
    agentId: r.agentId,
    leadId: r.leadId,
    metadata: r.metadata ?? {},
    params: r.params ?? null,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}
