import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { Metrics } from '../../lib/metrics.js';
import type { HealthService } from './health.service.js';

export function healthRoutes(health: HealthService, metrics: Metrics) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  app.get('/readyz', (c) => {
    const r = health.readiness();
    return c.json(r, r.status === 'ready' ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
}
