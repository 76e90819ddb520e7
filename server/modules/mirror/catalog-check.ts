import type { FieldError } from '../../lib/errors.js';
import type { CrmCatalog } from './mirror-read.repo.js';

const WON_LOST = new Set([142, 143]);

/**
 * Checks a configuration's references against the account's real stages, fields and users (the
 * synced catalog), collecting one field error per broken reference. Used by the rule and sequence builders.
 */
export function catalogChecker(catalog: CrmCatalog) {
  const errors: FieldError[] = [];
  return {
    errors,
    stage(pipelineId: number | undefined | null, statusId: number | undefined | null, field: string) {
      if (pipelineId != null && !catalog.stages.some((s) => s.pipelineId === pipelineId))
        errors.push({ field, message: `pipeline ${pipelineId} does not exist`, code: 'pipeline_missing', vars: { id: pipelineId } });
      else if (
        statusId != null &&
        !WON_LOST.has(statusId) &&
        !catalog.stages.some((s) => s.statusId === statusId && (pipelineId == null || s.pipelineId === pipelineId))
      )
        errors.push({
          field,
          message: `stage ${statusId} does not exist${pipelineId ? ` in pipeline ${pipelineId}` : ''}`,
          code: 'stage_missing',
          vars: { id: statusId },
        });
    },
    field(id: number, field: string) {
      if (!catalog.leadFields.some((f) => f.id === id)) errors.push({ field, message: `lead field ${id} does not exist`, code: 'field_missing', vars: { id } });
    },
    user(id: number, field: string) {
      if (!catalog.users.some((u) => u.id === id))
        errors.push({ field, message: `user ${id} does not exist or is inactive`, code: 'user_missing', vars: { id } });
    },
    add(field: string, message: string, code?: string, vars?: Record<string, string | number>) {
      errors.push({ field, message, code, vars });
    },
  };
}
