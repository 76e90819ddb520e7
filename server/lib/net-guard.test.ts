import { describe, expect, it } from 'vitest';
import { classifyAddress, createNetGuard, NetGuardError, type LookupFn } from './net-guard.js';

const SMTP = [25, 465, 587, 2525];

describe('classifyAddress', () => {
  it.each([
    ['93.184.215.14', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.5', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::7f00:1', 'reserved'],
    // IPv4 inside IPv6: judged by the IPv4 address it carries.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:93.184.215.14', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['not an address', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('createNetGuard', () => {
  const fixed =
    (map: Record<string, string[]>): LookupFn =>
    async (host) => {
      const list = map[host];
      if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  it('refuses private, loopback, metadata and mapped addresses, by literal or by name, naming the reason', async () => {
    const guard = createNetGuard({
      allowPrivate: false,
      lookup: fixed({ 'mail.evil.test': ['10.0.0.5'], 'mixed.evil.test': ['93.184.215.14', '127.0.0.1'], 'mail.good.test': ['93.184.215.14'] }),
    });
    for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', 'mail.evil.test', 'mixed.evil.test', '0.0.0.0']) {
      const err = await guard.resolve(host, 587, SMTP).catch((e) => e);
      expect(err, host).toBeInstanceOf(NetGuardError);
      expect(err.reason, host).toBe('address');
    }
    expect(await guard.resolve('mail.good.test', 587, SMTP)).toEqual({ host: 'mail.good.test', address: '93.184.215.14', family: 4, port: 587 });
    expect((await guard.resolve('mail.good.test', 8025, SMTP).catch((e) => e)).reason).toBe('port');
    expect((await guard.resolve('nowhere.test', 587, SMTP).catch((e) => e)).reason).toBe('unresolvable');
  });

  it('with the switch, allows private and loopback hosts on any port, never metadata, multicast or unspecified', async () => {
    const guard = createNetGuard({ allowPrivate: true, lookup: fixed({}) });
    expect((await guard.resolve('127.0.0.1', 3025, SMTP)).address).toBe('127.0.0.1');
    expect((await guard.resolve('10.2.3.4', 143, SMTP)).address).toBe('10.2.3.4');
    for (const host of ['169.254.169.254', '224.0.0.1', '0.0.0.0']) expect((await guard.resolve(host, 25, SMTP).catch((e) => e)).reason).toBe('address');
  });

  it('looks the name up once per resolve: the caller connects to the address it returns', async () => {
    const answers = [['93.184.215.14'], ['127.0.0.1']];
    let calls = 0;
    const guard = createNetGuard({
      allowPrivate: false,
      lookup: async () => (answers[calls++] ?? []).map((address) => ({ address, family: 4 })),
    });
    expect((await guard.resolve('rebind.test', 25, SMTP)).address).toBe('93.184.215.14');
    expect(calls).toBe(1);
    // The rebinding answer only matters to a second lookup, and that one is refused.
    expect((await guard.resolve('rebind.test', 25, SMTP).catch((e) => e)).reason).toBe('address');
  });
});
