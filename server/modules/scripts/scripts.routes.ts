import { Hono } from 'hono';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { parseJson, parseParams, parseQuery } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import { createScriptSchema, listScriptsQuery, patchScriptSchema, previewSchema } from './scripts.schemas.js';
import type { ScriptsService } from './scripts.service.js';
import type { Audit } from '../activity/audit.js';

export function scriptsRoutes(scripts: ScriptsService, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  const audited = audit.on({ entity: 'script', before: (c, accountId) => scripts.list(accountId).find((x) => x.id === Number(c.req.param('id'))) });
  app.get('/api/scripts/variables', (c) => c.json({ variables: scripts.variables(c.get('auth').accountId) }, 200));
  app.post('/api/scripts/preview', admin, async (c) => {
    const body = await parseJson(c, previewSchema);
    return c.json(scripts.preview(c.get('auth').accountId, body.body, body.leadId), 200);
  });
  app.get('/api/scripts', (c) => {
    const q = parseQuery(c, listScriptsQuery);
    return c.json({ items: scripts.list(c.get('auth').accountId, q.agentId) }, 200);
  });
  app.post('/api/scripts', admin, audited, async (c) => {
    const body = await parseJson(c, createScriptSchema);
    return c.json(scripts.create(c.get('auth').accountId, body), 201);
  });
  app.patch('/api/scripts/:id', admin, audited, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchScriptSchema);
    return c.json(scripts.update(c.get('auth').accountId, id, body), 200);
  });
  app.delete('/api/scripts/:id', admin, audited, (c) => {
    const { id } = parseParams(c, idParam);
    scripts.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  return app;
}
