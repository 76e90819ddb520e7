import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KommoError } from './errors.js';
import { BASE, testClient } from './test-support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const lead = (id: number) => ({
  id,
  name: `Lead ${id}`,
  price: 0,
  responsible_user_id: 5,
  status_id: 10,
  pipeline_id: 1,
  created_at: 1_700_000_000,
  updated_at: 1_700_000_000 + id,
  custom_fields_values: null,
});

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('paginate', () => {
  it('treats a 204 as an empty list', async () => {
    const { api } = testClient();
    server.use(http.get(`${BASE}/api/v4/leads`, () => new HttpResponse(null, { status: 204 })));
    expect(await collect(api.leads())).toEqual([]);
  });

  it('follows next links page by page and stops at the last', async () => {
    const { api } = testClient();
    const urls: URL[] = [];
    server.use(
      http.get(`${BASE}/api/v4/leads`, ({ request }) => {
        const url = new URL(request.url);
        urls.push(url);
        const page = Number(url.searchParams.get('page') ?? '1');
        const next = page < 3 ? { next: { href: `${BASE}/api/v4/leads?page=${page + 1}&limit=2` } } : {};
        return HttpResponse.json({
          _page: page,
          _links: { self: { href: url.href }, ...next },
          _embedded: { leads: [lead(page * 10 + 1), lead(page * 10 + 2)] },
        });
      }),
    );

    const pages: number[][] = [];
    for await (const page of api.leads({ updatedFrom: 1_700_000_000, with: ['contacts'], ids: [11, 12] })) {
      pages.push(page.map((l) => l.id));
    }
    expect(pages).toEqual([
      [11, 12],
      [21, 22],
      [31, 32],
    ]);
    expect(urls).toHaveLength(3);
    const first = urls[0]!.searchParams;
    expect(first.get('limit')).toBe('250');
    expect(first.get('order[updated_at]')).toBe('asc');
    expect(first.get('filter[updated_at][from]')).toBe('1700000000');
    expect(first.get('with')).toBe('contacts');
    expect(first.getAll('filter[id][0]')).toEqual(['11']);
    expect(first.getAll('filter[id][1]')).toEqual(['12']);
    // Later pages use Kommo's link as given.
    expect(urls[1]!.search).toBe('?page=2&limit=2');
  });

  it('is lazy: stopping early sends no further requests', async () => {
    const { api } = testClient();
    let requests = 0;
    server.use(
      http.get(`${BASE}/api/v4/users`, () => {
        requests += 1;
        return HttpResponse.json({
          _links: { next: { href: `${BASE}/api/v4/users?page=${requests + 1}` } },
          _embedded: { users: [{ id: requests, name: 'U', email: null }] },
        });
      }),
    );
    for await (const page of api.users()) {
      expect(page).toHaveLength(1);
      break;
    }
    expect(requests).toBe(1);
  });

  it.each([
    ['a foreign host', 'https://evil.test/api/v4/leads?page=2'],
    ['a lookalike host', 'https://acme.kommo.com.evil.test/api/v4/leads?page=2'],
    ['a downgrade to http', 'http://acme.kommo.com/api/v4/leads?page=2'],
  ])('refuses a next link to %s', async (_name, href) => {
    const { api } = testClient();
    const hits: string[] = [];
    server.use(
      http.get(`${BASE}/api/v4/leads`, ({ request }) => {
        hits.push(request.url);
        return HttpResponse.json({ _links: { next: { href } }, _embedded: { leads: [lead(1)] } });
      }),
      http.all('*', ({ request }) => {
        hits.push(request.url);
        return HttpResponse.json({ _embedded: { leads: [] } });
      }),
    );
    const pages: number[][] = [];
    const err = await (async () => {
      for await (const page of api.leads()) pages.push(page.map((l) => l.id));
    })().catch((e: unknown) => e);
    expect(pages).toEqual([[1]]);
    expect(err).toBeInstanceOf(KommoError);
    expect((err as Error).message).toMatch(/not the account host/);
    expect(hits).toHaveLength(1);
  });

  it('stops with an error when a page links to itself', async () => {
    const { api } = testClient();
    let requests = 0;
    server.use(
      http.get(`${BASE}/api/v4/contacts`, () => {
        requests += 1;
        return HttpResponse.json({
          _links: { next: { href: `${BASE}/api/v4/contacts?page=2` } },
          _embedded: { contacts: [{ id: 1, name: 'C', responsible_user_id: 5, created_at: 1, updated_at: 2 }] },
        });
      }),
    );
    await expect(collect(api.contacts())).rejects.toThrow(/links a page to itself/);
    expect(requests).toBe(2);
  });

  it('pages events at 100 with comma-separated filters', async () => {
    const { api } = testClient();
    let query: URLSearchParams | undefined;
    server.use(
      http.get(`${BASE}/api/v4/events`, ({ request }) => {
        query = new URL(request.url).searchParams;
        return HttpResponse.json({
          _embedded: {
            events: [
              { id: '01abc', type: 'lead_status_changed', entity_id: 3, entity_type: 'lead', created_by: 0, created_at: 5, value_after: [], value_before: [] },
            ],
          },
        });
      }),
    );
    const pages = await collect(api.events({ types: ['incoming_chat_message', 'lead_status_changed'], entity: 'lead', createdFrom: 1000 }));
    expect(pages[0]?.[0]?.id).toBe('01abc');
    expect(query?.get('limit')).toBe('100');
    expect(query?.get('filter[type]')).toBe('incoming_chat_message,lead_status_changed');
    expect(query?.get('filter[entity]')).toBe('lead');
    expect(query?.get('filter[created_at][from]')).toBe('1000');
  });

  it('findContacts returns the first page of a search', async () => {
    const { api } = testClient();
    server.use(
      http.get(`${BASE}/api/v4/contacts`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('query')).toBe('+5511999');
        return HttpResponse.json({
          _links: { next: { href: `${BASE}/api/v4/contacts?page=2` } },
          _embedded: { contacts: [{ id: 9, name: 'Ana', responsible_user_id: 5, created_at: 1, updated_at: 2 }] },
        });
      }),
    );
    await expect(api.findContacts('+5511999')).resolves.toMatchObject([{ id: 9 }]);
  });
});
