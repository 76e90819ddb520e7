import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The guard every connection to a host a tenant typed goes through (mailboxes today; outgoing webhooks and
 * URL imports next). Any Kommo account can reach the backend, so a host name is attacker input: it could
 * name the backend itself, the operator's private network, or the cloud metadata service.
 *
 * `resolve()` looks the name up once, refuses it when ANY of its addresses is not public (a name with one
 * internal address among public ones is refused, not filtered), and returns the address to connect to.
 * The caller connects to that address (TLS keeps the name as servername), so a second lookup at connect
 * time, which a DNS rebind would answer differently, never happens.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

export type GuardReason = 'address' | 'port' | 'unresolvable';

export class NetGuardError extends Error {
  constructor(
    readonly reason: GuardReason,
    message: string,
    readonly addressClass: AddressClass | null = null,
  ) {
    super(message);
    this.name = 'NetGuardError';
  }
}

export interface PinnedTarget {
  /** The name as given (the TLS servername when it is not an IP literal). */
  host: string;
  /** The one address to connect to. */
  address: string;
  family: 4 | 6;
  port: number;
}

export type LookupFn = (host: string) => Promise<{ address: string; family: number }[]>;

export interface NetGuardPolicy {
  /** Allow loopback, private, link-local and CGNAT addresses, on any port (self-hosting, tests). */
  allowPrivate: boolean;
  /** Replaces the system resolver (tests). */
  lookup?: LookupFn;
  lookupTimeoutMs?: number;
}

const rules: [AddressClass, string, number, 'ipv4' | 'ipv6'][] = [
  ['metadata', '169.254.169.254', 32, 'ipv4'],
  ['metadata', '100.100.100.200', 32, 'ipv4'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '192.88.99.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // IPv4-compatible addresses (deprecated) and the discard prefix.
  ['reserved', '::', 96, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'],
  ['private', '64:ff9b:1::', 48, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', '2001:2::', 48, 'ipv6'],
  ['reserved', '2001:10::', 28, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];
const lists = new Map<AddressClass, BlockList>();
for (const [cls, net, prefix, type] of rules) {
  const list = lists.get(cls) ?? new BlockList();
  list.addSubnet(net, prefix, type);
  lists.set(cls, list);
}

/** The eight 16-bit groups of an IPv6 address (with or without an embedded IPv4 tail). */
function groups6(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedV4(ip: string): string | null {
  const g = groups6(ip);
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return null;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4From(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4From(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4From(g[1]!, g[2]!);
  return null;
}

/** What kind of address this is; anything that is not an IP address is 'reserved' (refused). */
export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  if (family === 6) {
    const inner = embeddedV4(ip);
    if (inner) return classifyAddress(inner);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of lists) if (list.check(ip, type)) return cls;
  return 'public';
}

/** Allowed with MAIL_ALLOW_PRIVATE_HOSTS (or the equivalent switch of another caller). */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local', 'cgnat']);

const systemLookup: LookupFn = (host) => dnsLookup(host, { all: true, verbatim: true });

export function createNetGuard(policy: NetGuardPolicy) {
  const lookup = policy.lookup ?? systemLookup;
  const timeoutMs = policy.lookupTimeoutMs ?? 5000;

  const allowed = (cls: AddressClass) => cls === 'public' || (policy.allowPrivate && PRIVATE_CLASSES.has(cls));

  async function addressesOf(host: string): Promise<{ address: string; family: number }[]> {
    const literal = host.replace(/^\[(.*)\]$/, '$1');
    const family = isIP(literal);
    if (family) return [{ address: literal, family }];
    let timer: NodeJS.Timeout | undefined;
    try {
      const found = await Promise.race([
        lookup(literal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('lookup timed out')), timeoutMs);
          timer.unref();
        }),
      ]);
      if (found.length === 0) throw new Error('no addresses');
      return found;
    } catch {
      throw new NetGuardError('unresolvable', `${host} could not be resolved`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  return {
    /**
     * The address to connect to for `host:port`, or a NetGuardError before any connection is made.
     * `ports` are the ones a public host may use; a private host allowed by the switch may use any port.
     */
    async resolve(host: string, port: number, ports: readonly number[]): Promise<PinnedTarget> {
      const found = await addressesOf(host);
      for (const a of found) {
        const cls = classifyAddress(a.address);
        if (!allowed(cls)) throw new NetGuardError('address', `${host} resolves to a ${cls} address, which is not allowed`, cls);
      }
      const first = found[0]!;
      const cls = classifyAddress(first.address);
      if (cls === 'public' && !ports.includes(port)) throw new NetGuardError('port', `port ${port} is not allowed (use ${ports.join(', ')})`);
      return { host: host.replace(/^\[(.*)\]$/, '$1'), address: first.address, family: first.family === 6 ? 6 : 4, port };
    },
  };
}

export type NetGuard = ReturnType<typeof createNetGuard>;
