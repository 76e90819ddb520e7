import type { SimCore } from './core.js';
import { json, noContent, type Reply, type Req } from './http-util.js';

type Orderable = { id: number; updated_at?: number; created_at?: number };

/**
 * `order[field]=asc|desc` (first recognised key wins; default id asc, or `fallback`).
 * Stable: ties keep id order, so paging over equal updated_at values is deterministic.
 */
export function applyOrder<T extends Orderable>(
  items: T[],
  q: URLSearchParams,
  fields: readonly ('id' | 'updated_at' | 'created_at')[] = ['id', 'updated_at', 'created_at'],
  fallback: { field: 'id' | 'updated_at' | 'created_at'; dir: 'asc' | 'desc' } = { field: 'id', dir: 'asc' },
): T[] {
  let field = fallback.field;
  let dir = fallback.dir;
  for (const [k, v] of q) {
    const m = /^order\[(\w+)\]$/.exec(k);
    const f = m?.[1] as (typeof fields)[number] | undefined;
    if (f && fields.includes(f)) {
      field = f;
      dir = v.toLowerCase() === 'desc' ? 'desc' : 'asc';
      break;
    }
  }
  const sign = dir === 'asc' ? 1 : -1;
  if (field === 'id') {
    if (isSortedById(items, sign)) return items;
    return items.sort((a, b) => sign * (a.id - b.id));
  }
  return items.sort((a, b) => sign * ((a[field] ?? 0) - (b[field] ?? 0) || a.id - b.id));
}

function isSortedById(items: Orderable[], sign: number): boolean {
  for (let i = 1; i < items.length; i++) if (sign * (items[i]!.id - items[i - 1]!.id) < 0) return false;
  return true;
}

export function pageParams(q: URLSearchParams, maxLimit = 250, defLimit = 50): { page: number; limit: number } {
  const p = Number(q.get('page') ?? 1);
  const l = Number(q.get('limit') ?? defLimit);
  const page = Number.isInteger(p) && p >= 1 ? p : 1;
  const limit = Number.isInteger(l) && l >= 1 ? Math.min(l, maxLimit) : defLimit;
  return { page, limit };
}

/** Absolute href of the same request with page/limit replaced (filters preserved). */
export function pageHref(core: SimCore, req: Req, page: number, limit: number): string {
  const q = new URLSearchParams(req.query);
  q.delete('page');
  q.delete('limit');
  q.set('page', String(page));
  q.set('limit', String(limit));
  return `${core.baseUrl}${req.path}?${q.toString()}`;
}

/** One page of `items` as a Kommo list; empty page → 204 with no body. */
export function listReply<T>(
  core: SimCore,
  req: Req,
  key: string,
  items: T[],
  serialize: (t: T) => unknown,
  opts: { maxLimit?: number; defLimit?: number; totals?: boolean } = {},
): Reply {
  const { page, limit } = pageParams(req.query, opts.maxLimit, opts.defLimit);
  const start = (page - 1) * limit;
  const slice = items.slice(start, start + limit);
  if (slice.length === 0) return noContent();
  const links: Record<string, { href: string }> = { self: { href: pageHref(core, req, page, limit) } };
  if (start + limit < items.length) links.next = { href: pageHref(core, req, page + 1, limit) };
  if (page > 1) links.prev = { href: pageHref(core, req, page - 1, limit) };
  const body: Record<string, unknown> = {};
  if (opts.totals) {
    body._total_items = items.length;
    body._page_count = Math.ceil(items.length / limit);
  }
  body._page = page;
  body._links = links;
  body._embedded = { [key]: slice.map(serialize) };
  return json(200, body);
}
