import { Hono } from 'hono';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { AppError } from '../../lib/errors.js';
import type { SyncService } from './sync.service.js';

export function syncRoutes(sync: SyncService, access: AdminCheck) {
  const app = new Hono<AppEnv>();
  app.get('/api/integrations/status', (c) => c.json(sync.status(c.get('auth').accountId), 200));
  app.post('/api/integrations/sync', adminOnly(access), (c) => {
    const { accountId } = c.get('auth');
    const status = sync.status(accountId);
    if (status.connection.state !== 'connected') {
      throw new AppError(
        'CONFLICT',
        status.connection.state === 'not_installed'
          ? 'Kommo is not connected for this account yet: install the integration first.'
          : `The Kommo connection is ${status.connection.state.replace('_', ' ')}: reconnect the integration, then sync.`,
      );
    }
    const run = sync.start(accountId, 'incremental');
    return c.json({ syncRunId: run.id, state: run.status }, 202);
  });
  return app;
}
