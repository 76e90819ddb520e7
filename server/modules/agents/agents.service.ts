import type { Db } from '../../../db/client.js';
import type { AgentRow } from '../../../db/schema/index.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { ModelPolicy } from '../../llm/models.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import {
  deleteAgent,
  getAgent,
  insertAgent,
  listAgents,
  listBindings,
  type OnStageEnter,
  removeBinding,
  setBinding,
  stageBinding,
  updateAgent,
} from './agents.repo.js';
import type { CreateAgentInput, PatchAgentInput } from './agents.schemas.js';
import { texts } from './agents.texts.js';

export function toAgentDto(a: AgentRow) {
  return {
    id: a.id,
    name: a.name,
    instructions: a.instructions,
    model: a.model,
    temperature: a.temperature,
    language: a.language,
    tone: a.tone,
    mode: a.mode as 'draft' | 'autopilot',
    workingHours: a.workingHours ?? null,
    replyDelaySec: a.replyDelaySec,
    maxRepliesPerLeadPerDay: a.maxRepliesPerLeadPerDay,
    allowedActions: a.allowedActions,
    approvalRequired: a.approvalRequired,
    runWithoutApproval: a.runWithoutApproval,
    handoff: a.handoff,
    humanReplyPauseMinutes: a.humanReplyPauseMinutes,
    maxReplyChars: a.maxReplyChars,
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
  };
}

const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `Invalid request body: ${field} ${message}`, { errors: [{ field, message }] });

export function createAgentsService(deps: { db: Db; clock: Clock; crm: MirrorReadRepo; models: ModelPolicy; tx<T>(fn: () => T): T }) {
  const { db, clock } = deps;
  /** Only the operator's models: a new or changed model must be on the list (a stored one may have left it since). */
  const checkModel = (model: string | undefined) => {
    if (model !== undefined && !deps.models.isAllowed(model)) throw invalid('model', texts.modelNotAllowed(deps.models.allowed));
  };
  const mustGet = (accountId: number, id: number) => {
    const a = getAgent(db, accountId, id);
    if (!a) throw notFound(`Agent ${id}`);
    return a;
  };

  return {
    list: (accountId: number) => listAgents(db, accountId).map(toAgentDto),
    get: (accountId: number, id: number) => toAgentDto(mustGet(accountId, id)),
    row: mustGet,

    create(accountId: number, input: CreateAgentInput) {
      checkModel(input.model);
      const row = insertAgent(db, { ...input, accountId, model: input.model ?? deps.models.defaultModel }, clock.now());
      return toAgentDto(row);
    },

    update(accountId: number, id: number, patch: PatchAgentInput) {
      return deps.tx(() => {
        const cur = mustGet(accountId, id);
        // Resending the stored model is fine (the editor sends every field): it keeps running on the default.
        if (patch.model !== cur.model) checkModel(patch.model);
        const { handoff, ...rest } = patch;
        const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        const row = updateAgent(db, accountId, id, { ...clean, ...(handoff ? { handoff: { ...cur.handoff, ...stripUndefined(handoff) } } : {}) }, clock.now());
        return toAgentDto(row!);
      });
    },

    remove(accountId: number, id: number) {
      if (!deleteAgent(db, accountId, id)) throw notFound(`Agent ${id}`);
    },

    bindings: (accountId: number) => listBindings(db, accountId),

    /** Bind (or with agentId null, unbind) a stage. The stage must exist, live, in the synced mirror. */
    bind(accountId: number, b: { pipelineId: number; statusId: number; agentId: number | null; onStageEnter?: OnStageEnter; replyByEmail?: boolean }) {
      return deps.tx(() => {
        if (b.agentId !== null && !getAgent(db, accountId, b.agentId)) throw invalid('agentId', `agent ${b.agentId} does not exist in this account`);
        if (b.agentId !== null && !deps.crm.stage(accountId, b.pipelineId, b.statusId)) {
          const pipelineKnown = deps.crm.catalog(accountId).stages.some((s) => s.pipelineId === b.pipelineId);
          throw pipelineKnown
            ? invalid('statusId', `stage ${b.statusId} does not exist in pipeline ${b.pipelineId} (sync the account if it was just created)`)
            : invalid('pipelineId', `pipeline ${b.pipelineId} does not exist in this account (sync the account if it was just created)`);
        }
        if (b.agentId === null) removeBinding(db, accountId, b.pipelineId, b.statusId);
        else {
          const cur = stageBinding(db, accountId, b.pipelineId, b.statusId);
          const onStageEnter = b.onStageEnter ?? cur?.onStageEnter ?? 'off';
          const replyByEmail = b.replyByEmail ?? cur?.replyByEmail ?? false;
          setBinding(db, accountId, { pipelineId: b.pipelineId, statusId: b.statusId, agentId: b.agentId, onStageEnter, replyByEmail }, clock.now());
        }
        return listBindings(db, accountId);
      });
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type AgentsService = ReturnType<typeof createAgentsService>;
