import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  KommoAuthError,
  KommoBlockedError,
  KommoError,
  KommoForbiddenError,
  KommoNotFoundError,
  KommoPaymentRequiredError,
  KommoRateLimitedError,
  KommoResponseError,
  KommoUnavailableError,
  KommoValidationError,
} from './errors.js';
import { BASE, HOST, fakeTokens, testClient } from './test-support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const account = { id: 1, name: 'Acme', subdomain: 'acme', current_user_id: 5, country: 'BR', currency: 'BRL' };

/** Answers the account endpoint with `responses` in turn (the last one repeats); counts requests. */
function accountSequence(...responses: Array<() => Response | Promise<Response>>) {
  const seen: Request[] = [];
  server.use(
    http.get(`${BASE}/api/v4/account`, ({ request }) => {
      seen.push(request);
      const next = responses[Math.min(seen.length - 1, responses.length - 1)] as () => Response;
      return next();
    }),
  );
  return seen;
}

const ok = () => HttpResponse.json(account);

describe('429', () => {
  it('pauses the account for retry_after and retries without spending a 5xx retry', async () => {
    const { api, client, time } = testClient({ maxRetries: 0 });
    const seen = accountSequence(
      () => HttpResponse.json({ retry_after: 2 }, { status: 429 }),
      () => HttpResponse.json({ retry_after: 2 }, { status: 429 }),
      ok,
    );
    const start = time.clock.now();
    await expect(api.getAccount()).resolves.toMatchObject({ id: 1, subdomain: 'acme' });
    expect(seen).toHaveLength(3);
    // The waits happened in the shared limiter (so every caller of the account waited), not in a backoff.
    expect(time.sleeps).toEqual([2000, 2000]);
    expect(time.clock.now() - start).toBe(4000);
    expect(client.limiter.inspect(HOST).pausedUntil).toBe(0);
  });

  it('reads the Retry-After header when the body has no retry_after', async () => {
    const { api, time } = testClient();
    accountSequence(() => new HttpResponse('', { status: 429, headers: { 'retry-after': '3' } }), ok);
    await api.getAccount();
    expect(time.sleeps).toEqual([3000]);
  });

  it('throws KommoRateLimitedError after max429Waits waits', async () => {
    const { api } = testClient({ max429Waits: 2 });
    const seen = accountSequence(() => HttpResponse.json({ retry_after: 1 }, { status: 429 }));
    const err = await api.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoRateLimitedError);
    expect((err as KommoRateLimitedError).retryAfterMs).toBe(1000);
    expect(seen).toHaveLength(3); // the first try plus two waits
  });
});

describe('403 block page', () => {
  const blockPage = () => new HttpResponse('<html><body>Access denied</body></html>', { status: 403, headers: { 'content-type': 'text/html' } });

  it('opens the circuit, calls onBlocked, and fails fast without requests until it ends', async () => {
    const onBlocked = vi.fn();
    const { api, client, time } = testClient({ onBlocked });
    const seen = accountSequence(blockPage, ok);
    const t0 = time.clock.now();

    const first = await api.getAccount().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KommoBlockedError);
    expect((first as KommoBlockedError).until).toBe(t0 + 60_000);
    expect(onBlocked).toHaveBeenCalledWith(1, { until: t0 + 60_000, status: 403 });

    await expect(api.getAccount()).rejects.toBeInstanceOf(KommoBlockedError);
    await expect(api.getAccount()).rejects.toBeInstanceOf(KommoBlockedError);
    expect(seen).toHaveLength(1); // no request while open
    expect(onBlocked).toHaveBeenCalledTimes(1);

    // Other accounts are not affected.
    server.use(http.get(`${BASE}/api/v4/users`, () => new HttpResponse(null, { status: 204 })));
    for await (const page of client.forAccount(2).users()) expect(page).toEqual([]);

    time.clock.advance(60_000);
    await expect(api.getAccount()).resolves.toMatchObject({ id: 1 }); // the probe succeeds
    expect(seen).toHaveLength(2);
    expect(client.forAccount(1)).toBe(api);
  });

  it('doubles the block on a failed probe', async () => {
    const onBlocked = vi.fn();
    const { api, time } = testClient({ onBlocked });
    accountSequence(blockPage);
    const t0 = time.clock.now();
    await expect(api.getAccount()).rejects.toBeInstanceOf(KommoBlockedError);
    time.clock.advance(60_000);
    const again = (await api.getAccount().catch((e: unknown) => e)) as KommoBlockedError;
    expect(again.until).toBe(t0 + 60_000 + 120_000);
    expect(onBlocked).toHaveBeenCalledTimes(2);
  });

  it('treats a body starting with "<" as a block page even without text/html', async () => {
    const { api } = testClient();
    accountSequence(() => new HttpResponse('<!doctype html><p>blocked</p>', { status: 403 }));
    await expect(api.getAccount()).rejects.toBeInstanceOf(KommoBlockedError);
  });

  it('treats a 403 with JSON as a plain forbidden error and keeps the circuit closed', async () => {
    const onBlocked = vi.fn();
    const { api } = testClient({ onBlocked });
    const seen = accountSequence(() => HttpResponse.json({ title: 'Forbidden', status: 403 }, { status: 403 }));
    const err = await api.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoForbiddenError);
    expect(err).toBeInstanceOf(KommoError);
    expect(err).not.toBeInstanceOf(KommoBlockedError);
    await expect(api.getAccount()).rejects.toBeInstanceOf(KommoForbiddenError);
    expect(seen).toHaveLength(2);
    expect(onBlocked).not.toHaveBeenCalled();
  });
});

describe('401', () => {
  it('refreshes once and retries with the new token', async () => {
    const { api, tokens } = testClient();
    const seen = accountSequence(() => new HttpResponse(null, { status: 401 }), ok);
    await expect(api.getAccount()).resolves.toMatchObject({ id: 1 });
    expect(tokens.refreshAfter401).toHaveBeenCalledExactlyOnceWith(1, 't1');
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('throws KommoAuthError on a second 401', async () => {
    const { api, tokens } = testClient();
    const seen = accountSequence(() => new HttpResponse(null, { status: 401 }));
    const err = await api.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoAuthError);
    expect((err as KommoAuthError).reauthRequired).toBe(true);
    expect(tokens.refreshAfter401).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(2);
  });

  it('passes on the KommoAuthError a failed refresh throws', async () => {
    const refreshError = new KommoAuthError('refresh token revoked', { reauthRequired: true });
    const { api } = testClient({ tokens: fakeTokens({ refreshError }) });
    accountSequence(() => new HttpResponse(null, { status: 401 }));
    await expect(api.getAccount()).rejects.toBe(refreshError);
  });
});

describe('5xx, network errors and timeouts', () => {
  it('retries with jittered backoff, then throws KommoUnavailableError', async () => {
    const { api, time } = testClient({ maxRetries: 3 });
    const seen = accountSequence(() => new HttpResponse('bad gateway', { status: 502 }));
    const err = await api.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoUnavailableError);
    expect((err as KommoUnavailableError).status).toBe(502);
    expect(seen).toHaveLength(4);
    expect(time.sleeps).toHaveLength(3);
    // equal jitter on 500 ms · 2^n: each delay within [half, full] of its step
    time.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(250 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(500 * 2 ** i);
    });
  });

  it('recovers when a retry succeeds, for writes too', async () => {
    const { api } = testClient();
    let calls = 0;
    server.use(
      http.patch(`${BASE}/api/v4/leads/7`, () => {
        calls += 1;
        return calls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ id: 7, updated_at: 100 });
      }),
    );
    await expect(api.updateLead(7, { price: 10 })).resolves.toMatchObject({ id: 7, updated_at: 100 });
    expect(calls).toBe(2);
  });

  it('retries network errors', async () => {
    const { api } = testClient();
    const seen = accountSequence(() => HttpResponse.error(), ok);
    await expect(api.getAccount()).resolves.toMatchObject({ id: 1 });
    expect(seen).toHaveLength(2);
  });

  it('times out slow answers and names the timeout when retries run out', async () => {
    const { api } = testClient({ timeoutMs: 50, maxRetries: 1 });
    const seen = accountSequence(async () => {
      await delay(1000);
      return ok();
    });
    const err = await api.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoUnavailableError);
    expect((err as Error).message).toMatch(/timed out after 50 ms/);
    expect(seen).toHaveLength(2);
  });
});

describe('other answers', () => {
  it('keeps the validation-errors body of a 400', async () => {
    const { api } = testClient();
    const body = { title: 'Bad Request', 'validation-errors': [{ request_id: '0', errors: [{ code: 'NotSupportedChoice', path: 'note_type' }] }] };
    server.use(http.post(`${BASE}/api/v4/leads/notes`, () => HttpResponse.json(body, { status: 400 })));
    const err = (await api.createNotes('leads', [{ entity_id: 1, note_type: 'mail_message', params: {} }]).catch((e: unknown) => e)) as KommoValidationError;
    expect(err).toBeInstanceOf(KommoValidationError);
    expect(err.body).toEqual(body);
    expect(err.validationErrors).toHaveLength(1);
    expect(err.message).not.toContain('NotSupportedChoice'); // bodies stay out of messages
  });

  it('maps 402 and 404', async () => {
    const { api } = testClient();
    server.use(
      http.get(`${BASE}/api/v4/leads/404`, () => HttpResponse.json({ title: 'Not found' }, { status: 404 })),
      http.get(`${BASE}/api/v4/leads/402`, () => new HttpResponse(null, { status: 402 })),
    );
    await expect(api.getLead(404)).rejects.toBeInstanceOf(KommoNotFoundError);
    await expect(api.getLead(402)).rejects.toBeInstanceOf(KommoPaymentRequiredError);
  });

  it('rejects a malformed response naming the path', async () => {
    const { api } = testClient();
    server.use(
      http.get(`${BASE}/api/v4/leads/pipelines`, () =>
        HttpResponse.json({
          _embedded: {
            pipelines: [{ id: 1, name: 'Sales', sort: 1, _embedded: { statuses: [{ id: 142, name: 'Won', sort: 10000, pipeline_id: '1' }] } }],
          },
        }),
      ),
    );
    const err = await api.pipelines().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoResponseError);
    expect((err as Error).message).toContain('_embedded.pipelines.0._embedded.statuses.0.pipeline_id');
    expect((err as Error).message).toContain('/api/v4/leads/pipelines');
  });

  it('tolerates unknown fields and returns them', async () => {
    const { api } = testClient();
    accountSequence(() => HttpResponse.json({ ...account, brand_new_field: { x: 1 }, _embedded: { task_types: [{ id: 1, name: 'Follow-up', color: null }] } }));
    const got = await api.getAccount(['task_types']);
    expect(got._embedded?.task_types?.[0]?.name).toBe('Follow-up');
    expect((got as Record<string, unknown>).brand_new_field).toEqual({ x: 1 });
  });

  it('sends the with parameter, a bearer token and JSON bodies', async () => {
    const { api } = testClient();
    const seen = accountSequence(ok);
    await api.getAccount(['task_types', 'users_groups']);
    expect(new URL(seen[0]!.url).searchParams.get('with')).toBe('task_types,users_groups');

    let body: unknown;
    server.use(
      http.post(`${BASE}/api/v4/webhooks`, async ({ request }) => {
        expect(request.headers.get('content-type')).toBe('application/json');
        body = await request.json();
        return HttpResponse.json({ id: 3, destination: 'https://x.test/h', settings: ['add_lead'], created_at: 1 });
      }),
    );
    await expect(api.subscribeWebhook('https://x.test/h', ['add_lead'])).resolves.toMatchObject({ id: 3 });
    expect(body).toEqual({ destination: 'https://x.test/h', settings: ['add_lead'] });
  });

  it('unsubscribes with a DELETE body and accepts a 204', async () => {
    const { api } = testClient();
    let body: unknown;
    server.use(
      http.delete(`${BASE}/api/v4/webhooks`, async ({ request }) => {
        body = await request.json();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await api.unsubscribeWebhook('https://x.test/h');
    expect(body).toEqual({ destination: 'https://x.test/h' });
  });
});

describe('salesbotContinue', () => {
  it('posts to a return_url on the account host', async () => {
    const { api } = testClient();
    let body: unknown;
    server.use(
      http.post(`${BASE}/api/v4/salesbot/12/continue/34`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({});
      }),
    );
    await api.salesbotContinue(`${BASE}/api/v4/salesbot/12/continue/34`, { data: { reply: 'hi' }, execute_handlers: [] });
    expect(body).toEqual({ data: { reply: 'hi' }, execute_handlers: [] });
  });

  it.each([
    ['another host', 'https://evil.test/api/v4/salesbot/12/continue/34'],
    ['a lookalike host', 'https://acme.kommo.com.evil.test/api/v4/salesbot/12/continue/34'],
    ['plain http', 'http://acme.kommo.com/api/v4/salesbot/12/continue/34'],
    ['another path', `${BASE}/api/v4/leads`],
    ['not a URL', '/api/v4/salesbot/12/continue/34'],
  ])('refuses %s without sending anything', async (_name, url) => {
    const { api } = testClient();
    const hits: string[] = [];
    server.use(
      http.all('*', ({ request }) => {
        hits.push(request.url);
        return HttpResponse.json({});
      }),
    );
    const err = await api.salesbotContinue(url, { data: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KommoError);
    expect(hits).toEqual([]);
  });
});
