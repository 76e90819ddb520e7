import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccountRow } from '../../../db/schema/index.js';
import { enforce, type RateLimiter } from '../../http/rate-limit.js';
import { KommoAuthError } from '../../kommo/client/errors.js';
import { kommoBaseUrl } from '../../kommo/hosts.js';
import { AppError, forbidden } from '../../lib/errors.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import { UNINSTALL_CHECK_QUEUE, UNSUBSCRIBE_WEBHOOKS_QUEUE } from './oauth.queues.js';

export type UninstallDeps = Pick<Platform, 'env' | 'clock' | 'queue' | 'tx' | 'encryptor' | 'bus' | 'fetch' | 'logger'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: Pick<KommoServices, 'vault' | 'oauthConfig'>;
  limiter: RateLimiter;
};

/** Kommo may call the hook a moment before it revokes our tokens: a hook whose tokens still work is checked once more after this. */
const RECHECK_AFTER_MS = 60_000;
const PROBE_TIMEOUT_MS = 3000;

type Verdict = 'revoked' | 'working' | 'unknown';

/**
 * Kommo's uninstall hook: `GET ?client_uuid&account_id&signature`, where signature =
 * hex(HMAC-SHA256(client_secret, "client_id|account_id")). Kommo sends no timestamp or nonce (docs/kommo.md
 * §1; nothing in Kommo's docs or SDK adds one), so the signed URL is the same every time, and a copy of it
 * would disconnect the account again after a reinstall.
 *
 * So the signature only lets a request ask; what decides is Kommo itself: we disconnect only when the
 * account's tokens have really stopped working (one paced request to Kommo). A replay against an installed
 * integration finds them working and changes nothing.
 */
export function createUninstall(deps: UninstallDeps) {
  const { env, clock } = deps;
  const perAccount = { name: 'uninstall-account', perMinute: env.RATE_LIMIT_OAUTH_PER_MIN };

  function verifySignature(q: { client_uuid: string; account_id: number; signature: string }) {
    const cfg = deps.kommo.oauthConfig();
    const expected = createHmac('sha256', cfg.clientSecret).update(`${cfg.clientId}|${q.account_id}`).digest();
    const given = Buffer.from(q.signature, 'hex');
    if (q.client_uuid !== cfg.clientId || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw forbidden('Invalid uninstall signature');
    }
  }

  /** Ask Kommo, once, whether the account's tokens still work. Never throws. */
  async function probe(row: AccountRow): Promise<Verdict> {
    if (!row.accessTokenEnc) return 'revoked'; // nothing left that could act on the account
    let token: string;
    try {
      // A connected account's token is refreshed first when it is due, so an expired token is not taken for a revoked one.
      token = row.status === 'connected' ? (await deps.kommo.vault.getAccess(row.id)).accessToken : deps.encryptor.decrypt(row.accessTokenEnc);
    } catch (err) {
      return err instanceof KommoAuthError ? 'revoked' : 'unknown';
    }
    const pace = deps.kommo.oauthConfig().pace;
    let release: () => void = () => {};
    try {
      if (pace) release = await pace(row.host);
      const res = await deps.fetch(`${kommoBaseUrl(row.host, env.KOMMO_ALLOW_INSECURE_LOOPBACK)}/api/v4/account`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 401) return 'revoked';
      return res.ok ? 'working' : 'unknown';
    } catch {
      return 'unknown';
    } finally {
      release();
    }
  }

  /** Tokens deleted, agents stopped, our webhook removed (with the token we still hold, if Kommo still takes it). */
  function disconnect(accountId: number): boolean {
    return deps.tx(() => {
      const row = deps.accounts.byId(accountId);
      if (!row || row.status === 'disconnected') return false;
      if (row.accessTokenEnc) {
        deps.queue.enqueue({
          queue: UNSUBSCRIBE_WEBHOOKS_QUEUE,
          accountId: row.id,
          payload: {
            accountId: row.id,
            host: row.host,
            accessTokenEnc: row.accessTokenEnc,
            destination: `${env.PUBLIC_URL}/webhooks/kommo/${row.webhookSecret}`,
          },
          idempotencyKey: `unsubscribe:${row.id}:${row.tokenVersion}`,
          maxAttempts: 3,
        });
      }
      deps.accounts.disconnect(row.id, 'uninstalled in Kommo', clock.now());
      deps.activity.write({
        accountId: row.id,
        type: 'connection.uninstalled',
        title: 'Kommo integration uninstalled',
        description: 'Tokens were deleted and agents stopped. History is kept; reinstalling reconnects it.',
        params: {},
      });
      deps.bus.emit('account.disconnected', { accountId: row.id });
      return true;
    });
  }

  function scheduleCheck(row: AccountRow, delayMs: number) {
    deps.queue.enqueue({
      queue: UNINSTALL_CHECK_QUEUE,
      accountId: row.id,
      payload: { accountId: row.id },
      // One pending check per token generation, however often the hook is called.
      idempotencyKey: `uninstall-check:${row.id}:${row.tokenVersion}`,
      runAt: clock.now() + delayMs,
      maxAttempts: 5,
    });
  }

  return {
    /** The hook. 200: disconnected (or nothing to do); 409: still installed, nothing changed; 202: Kommo did not answer, checked again later. */
    async hook(q: { client_uuid: string; account_id: number; signature: string }) {
      verifySignature(q);
      enforce(deps.limiter, [{ rule: perAccount, key: String(q.account_id) }]);
      const row = deps.accounts.byId(q.account_id);
      if (!row || row.status === 'disconnected') return { status: 200 as const, body: { ok: true, accountId: q.account_id, disconnected: true } };
      const verdict = await probe(row);
      if (verdict === 'revoked') {
        disconnect(row.id);
        return { status: 200 as const, body: { ok: true, accountId: row.id, disconnected: true } };
      }
      scheduleCheck(row, verdict === 'working' ? RECHECK_AFTER_MS : 0);
      if (verdict === 'unknown') return { status: 202 as const, body: { ok: true, accountId: row.id, disconnected: false, checking: true } };
      deps.logger.warn({ accountId: row.id }, 'uninstall hook ignored: the integration still works in this account');
      throw new AppError(
        'CONFLICT',
        'The integration is still installed in this Kommo account (its tokens work), so nothing was changed. It is checked once more in a minute.',
      );
    },

    /** The queued check: disconnect if Kommo now refuses the tokens; retried with backoff while Kommo cannot say. */
    async check(accountId: number): Promise<void> {
      const row = deps.accounts.byId(accountId);
      if (!row || row.status === 'disconnected') return;
      const verdict = await probe(row);
      if (verdict === 'revoked') disconnect(row.id);
      else if (verdict === 'unknown') throw new Error('Kommo did not answer the token check');
    },
  };
}

export type Uninstall = ReturnType<typeof createUninstall>;
