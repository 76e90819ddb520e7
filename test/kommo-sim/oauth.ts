/** OAuth 2.0 as Kommo does it: one-time 20-min codes, 24 h access tokens, rotating refresh tokens. */
import { randomBytes } from 'node:crypto';
import type { SimCore } from './core.js';
import { isObj, json, type Reply } from './http-util.js';
import type { TokenRecord } from './state.js';

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
}

export interface OAuthCounters {
  tokenExchanges: number;
  refreshes: number;
  failedRefreshes: number;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

const OAUTH_PROBLEM = 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson';

function oauthProblem(status: number, error: string, hint: string, detail: string): Reply {
  return json(status, { hint, title: status === 401 ? 'Unauthorized' : 'Bad Request', type: OAUTH_PROBLEM, status, detail, error });
}

export class OAuthStore {
  readonly counters: OAuthCounters = { tokenExchanges: 0, refreshes: 0, failedRefreshes: 0 };

  constructor(
    private core: SimCore,
    private cfg: OAuthConfig,
  ) {}

  private get codes(): Map<string, TokenRecord> {
    return this.core.state.authCodes;
  }

  private get tokens(): Map<string, TokenRecord> {
    return this.core.state.tokens;
  }

  private token(value: string, kind: TokenRecord['kind']): TokenRecord | undefined {
    const t = this.tokens.get(value);
    return t && t.kind === kind ? t : undefined;
  }

  issueAuthCode(): string {
    const code = `def50200${randomBytes(48).toString('hex')}`;
    const now = this.core.now();
    this.codes.set(code, { kind: 'code', issuedAt: now, expiresAt: now + 20 * 60, dead: false });
    return code;
  }

  /** A fresh token pair without the HTTP dance (does not touch the counters). */
  issueTokens(): { token_type: 'Bearer'; expires_in: number; access_token: string; refresh_token: string } {
    const now = this.core.now();
    const access_token = `simat.${randomBytes(24).toString('base64url')}`;
    const refresh_token = `def50200${randomBytes(40).toString('hex')}`;
    this.tokens.set(access_token, { kind: 'access', issuedAt: now, expiresAt: now + this.cfg.accessTokenTtlSec, dead: false });
    this.tokens.set(refresh_token, { kind: 'refresh', issuedAt: now, expiresAt: now + this.cfg.refreshTokenTtlSec, dead: false });
    return { token_type: 'Bearer', expires_in: this.cfg.accessTokenTtlSec, access_token, refresh_token };
  }

  checkBearer(header: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) return { ok: false, reason: 'missing' };
    const g = this.token(m[1]!, 'access');
    if (!g) return { ok: false, reason: 'unknown' };
    if (g.dead) return { ok: false, reason: 'revoked' };
    if (g.expiresAt <= this.core.now()) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  revokeAll(): void {
    for (const m of [this.codes, this.tokens]) for (const g of m.values()) g.dead = true;
  }

  expireAccess(): void {
    const past = this.core.now() - 1;
    for (const g of this.tokens.values()) if (g.kind === 'access') g.expiresAt = Math.min(g.expiresAt, past);
  }

  /** POST /oauth2/access_token */
  handle(body: unknown): Reply {
    if (!isObj(body)) return oauthProblem(400, 'invalid_request', 'Request body is missing', 'Bad request body');
    const { client_id, client_secret, grant_type, redirect_uri } = body;
    if (client_id !== this.cfg.clientId || client_secret !== this.cfg.clientSecret) {
      return oauthProblem(401, 'invalid_client', 'Client authentication failed', 'Client authentication failed');
    }
    const now = this.core.now();
    if (grant_type === 'authorization_code') {
      if (redirect_uri !== this.cfg.redirectUri) {
        return oauthProblem(400, 'invalid_request', 'Invalid redirect_uri', 'redirect_uri does not match the integration');
      }
      const code = typeof body.code === 'string' ? body.code : '';
      const g = this.codes.get(code);
      if (!g) return oauthProblem(400, 'invalid_grant', 'Cannot decrypt the authorization code', 'Invalid authorization code');
      if (g.dead) return oauthProblem(400, 'invalid_grant', 'Authorization code has been revoked', 'Invalid authorization code');
      if (g.expiresAt <= now) return oauthProblem(400, 'invalid_grant', 'Authorization code has expired', 'Invalid authorization code');
      g.dead = true;
      this.counters.tokenExchanges++;
      return json(200, this.issueTokens());
    }
    if (grant_type === 'refresh_token') {
      const rt = typeof body.refresh_token === 'string' ? body.refresh_token : '';
      const g = this.token(rt, 'refresh');
      if (!g || g.dead || g.expiresAt <= now) {
        this.counters.failedRefreshes++;
        const hint = !g ? 'Cannot decrypt the refresh token' : g.dead ? 'Token has been revoked' : 'Token has expired';
        return oauthProblem(401, 'invalid_grant', hint, 'Refresh token is invalid');
      }
      g.dead = true; // rotation: the used refresh token dies at once
      this.counters.refreshes++;
      return json(200, this.issueTokens());
    }
    return oauthProblem(400, 'unsupported_grant_type', 'Unsupported grant type', 'The authorization grant type is not supported');
  }
}
