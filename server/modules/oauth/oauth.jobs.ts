import { z } from 'zod';
import { createKommoClient } from '../../kommo/client/index.js';
import { KommoAuthError } from '../../kommo/client/errors.js';
import { PermanentJobError } from '../../jobs/errors.js';
import { defineJob } from '../../jobs/worker.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import { REGISTER_WEBHOOKS_QUEUE, TOKEN_SWEEP_QUEUE, UNSUBSCRIBE_WEBHOOKS_QUEUE } from './oauth.queues.js';

/** Every event the product reacts to (docs/kommo.md §4). Re-subscribing the same destination updates it in place. */
export const WEBHOOK_EVENTS = [
  'add_lead',
  'update_lead',
  'delete_lead',
  'restore_lead',
  'status_lead',
  'responsible_lead',
  'note_lead',
  'add_contact',
  'update_contact',
  'delete_contact',
  'restore_contact',
  'responsible_contact',
  'note_contact',
  'add_company',
  'update_company',
  'delete_company',
  'restore_company',
  'responsible_company',
  'note_company',
  'add_customer',
  'update_customer',
  'delete_customer',
  'add_task',
  'update_task',
  'delete_task',
  'responsible_task',
  'add_talk',
  'update_talk',
  'add_message',
  'add_outgoing_message',
];

/** How often the sweep runs, and how far ahead of expiry it refreshes (access tokens live 24 h). */
const SWEEP_EVERY_MS = 60 * 60_000;
const SWEEP_WITHIN_MS = 6 * 60 * 60_000;

export type OAuthJobsDeps = Pick<Platform, 'env' | 'fetch' | 'clock' | 'encryptor' | 'queue'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: KommoServices;
};

/** Adapters from the queue to the Kommo connection: register webhooks, remove them after uninstall, the token sweep. */
export function oauthJobs(deps: OAuthJobsDeps) {
  const registerWebhooks = defineJob({
    queue: REGISTER_WEBHOOKS_QUEUE,
    payload: z.object({ accountId: z.number().int() }),
    async handle({ accountId }) {
      const row = deps.accounts.byId(accountId);
      if (row?.status !== 'connected') return;
      const destination = `${deps.env.PUBLIC_URL}/webhooks/kommo/${row.webhookSecret}`;
      try {
        await deps.kommo.api(accountId).subscribeWebhook(destination, WEBHOOK_EVENTS);
      } catch (err) {
        if (err instanceof KommoAuthError) throw new PermanentJobError(err.message);
        throw err;
      }
      deps.activity.write({
        accountId,
        type: 'connection.webhooks',
        title: 'Kommo webhooks registered',
        description: `${WEBHOOK_EVENTS.length} event types are delivered to this backend.`,
        metadata: { events: WEBHOOK_EVENTS },
      });
    },
  });

  /** After uninstall: remove our webhook with the last token we had. A 401 means Kommo already dropped it with the integration. */
  const unsubscribeWebhooks = defineJob({
    queue: UNSUBSCRIBE_WEBHOOKS_QUEUE,
    payload: z.object({ accountId: z.number().int(), host: z.string(), accessTokenEnc: z.string(), destination: z.string() }),
    async handle(p) {
      const token = deps.encryptor.decrypt(p.accessTokenEnc);
      const client = createKommoClient({
        fetch: deps.fetch,
        clock: deps.clock,
        tokens: {
          getAccess: async () => ({ accessToken: token, host: p.host }),
          refreshAfter401: async () => {
            throw new KommoAuthError('revoked at uninstall');
          },
        },
        rps: deps.env.KOMMO_RATE_LIMIT_RPS,
        allowInsecureLoopback: deps.env.KOMMO_ALLOW_INSECURE_LOOPBACK,
      });
      try {
        await client.forAccount(p.accountId).unsubscribeWebhook(p.destination);
      } catch (err) {
        if (err instanceof KommoAuthError) return;
        throw err;
      }
    },
  });

  /** Refresh tokens ahead of expiry on a schedule, so a refresh token never lapses unused; then schedule the next sweep. */
  const tokenSweep = defineJob({
    queue: TOKEN_SWEEP_QUEUE,
    payload: z.object({ slot: z.number().int() }),
    async handle({ slot }) {
      await deps.kommo.vault.refreshDue(SWEEP_WITHIN_MS);
      scheduleTokenSweep(deps, slot + 1);
    },
  });

  return [registerWebhooks, unsubscribeWebhooks, tokenSweep];
}

/** Idempotent per time slot: every process may call this at boot; one sweep per hour runs. */
export function scheduleTokenSweep(deps: Pick<Platform, 'clock' | 'queue'>, slot = Math.floor(deps.clock.now() / SWEEP_EVERY_MS)) {
  deps.queue.enqueue({ queue: TOKEN_SWEEP_QUEUE, payload: { slot }, idempotencyKey: `sweep:${slot}`, runAt: slot * SWEEP_EVERY_MS, maxAttempts: 3 });
}
