import { backoffDelay } from '../../jobs/backoff.js';
import { kommoBaseUrl } from '../hosts.js';
import type { BlockCircuit } from './circuit.js';
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
import type { RateLimiter } from './limiter.js';
import { buildQuery } from './query.js';
import type { HttpMethod, KommoClientDeps, Query, Schema } from './types.js';

/** A 429 asking for longer than this is handed to the job queue instead of holding a worker. */
const MAX_429_WAIT_IN_CALL_MS = 60_000;
/** Kommo's window is one second; a 429 without (or with a zero) retry_after still waits that long. */
const MIN_429_WAIT_MS = 1000;
const BACKOFF = { baseMs: 500, capMs: 8000 };

export interface SendRequest<T> {
  method: HttpMethod;
  /** `{path}` relative to the account host, or `{url}` absolute (must be on the account host). */
  target: { path: string; query?: Query } | { url: string };
  body?: unknown;
  schema: Schema<T>;
  /** 5xx statuses to give up on at once (batch writes shrink on 504 instead of resending the same size). */
  noRetryStatuses?: readonly number[];
}

export type Send = <T>(accountId: number, req: SendRequest<T>) => Promise<T>;

/**
 * One Kommo call: pacing, the block circuit, one token refresh on 401, 429 pauses, and jittered retries
 * on 5xx/network/timeout, then the body is checked against the schema.
 *
 * Writes (POST/PATCH/DELETE) are retried like reads. That is deliberate: Kommo writes in this app are
 * idempotent by our own design (PATCH sets absolute values; creates run from keyed jobs that check what
 * exists first), so resending one whose answer was lost is safe. A write that cannot be repeated must
 * not go through this path unchanged.
 */
export function createSend(deps: KommoClientDeps, limiter: RateLimiter, circuit: BlockCircuit, sleep: (ms: number) => Promise<void>): Send {
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const maxRetries = deps.maxRetries ?? 3;
  const max429Waits = deps.max429Waits ?? 5;
  const log = deps.logger;

  return async function send<T>(accountId: number, req: SendRequest<T>): Promise<T> {
    let access = await deps.tokens.getAccess(accountId);
    let refreshed = false;
    let retries = 0;
    let waits429 = 0;

    for (;;) {
      const url = resolveUrl(access.host, deps.allowInsecureLoopback, req);
      const label = `Kommo ${req.method} ${url.pathname}`;
      const where = { accountId, method: req.method, path: url.pathname };

      circuit.check(accountId); // fail fast before queueing behind the limiter
      // Paced per account host: the install probe (no account id yet) shares the budget with later calls.
      const release = await limiter.acquireHeld(access.host, timeoutMs + 1000);
      const probe = circuit.enter(accountId);

      let res: Response;
      let text: string;
      try {
        res = await deps.fetch(url, {
          method: req.method,
          headers: headersFor(access.accessToken, req.body !== undefined),
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          // A redirect would carry the bearer token to wherever Kommo points; treat it as an error instead.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
        release();
      } catch (err) {
        release();
        circuit.settle(accountId, probe, 'inconclusive');
        const reason = isTimeout(err) ? `timed out after ${timeoutMs} ms` : 'network error';
        if (retries < maxRetries) {
          retries += 1;
          const delayMs = backoffDelay(retries, BACKOFF);
          log?.warn({ ...where, reason, attempt: retries, delayMs }, 'kommo request failed, retrying');
          await sleep(delayMs);
          continue;
        }
        throw new KommoUnavailableError(`${label} ${reason} (after ${retries} retries)`, { cause: err });
      }

      const status = res.status;
      if (status === 403 && isHtml(res, text)) {
        const { until, opened } = circuit.block(accountId, probe);
        if (opened) {
          log?.warn({ ...where, status, until }, 'kommo blocked the integration (403 HTML); circuit open');
          try {
            deps.onBlocked?.(accountId, { until, status });
          } catch (err) {
            // The block must still surface as KommoBlockedError, whatever the hook did.
            log?.warn({ ...where, error: err instanceof Error ? err.name : 'unknown' }, 'kommo onBlocked hook failed');
          }
        }
        throw new KommoBlockedError(until);
      }
      circuit.settle(accountId, probe, status >= 500 ? 'inconclusive' : 'api');

      const json = parseJson(text);

      if (status === 401) {
        if (refreshed) throw new KommoAuthError(`${label} → 401 after a token refresh`, { status, reauthRequired: true });
        refreshed = true;
        log?.info(where, 'kommo answered 401; refreshing the token once');
        access = await deps.tokens.refreshAfter401(accountId, access.accessToken);
        continue;
      }

      if (status === 429) {
        const waitMs = retryAfterMs(res, json.value, deps.clock.now());
        limiter.pause(access.host, waitMs); // every caller of this account waits, not just this one
        waits429 += 1;
        if (waits429 > max429Waits || waitMs > MAX_429_WAIT_IN_CALL_MS) throw new KommoRateLimitedError(waitMs);
        log?.warn({ ...where, status, waitMs, wait: waits429 }, 'kommo rate limited; pausing the account');
        continue;
      }

      if (status >= 500) {
        if (retries < maxRetries && !req.noRetryStatuses?.includes(status)) {
          retries += 1;
          const delayMs = backoffDelay(retries, BACKOFF);
          log?.warn({ ...where, status, attempt: retries, delayMs }, 'kommo server error, retrying');
          await sleep(delayMs);
          continue;
        }
        throw new KommoUnavailableError(`${label} → ${status} (after ${retries} retries)`, { status });
      }

      if (status < 200 || status > 299) throw errorFor(label, status, json.value);

      if (!json.ok) throw new KommoResponseError(`${label}: response is not JSON`, { status });
      return validate(label, req.schema, json.value, status);
    }
  };
}

function resolveUrl(host: string, allowInsecureLoopback: boolean, req: SendRequest<unknown>): URL {
  if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:]+\])(?::\d{1,5})?$/i.test(host)) {
    throw new KommoError(`Kommo account host is not a plain host name`);
  }
  const base = new URL(kommoBaseUrl(host, allowInsecureLoopback));
  if ('url' in req.target) {
    let url: URL;
    try {
      url = new URL(req.target.url);
    } catch {
      throw new KommoError(`Refusing Kommo ${req.method}: not an absolute URL`);
    }
    // Origin, not just host: an http:// link on the right host would still send the token in clear.
    if (url.origin !== base.origin) {
      throw new KommoError(`Refusing Kommo ${req.method} to ${url.host}: not the account host ${base.host}`);
    }
    return url;
  }
  const { path, query } = req.target;
  if (!path.startsWith('/') || path.startsWith('//')) throw new KommoError(`Kommo path must start with one "/": ${path}`);
  const url = new URL(path, base);
  if (query) for (const [k, v] of buildQuery(query)) url.searchParams.append(k, v);
  return url;
}

function headersFor(token: string, hasBody: boolean): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (hasBody) h['content-type'] = 'application/json';
  return h;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function isHtml(res: Response, text: string): boolean {
  return (res.headers.get('content-type') ?? '').toLowerCase().includes('text/html') || text.trimStart().startsWith('<');
}

/** An empty body (204) parses as null so list schemas can call it an empty page. */
function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

function retryAfterMs(res: Response, body: unknown, now: number): number {
  const fromBody = isRecord(body) ? Number(body.retry_after) : Number.NaN;
  let ms = Number.isFinite(fromBody) ? fromBody * 1000 : Number.NaN;
  const header = res.headers.get('retry-after');
  if (Number.isNaN(ms) && header) {
    const secs = Number(header);
    ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - now;
  }
  return Math.max(MIN_429_WAIT_MS, Number.isFinite(ms) ? Math.ceil(ms) : 0);
}

function errorFor(label: string, status: number, body: unknown): KommoError {
  const title = isRecord(body) && typeof body.title === 'string' ? `: ${body.title.slice(0, 100)}` : '';
  const message = `${label} → ${status}${title}`;
  switch (status) {
    case 400:
      return new KommoValidationError(message, body);
    case 402:
      return new KommoPaymentRequiredError(message);
    case 403:
      return new KommoForbiddenError(message);
    case 404:
      return new KommoNotFoundError(message);
    default:
      return new KommoError(message, { status });
  }
}

function validate<T>(label: string, schema: Schema<T>, value: unknown, status: number): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  // No `cause`: zod issues can quote received values, and error chains end up in logs.
  throw new KommoResponseError(`${label}: unexpected response at ${issues.join('; ')}`, { status });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
