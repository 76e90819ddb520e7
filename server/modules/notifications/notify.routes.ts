import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { Notifications } from './notify.service.js';
import { parseJson } from '../../lib/validate.js';
import { prefsBody } from '../mail/mail.schemas.js';

/** The token's own user turns notification emails on or off, all of them or some kinds. */
export function notificationRoutes(notifications: Notifications) {
  const app = new Hono<AppEnv>();
  app.get('/api/mail/notifications', (c) => {
    const { accountId, userId } = c.get('auth');
    return c.json(notifications.getPref(accountId, userId), 200);
  });
  app.put('/api/mail/notifications', async (c) => {
    const body = await parseJson(c, prefsBody);
    const { accountId, userId } = c.get('auth');
    return c.json(notifications.setPref(accountId, userId, body), 200);
  });
  return app;
}
