import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { MirrorReadRepo } from './mirror-read.repo.js';

/** What the widget needs to draw stage matrices and variable pickers: live pipelines, stages, fields, users and task types. */
export function mirrorRoutes(read: MirrorReadRepo) {
  const app = new Hono<AppEnv>();
  app.get('/api/pipelines', (c) => c.json({ items: read.pipelines(c.get('auth').accountId) }, 200));
  app.get('/api/fields', (c) => c.json({ items: read.fields(c.get('auth').accountId) }, 200));
  app.get('/api/users', (c) => c.json({ items: read.users(c.get('auth').accountId) }, 200));
  app.get('/api/task-types', (c) => c.json({ items: read.taskTypes(c.get('auth').accountId) }, 200));
  return app;
}
