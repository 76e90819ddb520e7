import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { Access } from './access.service.js';

export function accessRoutes(access: Access) {
  const app = new Hono<AppEnv>();
  /** Who the widget is talking to: it hides what this user may not do (the server still enforces it). */
  app.get('/api/me', async (c) => {
    const auth = c.get('auth');
    return c.json({ accountId: auth.accountId, userId: auth.userId, isAdmin: await access.isAdmin(auth) }, 200);
  });
  return app;
}
