import type { EventBus } from '../../lib/bus.js';
import type { SequencesRepo } from './sequences.repo.js';
import type { SequenceDefinition } from './sequences.schemas.js';
import type { SequencesService } from './sequences.service.js';

type StopKey = keyof SequenceDefinition['stopOn'];
const WON_LOST = new Set([142, 143]);

/**
 * The stop conditions, as bus subscriptions: they run inside the publisher's transaction, so a reply
 * that arrives between two steps stops the enrollment before the next step's job can run.
 */
export function subscribeSequenceStops(bus: EventBus, d: { repo: SequencesRepo; service: SequencesService }) {
  function stopWhere(
    accountId: number,
    leadId: number,
    key: StopKey,
    reason: string,
    why: string,
    match: (e: { pipelineId: number | null; statusId: number | null }) => boolean = () => true,
  ) {
    for (const e of d.repo.live(accountId, leadId)) {
      const seq = d.repo.get(accountId, e.sequenceId);
      if (!seq || !seq.definition.stopOn[key] || !match(e)) continue;
      d.service.end(e, 'stopped', reason, `Sequence "${seq.name}" stopped: ${why}`);
    }
  }

  bus.on('message_received', (e) => {
    if (e.messageIds.length > 0) stopWhere(e.accountId, e.leadId, 'clientReply', 'client_replied', `the client replied (${e.channel})`);
  });
  bus.on('human_replied', (e) => stopWhere(e.accountId, e.leadId, 'humanReply', 'human_replied', 'a manager wrote to the client'));
  bus.on('lead_stage_entered', (e) => {
    if (WON_LOST.has(e.statusId)) {
      const won = e.statusId === 142;
      stopWhere(e.accountId, e.leadId, 'wonLost', won ? 'won' : 'lost', `the lead was ${won ? 'won' : 'lost'}`);
    }
    // A move the sequence made itself is where the enrollment already thinks the lead is.
    stopWhere(
      e.accountId,
      e.leadId,
      'stageChange',
      'stage_changed',
      'the lead moved to another stage',
      (x) => x.pipelineId !== e.pipelineId || x.statusId !== e.statusId,
    );
  });
  bus.on('task_changed', (e) => {
    if (e.leadId && e.completed && !e.wasCompleted) stopWhere(e.accountId, e.leadId, 'taskCompleted', 'task_completed', 'a task on the lead was completed');
  });
}
