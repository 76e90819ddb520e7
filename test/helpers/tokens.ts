import { randomUUID } from 'node:crypto';
import { signJwt, type JwtAlg } from '../../server/lib/jwt.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from './env.js';

/** An X-Auth-Token shaped the way Kommo signs it for a widget request. */
export function widgetToken(
  claims: { accountId: number; userId?: number; isAdmin?: boolean } & Record<string, unknown>,
  opts: { secret?: string; alg?: JwtAlg; nowSec?: number; aud?: string } = {},
): string {
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const { accountId, userId, isAdmin, ...rest } = claims;
  return signJwt(
    {
      iss: `https://acct${accountId}.kommo.com`,
      aud: opts.aud ?? 'http://127.0.0.1:3999',
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 1800,
      account_id: accountId,
      user_id: userId ?? 1001,
      subdomain: `acct${accountId}`,
      client_uuid: TEST_CLIENT_ID,
      is_admin: isAdmin ?? true,
      ...rest,
    },
    opts.secret ?? TEST_CLIENT_SECRET,
    opts.alg ?? 'HS256',
  );
}

export const authHeaders = (accountId: number, extra: Record<string, unknown> = {}) => ({
  'x-auth-token': widgetToken({ accountId, ...extra }),
});
