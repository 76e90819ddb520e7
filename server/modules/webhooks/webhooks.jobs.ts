import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import { REFETCH_LEAD_QUEUE } from './handlers/leads.js';
import { BURST_QUEUE } from './handlers/messages.js';
import { EVENT_QUEUE } from './inbox.service.js';
import { LAUNCH_CONTINUE_QUEUE, type Processing } from './processing.service.js';
import { DP_QUEUE, SALESBOT_QUEUE, SALESBOT_RELEASE_QUEUE } from './triggers.service.js';

const id = z.number().int();

/** Adapters from the queue to the processing service: stored events, lead re-reads, bursts, DP triggers, Salesbot requests. */
export function webhookJobs(p: Processing) {
  return [
    defineJob({
      queue: EVENT_QUEUE,
      payload: z.object({ eventId: id }),
      handle: ({ eventId }, { job, complete }) => p.event(job.accountId!, eventId, complete),
    }),
    defineJob({ queue: REFETCH_LEAD_QUEUE, payload: z.object({ leadId: id }), handle: ({ leadId }, { job }) => p.refetchLead(job.accountId!, leadId) }),
    defineJob({
      queue: BURST_QUEUE,
      payload: z.object({ leadId: id, firstAt: z.number() }),
      handle: ({ leadId, firstAt }, { job, complete }) => p.flushBurst(job.accountId!, leadId, firstAt, complete),
    }),
    defineJob({ queue: DP_QUEUE, payload: z.object({ eventId: id }), handle: ({ eventId }, { job }) => p.dpTrigger(job.accountId!, eventId) }),
    defineJob({
      queue: SALESBOT_QUEUE,
      payload: z.object({ requestId: id }),
      handle: async ({ requestId }, { job }) => p.salesbotRequest(job.accountId!, requestId),
    }),
    defineJob({
      queue: LAUNCH_CONTINUE_QUEUE,
      payload: z.object({ requestId: id, messageId: id }),
      handle: ({ requestId, messageId }, { job }) => p.continueLaunch(job.accountId!, requestId, messageId),
    }),
    defineJob({
      queue: SALESBOT_RELEASE_QUEUE,
      payload: z.object({ requestId: id }),
      handle: ({ requestId }, { job }) => p.releaseSalesbot(job.accountId!, requestId),
    }),
  ];
}
