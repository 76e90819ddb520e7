import { z } from 'zod';
import { KommoError } from './errors.js';
import type { Send, SendRequest } from './http.js';
import { listPageSchema, type ListPage } from './schemas.js';
import type { Query, Schema } from './types.js';

export const DEFAULT_PAGE_LIMIT = 250; // Kommo's maximum page size

/**
 * Yields one page (`_embedded[key]`) at a time and follows `_links.next.href`; only the current page is
 * held, so a 100k-lead account syncs in constant memory. A 204 (Kommo's empty list) yields nothing.
 * A next link off the account host is refused by `send` before any request goes out.
 */
export async function* paginate<T>(
  send: Send,
  accountId: number,
  path: string,
  query: Query,
  key: string,
  item: Schema<T> = z.unknown() as Schema<T>,
): AsyncGenerator<T[], void, undefined> {
  const schema = listPageSchema(key, item).nullable();
  let target: SendRequest<unknown>['target'] = { path, query: { ...query, limit: query.limit ?? DEFAULT_PAGE_LIMIT } };
  let previous: string | undefined;
  for (;;) {
    const page: ListPage<T> | null = await send(accountId, { method: 'GET', target, schema });
    if (page === null || page.items.length === 0) return;
    yield page.items;
    if (!page.next) return;
    if (page.next === previous) throw new KommoError(`Kommo pagination of ${path} links a page to itself`);
    previous = page.next;
    target = { url: page.next };
  }
}
