import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import type { MovesRepo } from './moves.repo.js';

const WON = 142;
const LOST = 143;

interface Move {
  accountId: number;
  leadId: number;
  from: { pipelineId: number; statusId: number };
  to: { pipelineId: number; statusId: number };
  source: 'webhook' | 'rule' | 'agent';
  agentId?: number;
  actionId?: number;
  eventKey: string | null;
}

/**
 * "A lead advanced a stage while the agent handled it without a human reply", judged at the move:
 * - forward: won, or a later stage (by the pipeline's sort) of the same pipeline; lost and moves out of a
 *   closed stage never are;
 * - handled: the agent had taken the lead in the stage it left (its first answered, drafted or running turn
 *   there since the lead last entered it), and no handoff stopped it;
 * - without a human reply: no person wrote to the client since the agent took the lead (the last human reply,
 *   which stop-on-human-reply keeps per lead, is older than that turn). Approving an agent's draft is not a
 *   human reply: the text is the agent's.
 */
export function judgeMove(repo: MovesRepo, m: Move) {
  const { accountId, leadId, from, to } = m;
  let advanced = false;
  if (from.statusId !== WON && from.statusId !== LOST && to.statusId !== LOST) {
    if (to.statusId === WON) advanced = true;
    else if (from.pipelineId === to.pipelineId) {
      const a = repo.stageSort(accountId, from.pipelineId, from.statusId);
      const b = repo.stageSort(accountId, to.pipelineId, to.statusId);
      advanced = a !== null && b !== null && b > a;
    }
  }
  const since = repo.enteredAt(accountId, leadId, from.pipelineId, from.statusId) ?? 0;
  const first = repo.firstTurn(accountId, leadId, from.pipelineId, from.statusId, since);
  const st = repo.leadState(accountId, leadId);
  const handedOff = !!st && (st.handoffActive === 1 || (first !== undefined && (st.handoffAt ?? 0) >= first.createdAt));
  const agentHandled = first !== undefined && !handedOff;
  const humanWrote = first !== undefined && (st?.humanRepliedAt ?? -1) >= first.createdAt;
  return { advanced, agentHandled, withoutHuman: agentHandled && !humanWrote, agentId: m.agentId ?? first?.agentId ?? null };
}

/** Record every stage change we learn of with its previous stage: others' moves and the agents' own. Runs in the publisher's transaction. */
export function subscribeMoves(bus: EventBus, d: { repo: MovesRepo; clock: Clock }) {
  const record = (m: Move) => {
    if (m.from.pipelineId === m.to.pipelineId && m.from.statusId === m.to.statusId) return;
    const j = judgeMove(d.repo, m);
    d.repo.insert({
      accountId: m.accountId,
      leadId: m.leadId,
      fromPipelineId: m.from.pipelineId,
      fromStatusId: m.from.statusId,
      toPipelineId: m.to.pipelineId,
      toStatusId: m.to.statusId,
      source: m.source,
      agentId: j.agentId,
      actionId: m.actionId ?? null,
      advanced: j.advanced,
      agentHandled: j.agentHandled,
      withoutHuman: j.withoutHuman,
      eventKey: m.eventKey,
      movedAt: d.clock.now(),
    });
  };
  const offs = [
    bus.on('lead_stage_entered', (e) => {
      // A Digital Pipeline trigger does not say where the lead came from; agents' own moves come below.
      if (e.source === 'dp' || e.source === 'agent' || !e.prevStatusId) return;
      record({
        accountId: e.accountId,
        leadId: e.leadId,
        from: { pipelineId: e.prevPipelineId ?? e.pipelineId, statusId: e.prevStatusId },
        to: { pipelineId: e.pipelineId, statusId: e.statusId },
        source: e.source,
        eventKey: e.eventKey ? `${e.source}:${e.eventKey}` : null,
      });
    }),
    bus.on('lead_moved_by_agent', (e) => record({ ...e, source: 'agent', eventKey: `action:${e.actionId}` })),
  ];
  return () => {
    for (const off of offs) off();
  };
}
