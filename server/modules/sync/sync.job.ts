import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import { SYNC_QUEUE, type SyncService } from './sync.service.js';

export const syncJob = (sync: SyncService) =>
  defineJob({
    queue: SYNC_QUEUE,
    payload: z.object({ accountId: z.number().int(), runId: z.number().int() }),
    leaseMs: 120_000,
    backoff: { baseMs: 5000, capMs: 10 * 60_000 },
    // A sync pages through Kommo for minutes: a quarter of the slots at most.
    share: 0.25,
    handle: ({ accountId, runId }, ctx) => sync.run(accountId, runId, ctx),
  });
