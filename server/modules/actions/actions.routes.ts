import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { parseParams } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import type { ActionsService } from './actions.service.js';

export function actionsRoutes(actions: ActionsService) {
  const app = new Hono<AppEnv>();
  app.post('/api/actions/:id/undo', async (c) => {
    const { id } = parseParams(c, idParam);
    const row = await actions.undo(c.get('auth').accountId, id);
    return c.json({ id: row.id, status: 'undone' as const }, 200);
  });
  app.post('/api/actions/:id/approve', async (c) => {
    const { id } = parseParams(c, idParam);
    const row = await actions.approve(c.get('auth').accountId, id);
    return c.json({ id: row.id, status: row.status }, 200);
  });
  return app;
}
