import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { AccessCheck } from '../../http/guards.js';
import { parseParams } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import type { ActionsService } from './actions.service.js';

export function actionsRoutes(actions: ActionsService, access: AccessCheck) {
  const app = new Hono<AppEnv>();
  /** Undo: an admin, the lead's responsible user, or a user whose Kommo rights let them edit the lead. */
  app.post('/api/actions/:id/undo', async (c) => {
    const { id } = parseParams(c, idParam);
    const { accountId, userId } = c.get('auth');
    await access.requireLeadEdit(c.get('auth'), actions.leadOf(accountId, id));
    const row = await actions.undo(accountId, id, userId);
    return c.json({ id: row.id, status: 'undone' as const }, 200);
  });
  /** A risky action (e.g. moving to Won) waits for an admin. */
  app.post('/api/actions/:id/approve', async (c) => {
    const { id } = parseParams(c, idParam);
    await access.requireAdmin(c.get('auth'));
    const row = await actions.approve(c.get('auth').accountId, id, c.get('auth').userId);
    return c.json({ id: row.id, status: row.status }, 200);
  });
  return app;
}
