import { Hono } from 'hono';
import type { Env } from '../../env.js';
import type { AppEnv } from '../../http/env.js';
import type { Metrics } from '../../lib/metrics.js';
import type { HealthService } from './health.service.js';
import { operatorAccess } from './operator.js';
import { statusPage } from './status.page.js';
import type { StatusService } from './status.service.js';

export function healthRoutes(health: HealthService, status: StatusService, metrics: Metrics, env: Env) {
  const app = new Hono<AppEnv>();
  const operator = operatorAccess(env);
  /** The front page: HTML for a person, the same data as JSON for `Accept: application/json`. */
  app.get('/', (c) => {
    const s = status.status();
    const wantsJson = /application\/json/.test(c.req.header('accept') ?? '') && !/text\/html/.test(c.req.header('accept') ?? '');
    return wantsJson ? c.json(s, 200) : c.html(statusPage(s), 200);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  /** Ready or not for anyone (a load balancer's probe); the details (database errors, lag, integrations) for operators only. */
  app.get('/readyz', (c) => {
    const r = health.readiness();
    const code = r.status === 'ready' ? 200 : 503;
    return operator.allowed(c) ? c.json(r, code) : c.json({ status: r.status }, code);
  });
  app.get('/metrics', (c) => {
    operator.require(c);
    return c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
