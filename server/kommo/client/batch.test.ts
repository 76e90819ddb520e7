import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chunk } from './batch.js';
import { KommoResponseError } from './errors.js';
import { BASE, testClient } from './test-support.js';
import type { NewNote } from './types.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const notes = (n: number): NewNote[] => Array.from({ length: n }, (_, i) => ({ entity_id: 1000 + i, note_type: 'common', params: { text: `note ${i}` } }));

/** Answers a batch POST with one id per entity (entity_id + 1e6), rows in reverse, request_id set. */
function echoIds(path: string, key: string, sizes: number[], opts: { failFirstWith?: number } = {}) {
  let failed = false;
  server.use(
    http.post(`${BASE}${path}`, async ({ request }) => {
      const body = (await request.json()) as Array<{ entity_id: number }>;
      sizes.push(body.length);
      if (opts.failFirstWith && !failed) {
        failed = true;
        return new HttpResponse(null, { status: opts.failFirstWith });
      }
      const rows = body.map((n, i) => ({ id: n.entity_id + 1_000_000, request_id: String(i) })).reverse();
      return HttpResponse.json({ _embedded: { [key]: rows } });
    }),
  );
}

describe('chunk', () => {
  it('splits into pieces of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 50)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('batched writes', () => {
  it('sends 120 notes as 3 sequential requests of at most 50 and returns ids in input order', async () => {
    const { api } = testClient();
    const sizes: number[] = [];
    echoIds('/api/v4/leads/notes', 'notes', sizes);
    const ids = await api.createNotes('leads', notes(120));
    expect(sizes).toEqual([50, 50, 20]);
    expect(ids).toEqual(notes(120).map((n) => n.entity_id + 1_000_000));
  });

  it('honours batchSize up to 250 and refuses more', async () => {
    const { api } = testClient();
    const sizes: number[] = [];
    echoIds('/api/v4/contacts/notes', 'notes', sizes);
    await api.createNotes('contacts', notes(300), { batchSize: 250 });
    expect(sizes).toEqual([250, 50]);
    await expect(api.createNotes('contacts', notes(3), { batchSize: 251 })).rejects.toThrow(RangeError);
  });

  it('halves a batch that timed out at the gateway (504) instead of resending it whole', async () => {
    const { api } = testClient();
    const sizes: number[] = [];
    echoIds('/api/v4/tasks', 'tasks', sizes, { failFirstWith: 504 });
    const tasks = notes(50).map((n) => ({ text: 'call back', complete_till: 1, entity_id: n.entity_id, entity_type: 'leads' as const }));
    const ids = await api.createTasks(tasks);
    expect(sizes).toEqual([50, 25, 25]);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe(1_001_000);
  });

  it('updates leads in batches and returns their ids in order', async () => {
    const { api } = testClient();
    const sizes: number[] = [];
    server.use(
      http.patch(`${BASE}/api/v4/leads`, async ({ request }) => {
        const body = (await request.json()) as Array<{ id: number }>;
        sizes.push(body.length);
        return HttpResponse.json({ _embedded: { leads: body.map((l, i) => ({ id: l.id, updated_at: 5, request_id: String(i) })) } });
      }),
    );
    const patches = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, status_id: 142 }));
    await expect(api.updateLeads(patches, { batchSize: 3 })).resolves.toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('throws when Kommo answers for fewer entities than sent', async () => {
    const { api } = testClient();
    server.use(http.post(`${BASE}/api/v4/leads`, () => HttpResponse.json({ _embedded: { leads: [{ id: 1, request_id: '0' }] } })));
    await expect(api.createLeads([{ name: 'a' }, { name: 'b' }])).rejects.toBeInstanceOf(KommoResponseError);
  });

  it('collects created calls and the calls Kommo could not match', async () => {
    const { api } = testClient();
    server.use(
      http.post(`${BASE}/api/v4/calls`, () =>
        HttpResponse.json({
          _embedded: {
            calls: [{ id: 1, entity_id: 9, entity_type: 'contact', request_id: '0' }],
            errors: [{ request_id: '1', status: 404, title: 'Entity not found' }],
          },
        }),
      ),
    );
    const call = { direction: 'inbound' as const, duration: 30, source: 'ai', phone: '+1' };
    const res = await api.createCalls([call, { ...call, phone: '+2' }]);
    expect(res.created).toMatchObject([{ id: 1, entity_id: 9 }]);
    expect(res.errors).toHaveLength(1);
  });
});
