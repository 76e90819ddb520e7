import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { randomUUID } from 'node:crypto';
import type { JtiRepo } from './http/auth-jtis.repo.js';
import type { AppEnv } from './http/env.js';
import { widgetAuth } from './http/widget-auth.js';
import { isAllowedKommoHost } from './kommo/hosts.js';
import { bodyLimit } from './lib/body.js';
import { AppError, titleFor, type ErrorCode } from './lib/errors.js';
import type { Platform } from './platform.js';

export type { AppEnv } from './http/env.js';

/** The HTTP app: request ids and logs, the body limit, CORS and widget auth for /api, the modules' routes, one onError. */
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

  app.use(
    '*',
    bodyLimit(deps.env.BODY_LIMIT_BYTES, () => {
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${deps.env.BODY_LIMIT_BYTES} bytes`);
    }),
  );

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
  app.use('/api/*', widgetAuth(deps));

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
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': requestId },
    });
  });

  return app;
}
