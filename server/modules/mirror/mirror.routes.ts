import { Hono } from 'hono';
import type { AppEnv } from '../../app.js';

/** What the widget needs to draw stage matrices and variable pickers: live pipelines, stages and fields. */
export function mirrorRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/api/pipelines', (c) => {
    const { sqlite } = c.get('deps');
    const { accountId } = c.get('auth');
    const pipes = sqlite.prepare('SELECT id, name, sort FROM pipelines WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id').all(accountId) as { id: number; name: string; sort: number }[];
    const statuses = sqlite
      .prepare('SELECT pipeline_id AS pipelineId, id, name, color, sort, type FROM pipeline_statuses WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id')
      .all(accountId) as { pipelineId: number; id: number; name: string; color: string | null; sort: number; type: number }[];
    const items = pipes.map((p) => ({ ...p, statuses: statuses.filter((s) => s.pipelineId === p.id).map(({ pipelineId: _p, ...s }) => s) }));
    return c.json({ items }, 200);
  });
  app.get('/api/fields', (c) => {
    const { sqlite } = c.get('deps');
    const items = sqlite
      .prepare('SELECT entity, id, name, code, type, enums FROM custom_fields WHERE account_id = ? AND deleted_at IS NULL ORDER BY entity, sort, id')
      .all(c.get('auth').accountId)
      .map((r: any) => ({ ...r, enums: r.enums ? JSON.parse(r.enums) : null }));
    return c.json({ items }, 200);
  });
  return app;
}
