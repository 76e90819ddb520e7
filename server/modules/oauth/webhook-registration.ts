import { createKommoClient } from '../../kommo/client/index.js';
import { KommoAuthError } from '../../kommo/client/errors.js';
import { PermanentJobError } from '../../jobs/errors.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';

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

export type WebhookRegistrationDeps = Pick<Platform, 'env' | 'fetch' | 'clock' | 'encryptor'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: Pick<KommoServices, 'api'>;
};

/** Our webhook in the account: registered after install, removed after uninstall. */
export function createWebhookRegistration(deps: WebhookRegistrationDeps) {
  return {
    /** Subscribe this backend to every event above; re-subscribing updates the destination in place. */
    async register(accountId: number): Promise<void> {
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
        params: { count: WEBHOOK_EVENTS.length },
      });
    },

    /** After uninstall: remove our webhook with the last token we had. A 401 means Kommo already dropped it with the integration. */
    async unsubscribe(p: { accountId: number; host: string; accessTokenEnc: string; destination: string }): Promise<void> {
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
  };
}

export type WebhookRegistration = ReturnType<typeof createWebhookRegistration>;
