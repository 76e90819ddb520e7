import type { Db } from '../../../db/client.js';
import { getAgent } from '../agents/agents.repo.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, notFound, type FieldError } from '../../lib/errors.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { deleteScript, getScript, insertScript, listScripts, replaceStages, updateScript, type ScriptWithStages, type Stage } from './scripts.repo.js';
import type { CreateScriptInput, PatchScriptInput } from './scripts.schemas.js';
import { availableVariables, renderScript, unknownScriptVariables } from './scripts.variables.js';

const toDto = (s: ScriptWithStages) => ({ id: s.id, agentId: s.agentId, name: s.name, body: s.body, stages: s.stages });

const unprocessable = (detail: string, errors: FieldError[], meta?: Record<string, unknown>) =>
  new AppError('VALIDATION_FAILED', detail, { errors, ...(meta ? { meta } : {}) });

export function createScriptsService(deps: { db: Db; clock: Clock; crm: MirrorReadRepo; tx<T>(fn: () => T): T }) {
  const { db, clock, crm } = deps;

  /** Refuse unknown variables, a foreign agent and stages that are not live in the mirror — each naming its field. */
  function check(accountId: number, input: { agentId?: number | null; body?: string; stages?: Stage[] }) {
    if (input.agentId != null && !getAgent(db, accountId, input.agentId)) {
      throw unprocessable(`Invalid request body: agentId ${input.agentId} is not an agent of this account`, [{ field: 'agentId', message: 'no such agent' }]);
    }
    if (input.body !== undefined) {
      const fields = crm.leadFields(accountId);
      const unknown = unknownScriptVariables(input.body, fields);
      if (unknown.length) {
        const valid = availableVariables(fields).map((v) => v.key);
        throw unprocessable(
          `Unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')}. Valid variables: ${valid.map((v) => `{{${v}}}`).join(', ')}`,
          unknown.map((u) => ({ field: 'body', message: `unknown variable {{${u}}}` })),
          { unknownVariables: unknown, validVariables: valid },
        );
      }
    }
    input.stages?.forEach((s, i) => {
      if (!crm.stage(accountId, s.pipelineId, s.statusId)) {
        throw unprocessable(`Invalid request body: stages.${i} (pipeline ${s.pipelineId}, stage ${s.statusId}) is not a stage of this account`, [
          { field: `stages.${i}.statusId`, message: 'no such stage in the synced pipelines' },
        ]);
      }
    });
  }

  return {
    list: (accountId: number, agentId?: number) => listScripts(db, accountId, agentId).map(toDto),

    create(accountId: number, input: CreateScriptInput) {
      return deps.tx(() => {
        check(accountId, input);
        const row = insertScript(db, { accountId, agentId: input.agentId, name: input.name, body: input.body }, clock.now());
        replaceStages(db, accountId, row.id, input.stages);
        return toDto(getScript(db, accountId, row.id)!);
      });
    },

    update(accountId: number, id: number, patch: PatchScriptInput) {
      return deps.tx(() => {
        if (!getScript(db, accountId, id)) throw notFound(`Script ${id}`);
        check(accountId, patch);
        const { stages, ...rest } = patch;
        updateScript(db, accountId, id, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), clock.now());
        if (stages) replaceStages(db, accountId, id, stages);
        return toDto(getScript(db, accountId, id)!);
      });
    },

    remove(accountId: number, id: number) {
      if (!deleteScript(db, accountId, id)) throw notFound(`Script ${id}`);
    },

    variables: (accountId: number) => availableVariables(crm.leadFields(accountId)),

    preview(accountId: number, body: string, leadId: number) {
      check(accountId, { body });
      const lead = crm.lead(accountId, leadId);
      if (!lead) throw notFound(`Lead ${leadId} (in the synced data)`);
      return { rendered: renderScript(crm, accountId, body, { lead }) };
    },
  };
}

export type ScriptsService = ReturnType<typeof createScriptsService>;
