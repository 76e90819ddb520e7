import { z } from 'zod';
import { defineJob } from '../../jobs/worker.js';
import type { LongLivedBootstrap } from './long-lived.js';
import { LONG_LIVED_QUEUE, REGISTER_WEBHOOKS_QUEUE, TOKEN_SWEEP_QUEUE, UNINSTALL_CHECK_QUEUE, UNSUBSCRIBE_WEBHOOKS_QUEUE } from './oauth.queues.js';
import type { TokenSweep } from './token-sweep.js';
import type { Uninstall } from './uninstall.service.js';
import type { WebhookRegistration } from './webhook-registration.js';

/** Adapters from the queue to the Kommo connection: register webhooks, remove them after uninstall, confirm an uninstall, the token sweep, the long-lived bootstrap. */
export function oauthJobs(s: { webhooks: WebhookRegistration; sweep: TokenSweep; longLived: LongLivedBootstrap; uninstall: Uninstall }) {
  return [
    defineJob({
      queue: REGISTER_WEBHOOKS_QUEUE,
      payload: z.object({ accountId: z.number().int() }),
      handle: ({ accountId }) => s.webhooks.register(accountId),
    }),
    defineJob({
      queue: UNSUBSCRIBE_WEBHOOKS_QUEUE,
      payload: z.object({ accountId: z.number().int(), host: z.string(), accessTokenEnc: z.string(), destination: z.string() }),
      handle: (p) => s.webhooks.unsubscribe(p),
    }),
    defineJob({
      queue: UNINSTALL_CHECK_QUEUE,
      payload: z.object({ accountId: z.number().int() }),
      handle: ({ accountId }) => s.uninstall.check(accountId),
    }),
    defineJob({ queue: TOKEN_SWEEP_QUEUE, payload: z.object({ slot: z.number().int() }), handle: ({ slot }) => s.sweep.run(slot) }),
    defineJob({ queue: LONG_LIVED_QUEUE, payload: z.object({ tokenId: z.string() }), handle: () => s.longLived.run() }),
  ];
}
