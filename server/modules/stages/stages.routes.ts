import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.js';
import { parseParams } from '../../lib/validate.js';
import type { StagesService } from './stages.service.js';

const stageParams = z.object({ pipelineId: z.coerce.number().int().positive(), statusId: z.coerce.number().int().positive() });

/** Read-only: a manager sees what works a stage (the changes go through the agents, scripts and knowledge routes, audited there). */
export function stagesRoutes(stages: StagesService) {
  const app = new Hono<AppEnv>();
  app.get('/api/stages', (c) => c.json({ items: stages.board(c.get('auth').accountId) }, 200));
  app.get('/api/stages/:pipelineId/:statusId', (c) => {
    const { pipelineId, statusId } = parseParams(c, stageParams);
    return c.json(stages.get(c.get('auth').accountId, pipelineId, statusId), 200);
  });
  return app;
}
