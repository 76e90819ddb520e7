import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import type { SequenceRunner } from './sequences.runner.js';
import { SEQUENCE_STEP_QUEUE } from './sequences.service.js';

const int = z.number().int();

/** Adapter from the queue to the runner: one job per due step of an enrollment. */
export function sequencesJobs(runner: SequenceRunner) {
  return [
    defineJob({
      queue: SEQUENCE_STEP_QUEUE,
      payload: z.object({ enrollmentId: int, step: int.min(0), at: z.number() }),
      leaseMs: 120_000,
      backoff: { baseMs: 5000, capMs: 15 * 60_000 },
      handle: (p, { job, complete }) => runner.run(job.accountId!, p, complete),
    }),
  ];
}
