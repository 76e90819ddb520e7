import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { KommoAccount } from '../../kommo/client/schemas.js';
import { isAllowedKommoHost } from '../../kommo/hosts.js';
import { exchangeCode, OAuthGrantError, type OAuthHttpConfig, type TokenSet } from '../../kommo/oauth-http.js';
import { AppError, badRequest } from '../../lib/errors.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import type { SyncService } from '../sync/sync.service.js';
import { createOAuthStateRepo } from './oauth-state.repo.js';
import { newDpSecret } from '../accounts/accounts.repo.js';
import { REGISTER_WEBHOOKS_QUEUE } from './oauth.queues.js';

export type OAuthServiceDeps = Pick<Platform, 'env' | 'clock' | 'sqlite' | 'queue' | 'tx' | 'encryptor' | 'bus' | 'fetch'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: KommoServices;
  sync: SyncService;
};

/** What an install learned about the account: from the OAuth exchange or a long-lived token. */
export interface ConnectInput {
  host: string;
  account: { id: number; subdomain: string; name: string; current_user_id: number | null };
  accessToken: string;
  refreshToken: string | null;
  expiresInSec: number | null;
}

const STATE_TTL_MS = 10 * 60_000;

/** `referer` arrives as a bare host (acme.kommo.com) but tolerate a URL. */
export function normalizeHost(referer: string): string {
  const r = referer.trim().toLowerCase();
  if (r.includes('://')) {
    try {
      return new URL(r).host;
    } catch {
      return r;
    }
  }
  return r.replace(/\/+$/, '');
}

/**
 * The account host's request pacing, but given up on when `signal` fires: an install waiting behind a
 * queue of requests to its host must not send the code exchange after Kommo's 3-second window. A slot
 * granted too late is handed back at once.
 */
function paceWithin(pace: OAuthHttpConfig['pace'], signal: AbortSignal): OAuthHttpConfig['pace'] {
  if (!pace) return undefined;
  return (host) =>
    new Promise<() => void>((resolve, reject) => {
      let settled = false;
      const giveUp = () => {
        if (settled) return;
        settled = true;
        reject(new Error('no request slot to Kommo within the install window'));
      };
      if (signal.aborted) giveUp();
      else signal.addEventListener('abort', giveUp, { once: true });
      pace(host).then((release) => {
        signal.removeEventListener('abort', giveUp);
        if (settled) return release();
        settled = true;
        resolve(release);
      }, reject);
    });
}

export function createOAuthService(deps: OAuthServiceDeps) {
  const { env, clock } = deps;
  const states = createOAuthStateRepo(deps.sqlite);

  /** The "Connect Kommo" button: a single-use state bound to this browser by a cookie. */
  function beginButtonFlow() {
    const cfg = deps.kommo.oauthConfig();
    const state = randomBytes(24).toString('base64url');
    states.create(state, clock.now(), clock.now() + STATE_TTL_MS);
    const url = `https://www.kommo.com/oauth?client_id=${encodeURIComponent(cfg.clientId)}&state=${encodeURIComponent(state)}&mode=post_message`;
    return { state, url };
  }

  function consumeState(state: string, cookieState: string | undefined) {
    if (!cookieState || cookieState.length !== state.length || !timingSafeEqual(Buffer.from(cookieState), Buffer.from(state))) {
      throw badRequest('This install link was not started in this browser (state mismatch). Start again from the Connect button.', [
        { field: 'state', message: 'does not match this browser' },
      ]);
    }
    if (!states.consume(state, clock.now()))
      throw badRequest('This install link has expired or was already used. Start again from the Connect button.', [
        { field: 'state', message: 'unknown, expired or used' },
      ]);
  }

  /**
   * The install redirect. Every check that guards the client secret happens before any request goes
   * out; then one code exchange and one account read, and the rest (sync, webhooks) is queued.
   */
  async function install(
    q: { code?: string; referer?: string; state?: string; from_widget?: string; client_id?: string; error?: string },
    cookieState?: string,
  ) {
    const cfg = deps.kommo.oauthConfig();
    if (q.error)
      throw new AppError('BAD_REQUEST', q.error === 'access_denied' ? 'The installation was declined in Kommo.' : `Kommo reported an error: ${q.error}`);
    if (!q.code) throw badRequest('The install redirect has no authorization code.', [{ field: 'code', message: 'required' }]);
    if (!q.referer) throw badRequest('The install redirect has no referer (the Kommo account host).', [{ field: 'referer', message: 'required' }]);
    const host = normalizeHost(q.referer);
    if (!isAllowedKommoHost(host, env.KOMMO_ALLOWED_HOSTS, env.KOMMO_ALLOW_INSECURE_LOOPBACK)) {
      throw badRequest(`"${host}" is not a Kommo account host, so we will not send it our credentials.`, [
        { field: 'referer', message: `not in KOMMO_ALLOWED_HOSTS (${env.KOMMO_ALLOWED_HOSTS.join(', ')})` },
      ]);
    }
    if (q.client_id && q.client_id !== cfg.clientId)
      throw badRequest('The redirect is for another integration.', [{ field: 'client_id', message: 'does not match KOMMO_CLIENT_ID' }]);
    if (q.state) consumeState(q.state, cookieState);
    else if (!q.from_widget)
      throw badRequest('The install redirect has no state. Start again from the Connect button.', [
        { field: 'state', message: 'required outside a widget install' },
      ]);

    // Kommo gives the redirect 3 s: keep the two outbound calls inside that budget.
    const budget = AbortSignal.timeout(2500);
    let tokens: TokenSet;
    try {
      tokens = await exchangeCode({ ...cfg, pace: paceWithin(cfg.pace, budget) }, host, q.code, budget);
    } catch (err) {
      if (err instanceof OAuthGrantError)
        throw new AppError(
          'BAD_REQUEST',
          `Kommo did not accept the authorization code: ${err.message.replace(/^Kommo refused the token request: /, '')}. Install again from Kommo.`,
        );
      throw new AppError('UPSTREAM_FAILED', `Kommo did not answer the token exchange in time (${(err as Error).message}). Install again from Kommo.`);
    }
    let account: KommoAccount;
    try {
      account = await deps.kommo.probe(host, tokens.accessToken).getAccount();
    } catch (err) {
      throw new AppError(
        'UPSTREAM_FAILED',
        `Kommo accepted the install but we could not read the account (${(err as Error).message}). Install again from Kommo.`,
      );
    }
    return connectAccount({ host, account, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresInSec: tokens.expiresInSec });
  }

  /**
   * Store the account's tokens (encrypted) and start it: one transaction with the activity entry, the
   * webhook registration and the first sync. Install and the long-lived-token bootstrap both end here.
   */
  function connectAccount(c: ConnectInput) {
    return deps.tx(() => {
      const now = clock.now();
      const existing = deps.accounts.byId(c.account.id);
      const row = deps.accounts.upsertInstalled(
        {
          id: c.account.id,
          host: c.host,
          subdomain: c.account.subdomain,
          name: c.account.name,
          currentUserId: c.account.current_user_id,
          accessTokenEnc: deps.encryptor.encrypt(c.accessToken),
          refreshTokenEnc: c.refreshToken === null ? null : deps.encryptor.encrypt(c.refreshToken),
          tokenExpiresAt: c.expiresInSec === null ? null : now + c.expiresInSec * 1000,
          longLived: c.refreshToken === null,
          webhookSecret: existing?.webhookSecret ?? randomBytes(24).toString('base64url'),
          dpSecret: existing?.dpSecret ?? newDpSecret(),
        },
        now,
      );
      const how = existing ? 'reinstalled' : 'installed';
      deps.activity.write({
        accountId: row.id,
        type: 'connection.installed',
        title: `Kommo account ${how}`,
        description: `${c.account.name} is connected. The first sync and webhook registration have started.`,
        params: { variant: how, name: c.account.name },
      });
      deps.queue.enqueue({
        queue: REGISTER_WEBHOOKS_QUEUE,
        accountId: row.id,
        payload: { accountId: row.id },
        idempotencyKey: `webhooks:${row.id}:${row.tokenVersion}`,
        serialKey: `account:${row.id}:webhooks`,
      });
      deps.sync.start(row.id, 'full');
      return row;
    });
  }

  const webhookDestination = (secret: string) => `${env.PUBLIC_URL}/webhooks/kommo/${secret}`;

  return { beginButtonFlow, install, connectAccount, webhookDestination };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
