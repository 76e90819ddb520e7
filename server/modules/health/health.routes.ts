import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { Metrics } from '../../lib/metrics.js';
import type { HealthService } from './health.service.js';
import { statusPage } from './status.page.js';
import type { StatusService } from './status.service.js';

export function healthRoutes(health: HealthService, status: StatusService, metrics: Metrics) {
  const app = new Hono<AppEnv>();
  /** The front page: HTML for a person, the same data as JSON for `Accept: application/json`. */
  app.get('/', (c) => {
    const s = status.status();
    const wantsJson = /application\/json/.test(c.req.header('accept') ?? '') && !/text\/html/.test(c.req.header('accept') ?? '');
    return wantsJson ? c.json(s, 200) : c.html(statusPage(s), 200);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  app.get('/readyz', (c) => {
    const r = health.readiness();
    return c.json(r, r.status === 'ready' ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
}
