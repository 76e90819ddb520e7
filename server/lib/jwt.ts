import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtAlg = 'HS256' | 'HS512';

export class JwtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwtError';
  }
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const hmac = (alg: JwtAlg, secret: string, data: string) =>
  createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret)
    .update(data)
    .digest();

export function signJwt(claims: Record<string, unknown>, secret: string, alg: JwtAlg = 'HS256'): string {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(hmac(alg, secret, `${head}.${body}`))}`;
}

/**
 * Verify an HMAC JWT's signature and time claims. Only the listed algorithms are accepted, so a token
 * saying `alg: none` or an RSA algorithm is refused before any key is used.
 */
export function verifyJwt(
  token: string,
  secret: string,
  opts: { algorithms: JwtAlg[]; nowSec: number; leewaySec?: number; requireExp?: boolean },
): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed token');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed token');
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new JwtError('malformed token');
  const alg = header.alg as JwtAlg;
  if (!opts.algorithms.includes(alg)) throw new JwtError(`algorithm ${String(header.alg)} is not accepted`);
  const expected = hmac(alg, secret, `${h}.${p}`);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError('bad signature');
  const leeway = opts.leewaySec ?? 30;
  const exp = claims.exp;
  if (exp === undefined && opts.requireExp !== false) throw new JwtError('token has no expiry');
  if (exp !== undefined && (typeof exp !== 'number' || opts.nowSec > exp + leeway)) throw new JwtError('token expired');
  const nbf = claims.nbf;
  if (nbf !== undefined && (typeof nbf !== 'number' || opts.nowSec + leeway < nbf)) throw new JwtError('token not yet valid');
  const iat = claims.iat;
  if (iat !== undefined && (typeof iat !== 'number' || opts.nowSec + leeway < iat)) throw new JwtError('token issued in the future');
  return claims;
}
