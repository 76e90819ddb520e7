import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import { createEntrySchema } from './knowledge.schemas.js';
import type { KnowledgeService } from './knowledge.service.js';

export function knowledgeRoutes(knowledge: KnowledgeService) {
  const app = new Hono<AppEnv>();
  app.get('/api/agents/:id/knowledge', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json({ items: knowledge.list(c.get('auth').accountId, id) }, 200);
  });
  app.post('/api/agents/:id/knowledge', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, createEntrySchema);
    return c.json(knowledge.create(c.get('auth').accountId, id, body), 201);
  });
  app.delete('/api/knowledge/:id', (c) => {
    const { id } = parseParams(c, idParam);
    knowledge.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  return app;
}
