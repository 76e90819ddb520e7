import { Hono } from 'hono';
import { z } from 'zod';
import type { AccessCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { parseQuery } from '../../lib/validate.js';
import type { QualityService } from './quality.service.js';

const qualityQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
  /** One calendar month (UTC) instead of the last `days` days. */
  month: z
    .string()
    .regex(/^20\d\d-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional(),
  leadId: z.coerce.number().int().positive().optional(),
});

/** The account's figures are an admin's; one lead's, whoever may see that lead. */
export function qualityRoutes(quality: QualityService, access: AccessCheck) {
  const app = new Hono<AppEnv>();
  app.get('/api/quality', async (c) => {
    const q = parseQuery(c, qualityQuery);
    if (q.leadId === undefined) await access.requireAdmin(c.get('auth'));
    else await access.requireLeadView(c.get('auth'), q.leadId);
    return c.json(quality.summary(c.get('auth').accountId, q), 200);
  });
  return app;
}
