import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import { RETENTION_QUEUE, type Retention } from './retention.service.js';

export const retentionJob = (retention: Retention) =>
  defineJob({
    queue: RETENTION_QUEUE,
    payload: z.object({ day: z.number().int() }),
    // Long, and never urgent: a long lease (the worker renews it) and a small share of the slots.
    leaseMs: 10 * 60_000,
    share: 0.25,
    handle: async ({ day }, { signal }) => void (await retention.daily(day, signal)),
  });
