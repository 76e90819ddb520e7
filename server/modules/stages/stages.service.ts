import type { WorkingHours } from '../../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';

interface StageRef {
  pipelineId: number;
  statusId: number;
}
interface Scoped {
  id: number;
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
}
interface ScriptLike {
  id: number;
  agentId: number | null;
  name: string;
  body: string;
  stages: StageRef[];
}

/** What the stage view reads from other modules; each port is one of their services, wired in modules.ts. */
export interface StagesPorts {
  pipelines(accountId: number): { id: number; name: string; sort: number; statuses: { id: number; name: string; color: string | null; sort: number }[] }[];
  bindings(accountId: number): { pipelineId: number; statusId: number; agentId: number | null; onStageEnter?: string; replyByEmail?: boolean }[];
  agents(accountId: number): { id: number; name: string; mode: string; workingHours?: WorkingHours | null }[];
  scripts(accountId: number): ScriptLike[];
  knowledge(accountId: number, agentId: number): { id: number; title: string; kind: string }[];
  rules(accountId: number): Scoped[];
  sequences(accountId: number): Scoped[];
  /**
   * How a reply can reach a client (the same facts the checklist and a draft's "how it will reach the client" use):
   * the account's Salesbot carrying our widget step, and the mailbox. Neither: a reply is a note for a person.
   */
  channels(accountId: number): { salesbot: boolean; mailbox: boolean };
  /** The agents' work per stage "today" (since midnight in the account's timezone). */
  today(accountId: number): { since: string; counts: { pipelineId: number; statusId: number; replies: number; draftsWaiting: number; handoffs: number }[] };
  /** Open leads of the stage, for a script preview on a lead chosen by name. */
  leads(accountId: number, pipelineId: number, statusId: number): { id: number; name: string | null }[];
  /** The stage agent's acceptance rate and the autopilot / back-to-draft suggestion (the quality module). */
  quality(accountId: number, at: StageRef, agentId: number): unknown;
}

const same = (a: StageRef, b: StageRef) => a.pipelineId === b.pipelineId && a.statusId === b.statusId;

/** How far a rule or sequence reaches: this stage only, the whole pipeline, or the whole account. */
function scopeOf(x: Scoped, at: StageRef): 'stage' | 'pipeline' | 'account' | null {
  if (x.pipelineId === null) return 'account';
  if (x.pipelineId !== at.pipelineId) return null;
  if (x.statusId === null) return 'pipeline';
  return x.statusId === at.statusId ? 'stage' : null;
}

/**
 * The script a turn on this stage uses (the same order as scriptForStage in scripts.repo.ts): one bound to the
 * stage for this agent, else one bound to the stage for any agent, else the agent's script bound to no stage.
 */
export function effectiveScript<S extends ScriptLike>(scripts: S[], at: StageRef, agentId: number | null): S | null {
  const bound = scripts.filter((s) => s.stages.some((x) => same(x, at)));
  if (agentId === null) return bound.find((s) => s.agentId === null) ?? null;
  return (
    bound.find((s) => s.agentId === agentId) ??
    bound.find((s) => s.agentId === null) ??
    scripts.find((s) => s.agentId === agentId && s.stages.length === 0) ??
    null
  );
}

/** One pipeline stage as the unit of setup: its agent, binding, script, knowledge, rules and sequences, read in one call. */
export function createStagesService(ports: StagesPorts) {
  function setupOf(
    accountId: number,
    at: StageRef,
    all: {
      scripts: ScriptLike[];
      rules: Scoped[];
      sequences: Scoped[];
      agents: ReturnType<StagesPorts['agents']>;
      bindings: ReturnType<StagesPorts['bindings']>;
    },
  ) {
    const binding = all.bindings.find((b) => same(b, at) && b.agentId !== null) ?? null;
    const agent = binding ? (all.agents.find((a) => a.id === binding.agentId) ?? null) : null;
    const script = effectiveScript(all.scripts, at, agent?.id ?? null);
    const knowledge = agent ? ports.knowledge(accountId, agent.id).map((e) => ({ id: e.id, title: e.title, kind: e.kind })) : [];
    const scoped = (xs: Scoped[]) =>
      xs.flatMap((x) => {
        const scope = scopeOf(x, at);
        return scope ? [{ id: x.id, name: x.name, enabled: x.enabled, scope }] : [];
      });
    return {
      ...at,
      agent: agent ? { id: agent.id, name: agent.name, mode: agent.mode } : null,
      onStageEnter: binding?.onStageEnter ?? 'off',
      replyByEmail: binding?.replyByEmail ?? false,
      script: script ? { id: script.id, name: script.name, body: script.body, agentId: script.agentId, stages: script.stages } : null,
      knowledge: { count: knowledge.length, items: knowledge },
      rules: scoped(all.rules),
      sequences: scoped(all.sequences),
    };
  }

  /** What the board adds to each column: hours, how replies go out, and today's figures. */
  function boardExtras(at: StageRef, agent: { workingHours?: WorkingHours | null } | null, all: ReturnType<typeof extrasOf>) {
    const c = all.today.counts.find((x) => same(x, at));
    return {
      workingHours: agent ? (agent.workingHours ?? null) : null,
      channels: { ...all.channels, reach: all.channels.salesbot ? 'salesbot' : all.channels.mailbox ? 'email' : 'note' } as const,
      today: { since: all.today.since, replies: c?.replies ?? 0, draftsWaiting: c?.draftsWaiting ?? 0, handoffs: c?.handoffs ?? 0 },
    };
  }
  const extrasOf = (accountId: number) => ({ channels: ports.channels(accountId), today: ports.today(accountId) });

  const everything = (accountId: number) => ({
    scripts: ports.scripts(accountId),
    rules: ports.rules(accountId),
    sequences: ports.sequences(accountId),
    agents: ports.agents(accountId),
    bindings: ports.bindings(accountId),
  });

  return {
    /** Every live stage of every pipeline, for the pipeline board. */
    board(accountId: number) {
      const all = everything(accountId);
      const extras = extrasOf(accountId);
      return ports.pipelines(accountId).map((p) => ({
        id: p.id,
        name: p.name,
        stages: [...p.statuses]
          .sort((a, b) => a.sort - b.sort)
          .map((s) => {
            const setup = setupOf(accountId, { pipelineId: p.id, statusId: s.id }, all);
            const agent = setup.agent ? (all.agents.find((a) => a.id === setup.agent!.id) ?? null) : null;
            return { name: s.name, color: s.color, ...setup, ...boardExtras(setup, agent, extras) };
          }),
      }));
    },

    /** One stage, with the open leads a script preview can be shown on. */
    get(accountId: number, pipelineId: number, statusId: number) {
      const p = ports.pipelines(accountId).find((x) => x.id === pipelineId);
      const s = p?.statuses.find((x) => x.id === statusId);
      if (!p || !s) throw notFound(`Stage ${statusId} of pipeline ${pipelineId} (in the synced pipelines)`);
      const setup = setupOf(accountId, { pipelineId, statusId }, everything(accountId));
      return {
        name: s.name,
        pipelineName: p.name,
        ...setup,
        leads: ports.leads(accountId, pipelineId, statusId),
        quality: setup.agent ? ports.quality(accountId, { pipelineId, statusId }, setup.agent.id) : null,
      };
    },
  };
}

export type StagesService = ReturnType<typeof createStagesService>;
export type StageSetup = ReturnType<StagesService['get']>;
