import { Hono } from 'hono';
import type { AppEnv } from '../../app.js';
import { readiness } from './health.service.js';

export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  app.get('/readyz', (c) => {
    const r = readiness(c.get('deps'));
    return c.json(r, r.status === 'ready' ? 200 : 503);
  });
  app.get('/metrics', (c) => {
    return c.text(c.get('deps').metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
