import type { Agent, AgentInput, Api, ApiError, KnowledgeSource, OnStageEnter, Script, StageRef, StageSetup } from '../api.js';
import { toApiError } from '../api.js';
import { newAgentInput } from '../admin/agent-form.js';

/** The agent fields the stage editor shows; model, temperature and the length cap sit under "Advanced". */
export type AgentFields = Pick<AgentInput, 'name' | 'instructions' | 'mode' | 'model' | 'temperature' | 'maxReplyChars'> & { handoffAllowed: boolean };

export interface StageForm {
  /** An existing agent, or 'new' to create one on save. */
  agentId: number | 'new';
  agent: AgentFields;
  onStageEnter: OnStageEnter;
  /** The agent may answer by email when the client wrote by email. */
  replyByEmail: boolean;
  script: string;
  /** A script of the shared library chosen for this stage (null: the stage keeps its own script). */
  libraryScriptId?: number | null;
  /** Text entries to add to the agent's knowledge on save. */
  newEntries: { title: string; content: string }[];
  /** Existing entries of the account to share with the agent on save. */
  share: number[];
}

const HANDOFF = 'handoff_to_human';

export function fieldsOf(agent: Agent | null): AgentFields {
  const a = agent ?? { ...newAgentInput(), model: '' };
  return {
    name: a.name,
    instructions: a.instructions,
    mode: a.mode,
    model: a.model,
    temperature: a.temperature,
    maxReplyChars: a.maxReplyChars,
    handoffAllowed: a.allowedActions.includes(HANDOFF),
  };
}

export function initialForm(setup: StageSetup, agents: Agent[]): StageForm {
  const agent = setup.agent ? (agents.find((a) => a.id === setup.agent!.id) ?? null) : null;
  return {
    agentId: agent ? agent.id : 'new',
    agent: fieldsOf(agent),
    onStageEnter: setup.onStageEnter,
    replyByEmail: setup.replyByEmail,
    script: setup.script?.body ?? '',
    newEntries: [],
    share: [],
  };
}

/** The agent body: the fields the editor shows (the operator's default model unless one was typed). */
function agentBody(f: AgentFields, base: Agent | null): Partial<AgentInput> {
  const allowed = (base ?? newAgentInput()).allowedActions.filter((a) => a !== HANDOFF);
  const out: Partial<AgentInput> = {
    name: f.name.trim(),
    instructions: f.instructions,
    mode: f.mode,
    temperature: f.temperature,
    maxReplyChars: f.maxReplyChars,
    allowedActions: f.handoffAllowed ? [...allowed, HANDOFF] : allowed,
    ...(f.model.trim() ? { model: f.model.trim() } : {}),
  };
  // A new agent: what the editor shows, the rest the server's defaults (its actions too, unless the handoff is off).
  if (!base) return f.handoffAllowed ? { ...out, allowedActions: undefined } : out;
  // Only what changed: the stage editor must not rewrite settings it does not show.
  const before = fieldsOf(base);
  const patch: Partial<AgentInput> = {};
  for (const k of ['name', 'instructions', 'mode', 'model', 'temperature', 'maxReplyChars'] as const) {
    if (before[k] !== f[k]) (patch as Record<string, unknown>)[k] = out[k];
  }
  if (before.handoffAllowed !== f.handoffAllowed) patch.allowedActions = out.allowedActions;
  return patch;
}

export interface SaveProgress {
  created(agent: Agent): void;
  added(entry: StageForm['newEntries'][number]): void;
  shared(entryId: number): void;
}

export type SaveStep = 'agent' | 'binding' | 'script' | 'knowledge';
export class StageSaveError extends Error {
  constructor(
    readonly step: SaveStep,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

async function step<T>(name: SaveStep, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new StageSaveError(name, toApiError(e));
  }
}

/**
 * Save the stage through the ordinary APIs, in order: the agent (create or patch) → the binding → the
 * stage's script (bound through the stage, for any agent) → knowledge (new text entries, shared entries).
 * Returns the agent's id; a failure names the step it stopped at.
 */
export async function saveStage(
  api: Api,
  at: StageRef & { name: string },
  setup: StageSetup,
  form: StageForm,
  agents: Agent[],
  entries: KnowledgeSource[],
  /** The shared script library, for a script picked for this stage. */
  library: Script[],
  /** Told at once about what is saved, so that a retry after a later step failed does not do it twice. */
  progress: SaveProgress,
) {
  const base = form.agentId === 'new' ? null : (agents.find((a) => a.id === form.agentId) ?? null);
  const body = agentBody(form.agent, base);
  let agentId: number;
  if (form.agentId === 'new') {
    const created = await step('agent', () => api.createAgent(body as AgentInput));
    progress.created(created);
    agentId = created.id;
  } else {
    agentId = form.agentId;
    if (Object.keys(body).length) await step('agent', () => api.updateAgent(agentId, body));
  }
  if (setup.agent?.id !== agentId || setup.onStageEnter !== form.onStageEnter || setup.replyByEmail !== form.replyByEmail) {
    const binding = { pipelineId: at.pipelineId, statusId: at.statusId, agentId, onStageEnter: form.onStageEnter, replyByEmail: form.replyByEmail };
    await step('binding', () => api.putBinding(binding));
  }
  const script = setup.script;
  const here = { pipelineId: at.pipelineId, statusId: at.statusId };
  const isHere = (s: StageRef) => s.pipelineId === here.pipelineId && s.statusId === here.statusId;
  // Another agent's own script is not this agent's: the stage gets a script of its own instead.
  const ours = script && (script.agentId === null || script.agentId === agentId) ? script : null;
  const picked = form.libraryScriptId != null && form.libraryScriptId !== script?.id ? library.find((x) => x.id === form.libraryScriptId) : undefined;
  if (picked) {
    // A library script now works this stage: the stage leaves the script it had, and joins the picked one's stages.
    if (script?.stages.some(isHere)) await step('script', () => api.updateScript(script.id, { stages: script.stages.filter((x) => !isHere(x)) }));
    await step('script', () =>
      api.updateScript(picked.id, {
        stages: [...picked.stages.filter((x) => !isHere(x)), here],
        ...(picked.body !== form.script ? { body: form.script } : {}),
      }),
    );
  } else if (ours && ours.body !== form.script) await step('script', () => api.updateScript(ours.id, { body: form.script }));
  else if (!ours && form.script.trim()) {
    await step('script', () =>
      api.createScript({ agentId: null, name: at.name, body: form.script, stages: [{ pipelineId: at.pipelineId, statusId: at.statusId }] }),
    );
  }
  for (const e of form.newEntries) {
    await step('knowledge', () => api.addKnowledge(agentId, { kind: 'text', title: e.title, content: e.content }));
    progress.added(e);
  }
  for (const id of form.share) {
    const agentIds = entries.find((e) => e.id === id)?.agentIds ?? [];
    await step('knowledge', () => api.knowledgeSources.update(id, { agentIds: [...new Set([...agentIds, agentId])] }));
    progress.shared(id);
  }
  return agentId;
}
