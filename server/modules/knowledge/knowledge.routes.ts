import { Hono } from 'hono';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import { createEntrySchema } from './knowledge.schemas.js';
import type { KnowledgeService } from './knowledge.service.js';

export function knowledgeRoutes(knowledge: KnowledgeService, access: AdminCheck) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  app.get('/api/agents/:id/knowledge', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json({ items: knowledge.list(c.get('auth').accountId, id) }, 200);
  });
  app.post('/api/agents/:id/knowledge', admin, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, createEntrySchema);
    return c.json(knowledge.create(c.get('auth').accountId, id, body), 201);
  });
  app.delete('/api/knowledge/:id', admin, (c) => {
    const { id } = parseParams(c, idParam);
    knowledge.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  return app;
}
