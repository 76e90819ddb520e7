import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { ActivityService } from './activity.service.js';
import { parseQuery } from '../../lib/validate.js';
import { feedQuerySchema } from './activity.schemas.js';

export function activityRoutes(activity: ActivityService) {
  const app = new Hono<AppEnv>();
  app.get('/api/dashboard/updates', (c) => {
    const q = parseQuery(c, feedQuerySchema);
    const { accountId } = c.get('auth');
    const page = activity.feed({
      accountId,
      limit: q.limit,
      cursor: q.cursor,
      types: q.type,
      agentId: q.agentId,
      leadId: q.leadId,
      from: q.from,
      to: q.to,
    });
    return c.json(page, 200);
  });
  return app;
}
