import { z } from 'zod';
import { kommoBaseUrl } from './hosts.js';

/** Kommo's token endpoint answer. */
const tokenSchema = z
  .object({
    token_type: z.string().optional(),
    expires_in: z.coerce.number().int().positive(),
    access_token: z.string().min(1),
    refresh_token: z.string().min(1),
  })
  .passthrough();

export type TokenSet = { accessToken: string; refreshToken: string; expiresInSec: number };

/** The grant is dead (revoked, expired, reused): only the admin reinstalling helps. Never retried. */
export class OAuthGrantError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'OAuthGrantError';
  }
}

/** The token endpoint was unreachable or failed transiently; retry later. */
export class OAuthTransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'OAuthTransientError';
  }
}

export interface OAuthHttpConfig {
  fetch: typeof fetch;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  allowInsecureLoopback: boolean;
  timeoutMs?: number;
  /**
   * Take a slot of the account host's API pacing for one token request; call the result when the answer
   * is in. Kommo's 7 requests/s is per integration and IP, and no source exempts /oauth2/access_token.
   */
  pace?: (host: string) => Promise<() => void>;
}

async function post(cfg: OAuthHttpConfig, host: string, body: Record<string, string>, signal?: AbortSignal): Promise<TokenSet> {
  const timeout = AbortSignal.timeout(cfg.timeoutMs ?? 10_000);
  const release = (await cfg.pace?.(host)) ?? (() => {});
  let res: Response;
  let text: string;
  try {
    res = await cfg.fetch(`${kommoBaseUrl(host, cfg.allowInsecureLoopback)}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: cfg.clientId, client_secret: cfg.clientSecret, redirect_uri: cfg.redirectUri, ...body }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    text = await res.text();
  } catch (err) {
    throw new OAuthTransientError(`Kommo token endpoint unreachable: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`);
  } finally {
    release();
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  if (res.status === 429) {
    const after = Number((json as { retry_after?: unknown }).retry_after ?? res.headers.get('retry-after') ?? 1);
    throw new OAuthTransientError('Kommo token endpoint rate-limited us', (Number.isFinite(after) ? after : 1) * 1000);
  }
  if (res.status >= 500) throw new OAuthTransientError(`Kommo token endpoint answered ${res.status}`);
  if (!res.ok) {
    const j = json as { hint?: string; detail?: string; title?: string; error?: string; error_description?: string };
    const reason = j.hint || j.error_description || j.detail || j.title || j.error || `HTTP ${res.status}`;
    throw new OAuthGrantError(`Kommo refused the token request: ${reason}`, res.status);
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw new OAuthTransientError(`Kommo token endpoint answered an unexpected body (${parsed.error.issues[0]?.path.join('.')})`);
  return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresInSec: parsed.data.expires_in };
}

export const exchangeCode = (cfg: OAuthHttpConfig, host: string, code: string, signal?: AbortSignal) =>
  post(cfg, host, { grant_type: 'authorization_code', code }, signal);

export const refreshTokens = (cfg: OAuthHttpConfig, host: string, refreshToken: string) =>
  post(cfg, host, { grant_type: 'refresh_token', refresh_token: refreshToken });
