import type { EventBus } from '../../lib/bus.js';
import type { SequencesService } from './sequences.service.js';

/**
 * Enrollment by a Digital Pipeline stage: the DP action's `sequence_id` setting enrolls the lead that
 * reached the stage. Runs inside the publisher's transaction, after the stop subscriptions, so an
 * enrollment from the stage the lead left is stopped before the new one starts. Kommo retries and
 * re-sends DP triggers; a second live enrollment in the same sequence is refused by the repository.
 */
export function subscribeDpEnrollment(bus: EventBus, sequences: SequencesService) {
  bus.on('lead_stage_entered', (e) => {
    if (e.source !== 'dp' || !e.sequenceId) return;
    sequences.enroll(e.accountId, e.sequenceId, e.leadId, 'dp', null, { pipelineId: e.pipelineId, statusId: e.statusId });
  });
}
