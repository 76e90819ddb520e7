import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { randomUUID } from 'node:crypto';
import type { JtiRepo } from './http/auth-jtis.repo.js';
import { clientIp, rateKeyForIp } from './http/client-ip.js';
import type { AppEnv } from './http/env.js';
import { RateLimiter, rateLimit, type RateRule } from './http/rate-limit.js';
import { widgetAuth } from './http/widget-auth.js';
import { isAllowedKommoHost } from './kommo/hosts.js';
import { bodyLimit } from './lib/body.js';
import { AppError, titleFor, type ErrorCode } from './lib/errors.js';
import type { Platform } from './platform.js';

export type { AppEnv } from './http/env.js';

/** Digital Pipeline and Salesbot bodies are a few hundred bytes; nothing legitimate comes near this. */
export const HOOK_BODY_LIMIT_BYTES = 64 * 1024;
/** The one route with a larger body limit (KNOWLEDGE_UPLOAD_MAX_BYTES, base64). */
const KNOWLEDGE_UPLOAD_PATH = '/api/knowledge/upload';

/**
 * The HTTP app: request ids and logs, the body limits, rate limits on the public endpoints, CORS and
 * widget auth for /api, the modules' routes, one onError.
 */
export function createApp(deps: Pick<Platform, 'env' | 'clock' | 'logger' | 'metrics'> & { jtis: JtiRepo }, routes: Hono<AppEnv>[]) {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    const ms = performance.now() - started;
    // The route pattern, never the raw path: webhook URLs carry per-account secrets.
    const route = c.req.routePath || 'unmatched';
    deps.metrics.observeRequest(c.req.method, route, c.res.status, ms / 1000);
    deps.logger.info({ requestId, method: c.req.method, route, status: c.res.status, durationMs: Math.round(ms * 10) / 10 }, 'request');
  });

  const generalLimit = bodyLimit(deps.env.BODY_LIMIT_BYTES, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${deps.env.BODY_LIMIT_BYTES} bytes`);
  });
  // A knowledge file arrives base64 in JSON (4/3 of its size) with its name: room for the largest allowed file.
  const uploadBytes = Math.max(deps.env.BODY_LIMIT_BYTES, Math.ceil((deps.env.KNOWLEDGE_UPLOAD_MAX_BYTES * 4) / 3) + 64 * 1024);
  const uploadLimit = bodyLimit(uploadBytes, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${uploadBytes} bytes`);
  });
  app.use('*', (c, next) => (c.req.path === KNOWLEDGE_UPLOAD_PATH ? uploadLimit(c, next) : generalLimit(c, next)));

  app.use(
    '/api/*',
    cors({
      origin: (origin) => {
        try {
          const u = new URL(origin);
          const loopbackOk = deps.env.KOMMO_ALLOW_INSECURE_LOOPBACK && (u.protocol === 'http:' || u.protocol === 'https:');
          if (u.protocol !== 'https:' && !loopbackOk) return null;
          return isAllowedKommoHost(u.host, deps.env.KOMMO_ALLOWED_HOSTS, deps.env.KOMMO_ALLOW_INSECURE_LOOPBACK) ? origin : null;
        } catch {
          return null;
        }
      },
      allowHeaders: ['X-Auth-Token', 'Content-Type', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );
  // Rate limits by client address on everything a stranger can call. Kommo's own webhooks
  // (/webhooks/kommo/:secret) are not limited: they carry an unguessable per-account secret, and a 429
  // there would lose events Kommo does not resend for long. Per-account limits apply once the account is
  // verified: here for /api (from the token), in the webhooks and oauth modules for the hooks.
  const { env } = deps;
  const limiter = new RateLimiter({ clock: deps.clock, maxKeys: env.RATE_LIMIT_MAX_KEYS });
  const rule = (name: string, perMinute: number): RateRule => ({ name, perMinute });
  const rules = {
    apiIp: rule('api-ip', env.RATE_LIMIT_API_PER_MIN),
    apiAccount: rule('api-account', env.RATE_LIMIT_API_PER_MIN),
    hooksIp: rule('hooks-ip', env.RATE_LIMIT_HOOKS_IP_PER_MIN),
    uninstallIp: rule('uninstall-ip', env.RATE_LIMIT_HOOKS_IP_PER_MIN),
    oauthIp: rule('oauth-ip', env.RATE_LIMIT_OAUTH_PER_MIN),
    oauthHost: rule('oauth-host', env.RATE_LIMIT_OAUTH_PER_MIN),
  };
  const ip = (c: Parameters<typeof clientIp>[0]) => rateKeyForIp(clientIp(c, env.TRUST_PROXY));
  const hookBodyLimit = bodyLimit(HOOK_BODY_LIMIT_BYTES, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${HOOK_BODY_LIMIT_BYTES} bytes`);
  });
  for (const path of ['/webhooks/dp', '/webhooks/dp/*', '/salesbot/*']) {
    app.use(path, hookBodyLimit);
    app.use(
      path,
      rateLimit(limiter, (c) => [{ rule: rules.hooksIp, key: ip(c) }]),
    );
  }
  app.use(
    '/oauth/uninstall',
    rateLimit(limiter, (c) => [{ rule: rules.uninstallIp, key: ip(c) }]),
  );
  app.use(
    '/oauth/start',
    rateLimit(limiter, (c) => [{ rule: rules.oauthIp, key: ip(c) }]),
  );
  // The callback sends our client secret to the referer's host: limited per caller and per target host.
  app.use(
    '/oauth/callback',
    rateLimit(limiter, (c) => [
      { rule: rules.oauthIp, key: ip(c) },
      { rule: rules.oauthHost, key: c.req.query('referer')?.trim().toLowerCase().slice(0, 255) },
    ]),
  );
  app.use(
    '/api/*',
    rateLimit(limiter, (c) => [{ rule: rules.apiIp, key: ip(c) }]),
  );
  app.use('/api/*', widgetAuth(deps));
  app.use(
    '/api/*',
    rateLimit(limiter, (c) => [{ rule: rules.apiAccount, key: String(c.get('auth').accountId) }]),
  );

  for (const r of routes) app.route('/', r);

  app.notFound(() => {
    throw new AppError('NOT_FOUND', 'No such endpoint');
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? randomUUID();
    let code: ErrorCode = 'INTERNAL';
    let detail = 'Something went wrong on our side. The error has been logged; try again later.';
    let extra: Record<string, unknown> = {};
    if (err instanceof AppError) {
      code = err.code;
      detail = err.message;
      if (err.extra.errors) extra.errors = err.extra.errors;
      if (err.extra.meta) extra = { ...extra, ...err.extra.meta };
    } else if (err instanceof HTTPException) {
      code = err.status === 413 ? 'PAYLOAD_TOO_LARGE' : err.status === 401 ? 'UNAUTHORIZED' : err.status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
      if (code !== 'INTERNAL') detail = err.message || titleFor(code);
    }
    const status = err instanceof AppError ? err.status : code === 'INTERNAL' ? 500 : (err as HTTPException).status;
    if (status >= 500 && code === 'INTERNAL') deps.logger.error({ err, requestId }, 'unhandled error');
    const body = {
      type: `https://errors.kommo-agent.dev/${code.toLowerCase().replace(/_/g, '-')}`,
      title: (err instanceof AppError && err.extra.title) || titleFor(code),
      status,
      detail,
      code,
      requestId,
      ...extra,
    };
    const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': requestId };
    if (code === 'RATE_LIMITED' && typeof extra.retryAfter === 'number') headers['retry-after'] = String(extra.retryAfter);
    return new Response(JSON.stringify(body), { status, headers });
  });

  return app;
}
