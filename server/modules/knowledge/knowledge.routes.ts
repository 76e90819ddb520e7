import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import { pickLang } from '../../lib/i18n.js';
import { parseJson, parseParams, parseQuery } from '../../lib/validate.js';
import { idParam } from '../agents/agents.schemas.js';
import { createEntrySchema, importUrlSchema, listQuerySchema, patchEntrySchema, uploadSchema } from './knowledge.schemas.js';
import type { Audit } from '../activity/audit.js';
import type { KnowledgeService } from './knowledge.service.js';
import type { KnowledgeSources } from './knowledge.sources.js';

/** The reader's language for error texts (and a URL import's failure reason): the browser's Accept-Language. */
const lang = (c: Context<AppEnv>) => pickLang(c.req.header('accept-language'));

export function knowledgeRoutes(knowledge: KnowledgeService, sources: KnowledgeSources, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  // Every change is in the configuration audit (the text itself is cut short there).
  const audited = audit.on({ entity: 'knowledge', before: (c, accountId) => knowledge.get(accountId, Number(c.req.param('id'))) });
  app.get('/api/agents/:id/knowledge', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json({ items: knowledge.list(c.get('auth').accountId, id) }, 200);
  });
  app.post('/api/agents/:id/knowledge', admin, audited, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, createEntrySchema);
    return c.json(knowledge.create(c.get('auth').accountId, id, body, lang(c)), 201);
  });
  app.get('/api/knowledge', (c) => {
    const { agentId } = parseQuery(c, listQuerySchema);
    return c.json({ items: knowledge.list(c.get('auth').accountId, agentId) }, 200);
  });
  app.post('/api/knowledge', admin, audited, async (c) => {
    const body = await parseJson(c, createEntrySchema);
    return c.json(knowledge.create(c.get('auth').accountId, null, body, lang(c)), 201);
  });
  // Registered before /api/knowledge/:id so the literal paths win.
  app.post('/api/knowledge/import-url', admin, audited, async (c) => {
    const body = await parseJson(c, importUrlSchema);
    return c.json(await sources.importUrl(c.get('auth').accountId, body, lang(c)), 202);
  });
  app.post('/api/knowledge/upload', admin, audited, async (c) => {
    const body = await parseJson(c, uploadSchema);
    return c.json(await sources.upload(c.get('auth').accountId, body, lang(c)), 201);
  });
  app.get('/api/knowledge/:id', (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(knowledge.get(c.get('auth').accountId, id), 200);
  });
  app.patch('/api/knowledge/:id', admin, audited, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchEntrySchema);
    return c.json(knowledge.update(c.get('auth').accountId, id, body, lang(c)), 200);
  });
  app.delete('/api/knowledge/:id', admin, audited, (c) => {
    const { id } = parseParams(c, idParam);
    knowledge.remove(c.get('auth').accountId, id);
    return c.body(null, 204);
  });
  return app;
}
