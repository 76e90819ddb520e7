import type { Sqlite } from '../../../db/client.js';

/** Reads of the synced Kommo mirror for the widget: live pipelines with their stages, and custom fields. */
export function createMirrorReadRepo(sqlite: Sqlite) {
  const s = {
    pipelines: sqlite.prepare('SELECT id, name, sort FROM pipelines WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id'),
    statuses: sqlite.prepare(
      'SELECT pipeline_id AS pipelineId, id, name, color, sort, type FROM pipeline_statuses WHERE account_id = ? AND deleted_at IS NULL ORDER BY sort, id',
    ),
    fields: sqlite.prepare('SELECT entity, id, name, code, type, enums FROM custom_fields WHERE account_id = ? AND deleted_at IS NULL ORDER BY entity, sort, id'),
  };
  return {
    pipelines(accountId: number) {
      const pipes = s.pipelines.all(accountId) as { id: number; name: string; sort: number }[];
      const statuses = s.statuses.all(accountId) as { pipelineId: number; id: number; name: string; color: string | null; sort: number; type: number }[];
      return pipes.map((p) => ({ ...p, statuses: statuses.filter((st) => st.pipelineId === p.id).map(({ pipelineId: _p, ...st }) => st) }));
    },
    fields(accountId: number) {
      return (s.fields.all(accountId) as { entity: string; id: number; name: string; code: string | null; type: string; enums: string | null }[]).map((r) => ({
        ...r,
        enums: r.enums ? (JSON.parse(r.enums) as unknown[]) : null,
      }));
    },
  };
}

export type MirrorReadRepo = ReturnType<typeof createMirrorReadRepo>;
