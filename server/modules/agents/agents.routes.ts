import { Hono, type MiddlewareHandler } from 'hono';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import { AppError } from '../../lib/errors.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { bindingSchema, createAgentSchema, idParam, patchAgentSchema, playgroundSchema } from './agents.schemas.js';
import type { AgentsService } from './agents.service.js';
import type { Audit } from '../activity/audit.js';
import type { PlaygroundService } from './playground.service.js';

/** A 429 problem says when to come back in its body (`retryAfterSec`) and, for any HTTP client, in Retry-After. */
const retryAfterHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const sec = c.error instanceof AppError ? c.error.extra.meta?.retryAfterSec : undefined;
  if (c.res.status === 429 && typeof sec === 'number') c.res.headers.set('Retry-After', String(sec));
};

export function agentsRoutes(agents: AgentsService, playground: PlaygroundService, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  const audited = audit.on({ entity: 'agent', before: (c, accountId) => agents.get(accountId, Number(c.req.param('id'))) });
  /** The bindings as one value per stage ("agent 3, on entering: greet"), so the diff names the stage that changed. */
  const byStage = (x: unknown) =>
    Object.fromEntries(
      ((x as { items?: { pipelineId: number; statusId: number; agentId: number | null; onStageEnter?: string; replyByEmail?: boolean }[] }).items ?? []).map(
        (b) => [
          `${b.pipelineId}/${b.statusId}`,
          b.agentId === null ? null : `agent ${b.agentId}, on entering: ${b.onStageEnter ?? 'off'}${b.replyByEmail ? ', answers email' : ''}`,
        ],
      ),
    );
  const auditedBinding = audit.on({ entity: 'binding', before: (_c, accountId) => ({ items: agents.bindings(accountId) }), view: byStage });
  app.get('/api/agents', (c) => c.json({ items: agents.list(c.get('auth').accountId) }, 200));
  app.post('/api/agents', admin, audited, async (c) => {
    const body = await parseJson(c, createAgentSchema);
    return c.json(agents.create(c.get('auth').accountId, body), 201);
  });
  app.get('/api/agents/:id', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(agents.get(c.get('auth').accountId, id), 200);
  });
  app.patch('/api/agents/:id', admin, audited, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchAgentSchema);
    return c.json(agents.update(c.get('auth').accountId, id, body), 200);
  });
  app.delete('/api/agents/:id', admin, audited, (c) => {
    const { id } = parseParams(c, idParam);
    agents.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  app.post('/api/agents/:id/playground', admin, retryAfterHeader, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, playgroundSchema);
    const { accountId, userId } = c.get('auth');
    return c.json(await playground.run(accountId, userId, id, body), 200);
  });
  app.get('/api/bindings', (c) => c.json({ items: agents.bindings(c.get('auth').accountId) }, 200));
  app.put('/api/bindings', admin, auditedBinding, async (c) => {
    const body = await parseJson(c, bindingSchema);
    return c.json({ items: agents.bind(c.get('auth').accountId, body) }, 200);
  });
  return app;
}
