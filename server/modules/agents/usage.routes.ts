import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { ModelPolicy } from '../../llm/models.js';
import { parseJson } from '../../lib/validate.js';
import type { BudgetService } from './budget.service.js';
import type { Audit } from '../activity/audit.js';

/** A number sets the account's own limit, null goes back to the operator's default. */
export const budgetSchema = z
  .object({
    monthlyUsd: z.number().positive().max(1_000_000).nullable().optional(),
    monthlyTokens: z.number().int().positive().max(1_000_000_000_000).nullable().optional(),
  })
  .strict();

/** The models an agent may use, and the account's model usage this month against its budget. */
export function usageRoutes(budget: BudgetService, models: ModelPolicy, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  const audited = audit.on({ entity: 'budget', before: (_c, accountId) => budget.state(accountId, { fresh: false }) });
  app.get('/api/models', (c) => c.json({ items: models.allowed, default: models.defaultModel }, 200));
  app.get('/api/usage', admin, (c) => c.json(budget.state(c.get('auth').accountId, { fresh: true }), 200));
  app.put('/api/usage/budget', admin, audited, async (c) => {
    const body = await parseJson(c, budgetSchema);
    const { accountId } = c.get('auth');
    return c.json(budget.setOverride(accountId, body), 200);
  });
  return app;
}
