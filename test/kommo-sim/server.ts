/** The node:http front: logging, rate limit, faults, auth, routing, latency, response writing. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Faults } from './faults.js';
import { htmlPage, json, problem, type Reply, type Req } from './http-util.js';
import type { OAuthStore } from './oauth.js';
import { isRateLimited, type SlidingWindowLimiter } from './rate-limit.js';
import type { Router } from './router.js';

export interface RequestLog {
  at: number;
  method: string;
  path: string;
  status: number;
}

export interface ServerDeps {
  router: Router;
  oauth: OAuthStore;
  faults: Faults;
  limiter: SlidingWindowLimiter;
  requests: RequestLog[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

async function route(deps: ServerDeps, req: IncomingMessage, at: number, url: URL, rawBody: string): Promise<Reply> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const isApi = path.startsWith('/api/v4/') || path === '/api/v4';
  const isOAuth = path.startsWith('/oauth2/');
  if (isApi) {
    const blocked = deps.faults.blockReply();
    if (blocked) return blocked;
  }
  if (isRateLimited(path)) {
    if (!deps.limiter.tryAcquire(at)) {
      const retry = deps.limiter.retryAfterSec(at);
      return json(
        429,
        { title: 'Too Many Requests', type: 'https://httpstatus.es/429', status: 429, detail: 'Too Many Requests', retry_after: retry },
        { 'retry-after': String(retry) },
      );
    }
  }
  if (isApi) {
    const failed = deps.faults.failReply();
    if (failed) return failed;
    const auth = deps.oauth.checkBearer(req.headers.authorization);
    if (!auth.ok) {
      const detail = {
        missing: 'Authorization header is missing',
        unknown: 'Invalid access token',
        expired: 'Access token has expired',
        revoked: 'Token has been revoked',
      }[auth.reason];
      return problem(401, 'Unauthorized', detail, auth.reason === 'revoked' ? { hint: 'Token has been revoked' } : {});
    }
  }
  const parsed = parseBody(rawBody, String(req.headers['content-type'] ?? ''));
  if (!parsed.ok) return problem(400, 'Bad Request', 'Syntax error: malformed JSON');
  if (isOAuth && path === '/oauth2/access_token' && method === 'POST') return deps.oauth.handle(parsed.value);
  const m = deps.router.match(method, path);
  if (m === null) return isApi ? problem(404, 'Not Found', `No route for ${method} ${path}`) : htmlPage(404, 'Not Found');
  if (m === 'method') return problem(405, 'Method Not Allowed', `${method} is not allowed on ${path}`);
  const r: Req = { method, path, url, query: url.searchParams, params: m.params, body: parsed.value, headers: req.headers };
  return m.handler(r);
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let reply: Reply;
  try {
    const raw = await readBody(req);
    reply = await route(deps, req, at, url, raw);
  } catch (err) {
    console.error('[kommo-sim] handler error', err);
    reply = problem(500, 'Internal Server Error', String((err as Error)?.message ?? err));
  }
  deps.requests.push({ at, method: req.method ?? 'GET', path: url.pathname, status: reply.status });
  if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.raw !== undefined) payload = reply.raw;
  else if (reply.body !== undefined && reply.status !== 204) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??=
      reply.status >= 400 ? 'application/problem+json' : url.pathname.startsWith('/oauth2/') ? 'application/json' : 'application/hal+json';
  }
  if (reply.status !== 204) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 ? undefined : payload);
}

export function createSimServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err) => {
      console.error('[kommo-sim] fatal', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}
