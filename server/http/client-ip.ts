import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * The caller's address, for rate limits and the operator endpoints' loopback rule.
 *
 * Without a proxy it is the socket's peer. Behind one (`TRUST_PROXY`), it is the last address in
 * `X-Forwarded-For`: the one our proxy appended. Earlier entries were written by the client and prove
 * nothing. Null when the request did not come over a socket (in-process calls).
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last && isIP(stripBrackets(last))) return normalize(stripBrackets(last));
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const remote = incoming?.socket?.remoteAddress;
  return remote && isIP(remote) ? normalize(remote) : null;
}

const stripBrackets = (s: string) => s.replace(/^\[(.*)\]$/, '$1');

/** `::ffff:1.2.3.4` is the IPv4 address it wraps. */
function normalize(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip.toLowerCase();
}

export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  return ip === '::1' || /^127\.\d+\.\d+\.\d+$/.test(ip);
}

/**
 * The key an address is limited by. An IPv6 client usually holds a whole /64, so that is the unit;
 * otherwise one machine could rotate through 2^64 addresses and never meet a limit.
 */
export function rateKeyForIp(ip: string | null): string | null {
  if (!ip || isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

function expandIpv6(ip: string): string[] | null {
  const [head, tail, ...rest] = ip.split('::');
  if (rest.length) return null;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups; for the /64 prefix only the head matters.
  const tailGroups = t.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = tail === undefined ? 0 : 8 - h.length - tailGroups;
  if (missing < 0) return null;
  return [...h, ...Array<string>(missing).fill('0'), ...t].map((g) => (g.includes('.') ? g : (g.replace(/^0+(?=.)/, '') || '0').toLowerCase()));
}
