import { createHash } from 'node:crypto';
import { KommoAuthError } from '../../kommo/client/errors.js';
import type { KommoAccount } from '../../kommo/client/schemas.js';
import { isAllowedKommoHost } from '../../kommo/hosts.js';
import { PermanentJobError } from '../../jobs/errors.js';
import type { Platform } from '../../platform.js';
import type { KommoServices } from '../kommo/index.js';
import type { OAuthService } from './oauth.service.js';
import { LONG_LIVED_QUEUE } from './oauth.queues.js';

/**
 * Private integrations use one long-lived token instead of OAuth (KOMMO_LONG_LIVED_TOKEN with
 * KOMMO_ACCOUNT_HOST). At boot we queue a bootstrap, once per token value: read the account with it,
 * store it encrypted, then register webhooks and sync as an install would. There is no refresh; a 401
 * marks the account `reauth_required` (see the token vault).
 */
export function createLongLivedBootstrap(
  deps: Pick<Platform, 'env' | 'queue'> & { kommo: Pick<KommoServices, 'probe'>; oauth: Pick<OAuthService, 'connectAccount'> },
) {
  return {
    /** Queue the bootstrap, once per token value (every boot calls this). */
    schedule() {
      const token = deps.env.KOMMO_LONG_LIVED_TOKEN;
      if (!token) return;
      const tokenId = createHash('sha256').update(token).digest('hex').slice(0, 16);
      deps.queue.enqueue({ queue: LONG_LIVED_QUEUE, payload: { tokenId }, idempotencyKey: `long-lived:${tokenId}`, maxAttempts: 10 });
    },
    async run(): Promise<void> {
      const token = deps.env.KOMMO_LONG_LIVED_TOKEN;
      const host = deps.env.KOMMO_ACCOUNT_HOST?.trim().toLowerCase();
      if (!token || !host) return; // setting removed since the job was queued
      if (!isAllowedKommoHost(host, deps.env.KOMMO_ALLOWED_HOSTS, deps.env.KOMMO_ALLOW_INSECURE_LOOPBACK)) {
        throw new PermanentJobError(`KOMMO_ACCOUNT_HOST "${host}" is not in KOMMO_ALLOWED_HOSTS; we will not send the token there`);
      }
      let account: KommoAccount;
      try {
        account = await deps.kommo.probe(host, token).getAccount();
      } catch (err) {
        if (err instanceof KommoAuthError) throw new PermanentJobError(`Kommo refused KOMMO_LONG_LIVED_TOKEN: ${err.message}`);
        throw err;
      }
      deps.oauth.connectAccount({ host, account, accessToken: token, refreshToken: null, expiresInSec: null });
    },
  };
}

export type LongLivedBootstrap = ReturnType<typeof createLongLivedBootstrap>;
