import { Hono } from 'hono';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { DP_TOKEN_SETTING } from '../../kommo/webhook/dp.js';
import { readText } from '../../lib/body.js';
import { AppError } from '../../lib/errors.js';
import type { Inbox } from './inbox.service.js';
import type { Triggers } from './triggers.service.js';

const secretOk = (s: string) => /^[A-Za-z0-9_-]{3,100}$/.test(s);

/** Kommo, Digital Pipeline and Salesbot call these; each answers as soon as the work is durable. */
export function webhookRoutes(inbox: Inbox, triggers: Triggers, access: AdminCheck) {
  const app = new Hono<AppEnv>();

  app.post('/webhooks/kommo/:secret', async (c) => {
    const secret = c.req.param('secret');
    if (!secretOk(secret)) throw new AppError('NOT_FOUND', 'Webhook destination was not found');
    const r = await inbox.ingestKommo(secret, await readText(c), c.req.header('content-type') ?? null);
    return c.json({ ok: true, accepted: r.accepted, duplicates: r.duplicates, unknown: r.unknown }, 200);
  });

  // The path routes; the per-account token in the body authenticates (a malformed path gets the same refusal as a wrong token).
  app.post('/webhooks/dp/:secret', async (c) => {
    const secret = c.req.param('secret');
    const r = await triggers.ingestDp(secretOk(secret) ? secret : '', await readText(c), c.req.header('content-type') ?? null);
    return c.json({ ok: true, ...r }, 200);
  });

  app.post('/salesbot/:secret', async (c) => {
    const secret = c.req.param('secret');
    if (!secretOk(secret)) throw new AppError('NOT_FOUND', 'Salesbot handler was not found');
    const r = await triggers.ingestSalesbot(secret, await readText(c));
    return c.json({ ok: true, requestId: r.requestId }, 200);
  });

  /** The account's Digital Pipeline token: the widget writes it into each DP action's settings (`setting`). Admins only. */
  app.get('/api/integrations/dp-token', adminOnly(access), (c) => {
    const token = triggers.dpToken(c.get('auth').accountId);
    if (!token) throw new AppError('NOT_FOUND', 'This Kommo account is not installed here: install the integration first');
    c.header('cache-control', 'no-store');
    return c.json({ token, setting: DP_TOKEN_SETTING }, 200);
  });

  return app;
}
