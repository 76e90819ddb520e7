import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { SetupService } from './setup.service.js';

/** The checklist is for everyone in the account: a manager sees why the agent is silent, an admin how to fix it. */
export function setupRoutes(setup: SetupService) {
  const app = new Hono<AppEnv>();
  app.get('/api/setup/checklist', (c) => c.json(setup.checklist(c.get('auth').accountId), 200));
  return app;
}
