import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { AccessCheck } from '../../http/guards.js';
import type { ActivityService } from './activity.service.js';
import { parseQuery } from '../../lib/validate.js';
import { feedQuerySchema } from './activity.schemas.js';

export function activityRoutes(activity: ActivityService, access: AccessCheck) {
  const app = new Hono<AppEnv>();
  /** The whole account's feed is an admin's; one lead's feed, whoever may see that lead. */
  app.get('/api/dashboard/updates', async (c) => {
    const q = parseQuery(c, feedQuerySchema);
    const { accountId } = c.get('auth');
    if (q.leadId === undefined) await access.requireAdmin(c.get('auth'));
    else await access.requireLeadView(c.get('auth'), q.leadId);
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
