import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Env } from '../env.js';
import type { Clock } from '../lib/clock.js';
import type { AppEnv } from './env.js';
import type { JtiRepo } from './auth-jtis.repo.js';
import { notConfigured, unauthorized } from '../lib/errors.js';
import { JwtError, verifyJwt } from '../lib/jwt.js';

const claimsSchema = z.object({
  account_id: z.coerce.number().int().positive(),
  user_id: z.coerce.number().int().nonnegative(),
  client_uuid: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  jti: z.string().min(1).max(200),
  exp: z.number(),
  subdomain: z.string().optional(),
  is_admin: z.union([z.boolean(), z.number(), z.string()]).optional(),
});

/**
 * `/api/*` is called by the widget with Kommo's one-time `X-Auth-Token` (HS256 with our client secret).
 * The account and user come from the verified token only; each `jti` is accepted once.
 */
export function widgetAuth(deps: { env: Env; clock: Clock; jtis: JtiRepo }): MiddlewareHandler<AppEnv> {
  const { env, clock, jtis } = deps;
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    if (!env.KOMMO_CLIENT_SECRET || !env.KOMMO_CLIENT_ID) {
      throw notConfigured('Kommo integration', ['KOMMO_CLIENT_ID', 'KOMMO_CLIENT_SECRET', 'KOMMO_REDIRECT_URI']);
    }
    const token = c.req.header('x-auth-token');
    if (!token) throw unauthorized('Missing X-Auth-Token header: call the API through the widget');
    const nowMs = clock.now();
    let claims: z.infer<typeof claimsSchema>;
    try {
      const raw = verifyJwt(token, env.KOMMO_CLIENT_SECRET, { algorithms: ['HS256'], nowSec: Math.floor(nowMs / 1000) });
      const parsed = claimsSchema.safeParse(raw);
      if (!parsed.success) throw new JwtError(`missing or invalid claim ${String(parsed.error.issues[0]?.path[0])}`);
      claims = parsed.data;
    } catch (err) {
      if (err instanceof JwtError) throw unauthorized(`Invalid X-Auth-Token: ${err.message}`);
      throw err;
    }
    const expectedAud = new URL(env.KOMMO_REDIRECT_URI ?? env.PUBLIC_URL).origin;
    const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!auds.some((a) => a.replace(/\/+$/, '') === expectedAud)) throw unauthorized('Invalid X-Auth-Token: wrong audience');
    if (claims.client_uuid !== env.KOMMO_CLIENT_ID) throw unauthorized('Invalid X-Auth-Token: issued for another integration');
    if (!jtis.claim(claims.jti, claims.account_id, (claims.exp + 60) * 1000)) throw unauthorized('Invalid X-Auth-Token: this token was already used');
    c.set('auth', {
      accountId: claims.account_id,
      userId: claims.user_id,
      subdomain: claims.subdomain ?? null,
      isAdmin:
        claims.is_admin === undefined ? null : claims.is_admin === true || claims.is_admin === 1 || claims.is_admin === '1' || claims.is_admin === 'true',
    });
    return next();
  };
}
