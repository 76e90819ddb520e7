import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { bindingSchema, createAgentSchema, idParam, patchAgentSchema, playgroundSchema } from './agents.schemas.js';
import type { AgentsService } from './agents.service.js';
import type { PlaygroundService } from './playground.service.js';

export function agentsRoutes(agents: AgentsService, playground: PlaygroundService) {
  const app = new Hono<AppEnv>();
  app.get('/api/agents', (c) => c.json({ items: agents.list(c.get('auth').accountId) }, 200));
  app.post('/api/agents', async (c) => {
    const body = await parseJson(c, createAgentSchema);
    return c.json(agents.create(c.get('auth').accountId, body), 201);
  });
  app.get('/api/agents/:id', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(agents.get(c.get('auth').accountId, id), 200);
  });
  app.patch('/api/agents/:id', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchAgentSchema);
    return c.json(agents.update(c.get('auth').accountId, id, body), 200);
  });
  app.delete('/api/agents/:id', (c) => {
    const { id } = parseParams(c, idParam);
    agents.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  app.post('/api/agents/:id/playground', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, playgroundSchema);
    return c.json(await playground.run(c.get('auth').accountId, id, body), 200);
  });
  app.get('/api/bindings', (c) => c.json({ items: agents.bindings(c.get('auth').accountId) }, 200));
  app.put('/api/bindings', async (c) => {
    const body = await parseJson(c, bindingSchema);
    return c.json({ items: agents.bind(c.get('auth').accountId, body) }, 200);
  });
  return app;
}
