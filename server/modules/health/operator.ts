import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Env } from '../../env.js';
import { clientIp, isLoopback } from '../../http/client-ip.js';
import { AppError } from '../../lib/errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics and the detailed /readyz: a caller with `Authorization: Bearer <METRICS_TOKEN>`,
 * or one on this machine when METRICS_ALLOW_LOOPBACK is on (the default). Behind a proxy (TRUST_PROXY)
 * "this machine" is judged by the forwarded address, so the proxy itself does not make everyone local.
 */
export function operatorAccess(env: Pick<Env, 'METRICS_TOKEN' | 'METRICS_ALLOW_LOOPBACK' | 'TRUST_PROXY'>) {
  const tokenOk = (c: Context) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    return Boolean(env.METRICS_TOKEN && m && timingSafeEqual(digest(m[1]!), digest(env.METRICS_TOKEN)));
  };
  const allowed = (c: Context) => tokenOk(c) || (env.METRICS_ALLOW_LOOPBACK && isLoopback(clientIp(c, env.TRUST_PROXY)));
  return {
    allowed,
    require(c: Context) {
      if (allowed(c)) return;
      const how = [env.METRICS_TOKEN ? 'send Authorization: Bearer <METRICS_TOKEN>' : 'set METRICS_TOKEN and send it as a Bearer token']
        .concat(env.METRICS_ALLOW_LOOPBACK ? ['or call from this machine'] : [])
        .join(' ');
      throw new AppError('UNAUTHORIZED', `Operator endpoint: ${how}.`);
    },
  };
}
