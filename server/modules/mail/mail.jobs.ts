import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/worker.js';
import type { MailServices } from './index.js';
import { MAIL_NOTE_QUEUE } from './outbox.send.js';
import { MAIL_SEND_QUEUE } from './outbox.writer.js';

/** Adapters from the queue to the outbox: send over SMTP, then record the note in the lead. */
export function mailJobs(mail: Pick<MailServices, 'sender' | 'recordNote'>): JobDefinition[] {
  return [
    defineJob({
      queue: MAIL_SEND_QUEUE,
      payload: z.object({ outboxId: z.number().int() }),
      leaseMs: 120_000,
      backoff: { baseMs: 30_000, capMs: 30 * 60_000 },
      // An SMTP conversation can take seconds: a quarter of the slots at most.
      share: 0.25,
      handle: ({ outboxId }, ctx) => mail.sender.send(outboxId, ctx),
    }),
    defineJob({
      queue: MAIL_NOTE_QUEUE,
      payload: z.object({ outboxId: z.number().int() }),
      backoff: { baseMs: 10_000, capMs: 15 * 60_000 },
      handle: ({ outboxId }, ctx) => mail.recordNote(outboxId, ctx),
    }),
  ];
}
