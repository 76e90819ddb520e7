import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AccessCheck } from '../../http/guards.js';
import { parseJson, parseParams, parseQuery } from '../../lib/validate.js';
import { createRuleSchema, dryRunSchema, historyQuery, idParam, patchRuleSchema } from './rules.schemas.js';
import type { RulesService } from './rules.service.js';
import type { WebhookSender } from './rules.webhook.js';

/** Reading rules is for everyone in the account (the lead card lists its stage's rules); changing them is for admins. */
export function rulesRoutes(rules: RulesService, access: AccessCheck, webhook: Pick<WebhookSender, 'secret'>) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  /** The secret call_webhook signs with (Standard Webhooks), for an admin to set up the receiving end. */
  app.get('/api/rules/webhook-secret', admin, (c) => c.json({ secret: webhook.secret(c.get('auth').accountId), scheme: 'standard-webhooks-v1' }, 200));
  app.get('/api/rules', (c) => c.json({ items: rules.list(c.get('auth').accountId) }, 200));
  app.post('/api/rules', admin, async (c) => {
    const body = await parseJson(c, createRuleSchema);
    const { accountId, userId } = c.get('auth');
    return c.json(rules.create(accountId, body, userId), 201);
  });
  app.get('/api/rules/:id', (c) => c.json(rules.get(c.get('auth').accountId, parseParams(c, idParam).id), 200));
  app.patch('/api/rules/:id', admin, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchRuleSchema);
    const { accountId, userId } = c.get('auth');
    return c.json(rules.update(accountId, id, body, userId), 200);
  });
  app.delete('/api/rules/:id', admin, (c) => {
    const { accountId, userId } = c.get('auth');
    rules.remove(accountId, parseParams(c, idParam).id, userId);
    return c.body(null, 204);
  });
  app.get('/api/rules/:id/history', admin, (c) => {
    const { id } = parseParams(c, idParam);
    const q = parseQuery(c, historyQuery);
    return c.json({ items: rules.history(c.get('auth').accountId, id, q.limit) }, 200);
  });
  /** The dry run: which conditions match (with the values compared) and which actions would run. Writes nothing. */
  app.post('/api/rules/:id/test', admin, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, dryRunSchema);
    await access.requireLeadView(c.get('auth'), body.leadId);
    return c.json(rules.dryRun(c.get('auth').accountId, id, body.leadId, body.message), 200);
  });
  return app;
}
