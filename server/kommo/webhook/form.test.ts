import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBracketForm, type FormObject } from './form.js';
import { formToPlain, listEntries } from './form-values.js';

function ok(body: string, limits?: Parameters<typeof parseBracketForm>[1]): FormObject {
  const r = parseBracketForm(body, limits);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.value;
}

function err(body: string, limits?: Parameters<typeof parseBracketForm>[1]): string {
  const r = parseBracketForm(body, limits);
  if (r.ok) throw new Error(`expected an error for ${body.slice(0, 80)}`);
  return r.error;
}

describe('parseBracketForm: decoding', () => {
  it('builds nested objects from bracket keys', () => {
    const v = ok('leads[status][0][id]=123&leads[status][0][status_id]=456&account[id]=1&account[_links][self]=https://a.kommo.com');
    expect(formToPlain(v)).toEqual({
      leads: { status: [{ id: '123', status_id: '456' }] },
      account: { id: '1', _links: { self: 'https://a.kommo.com' } },
    });
  });

  it('decodes percent-encoded brackets, + as space and UTF-8', () => {
    const v = ok('leads%5Badd%5D%5B0%5D%5Bname%5D=Caf%C3%A9+%2B+bar&x=a%26b%3Dc');
    expect(formToPlain(v)).toEqual({ leads: { add: [{ name: 'Café + bar' }] }, x: 'a&b=c' });
  });

  it('keeps list order by index, not by arrival', () => {
    const v = ok('a[2]=c&a[0]=a&a[10]=k&a[1]=b');
    const list = listEntries(v.a as FormObject);
    expect(list?.map(([k, x]) => [k, x])).toEqual([
      ['0', 'a'],
      ['1', 'b'],
      ['2', 'c'],
      ['10', 'k'],
    ]);
    expect(formToPlain(v.a as FormObject)).toEqual(['a', 'b', 'c', 'k']);
  });

  it('appends with [] and treats non-canonical numbers as names', () => {
    const v = ok('a[]=x&a[]=y&a[5]=z&a[]=w&b[01]=q');
    expect(formToPlain(v)).toEqual({ a: ['x', 'y', 'z', 'w'], b: { '01': 'q' } });
    expect(Object.keys(v.a as FormObject)).toEqual(['0', '1', '5', '6']);
  });

  it('follows parse_str for edge pairs: no "=", empty pairs, repeated scalars', () => {
    expect(formToPlain(ok('a&&b=&c=1&c=2&'))).toEqual({ a: '', b: '', c: '2' });
    expect(formToPlain(ok(''))).toEqual({});
  });

  it('builds containers without a prototype', () => {
    const v = ok('a[b]=1');
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.getPrototypeOf(v.a)).toBeNull();
    // `toString`, `hasOwnProperty`… are not inherited, so they cannot be mistaken for data.
    expect((v as Record<string, unknown>).toString).toBeUndefined();
  });
});

describe('parseBracketForm: hostile input becomes an error', () => {
  it('refuses __proto__, constructor, prototype anywhere in a key', () => {
    for (const body of [
      '__proto__[polluted]=1',
      'a[__proto__][polluted]=1',
      'a[constructor][prototype][polluted]=1',
      'constructor[prototype][polluted]=1',
      'a[prototype]=1',
      '%5F%5Fproto%5F%5F[polluted]=1',
      'a%5B__proto__%5D%5Bpolluted%5D=1',
    ]) {
      expect(err(body)).toMatch(/forbidden key segment/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a scalar and an object at the same path, in either order', () => {
    expect(err('a=1&a[b]=2')).toMatch(/^a: a value and nested keys/);
    expect(err('a[b]=2&a=1')).toMatch(/^a: a value and nested keys/);
    expect(err('x[y][0]=1&x[y][0][z]=2')).toMatch(/^x\[y\]\[0\]: a value and nested keys/);
  });

  it('refuses huge indexes without allocating', () => {
    expect(err('a[99999999]=1')).toMatch(/index 99999999 above 10000/);
    expect(err(`a[${'9'.repeat(200)}]=1`)).toMatch(/above 10000/);
    expect(ok('a[10000]=1')).toBeTruthy();
    expect(err('a[5]=1', { maxIndex: 4 })).toMatch(/above 4/);
  });

  it('refuses keys deeper than maxDepth', () => {
    expect(ok('a[1][2][3][4][5][6][7]=x')).toBeTruthy(); // 8 segments
    expect(err('a[1][2][3][4][5][6][7][8]=x')).toMatch(/deeper than 8/);
    expect(err(`a${'[x]'.repeat(5000)}=1`, { maxKeyLength: 100_000 })).toMatch(/deeper than 8/);
  });

  it('refuses more than maxPairs pairs', () => {
    const body = Array.from({ length: 5001 }, (_, i) => `k${i}=v`).join('&');
    expect(err(body)).toMatch(/more than 5000 pairs/);
    expect(ok(body.split('&').slice(0, 5000).join('&'))).toBeTruthy();
  });

  it('refuses long keys and long bodies', () => {
    expect(err(`${'k'.repeat(257)}=1`)).toMatch(/key longer than 256/);
    expect(err(`${'%41'.repeat(5000)}=1`)).toMatch(/key longer than 256/);
    expect(err('a=1', { maxBodyLength: 2 })).toMatch(/body longer than 2/);
  });

  it('reports bad percent escapes in keys and values', () => {
    expect(err('a%zz=1')).toMatch(/bad percent-encoding in key/);
    expect(err('a=%')).toMatch(/^a: bad percent-encoding in value/);
    expect(err('a=%E0%A4')).toMatch(/bad percent-encoding/); // truncated UTF-8
    expect(err('a=%FF')).toMatch(/bad percent-encoding/);
  });

  it('reports malformed brackets', () => {
    expect(err('a[b=1')).toMatch(/unclosed/);
    expect(err('a]=1')).toMatch(/unbalanced/);
    expect(err('a[b]c=1')).toMatch(/text after/);
    expect(err('a[b[c]]=1')).toMatch(/nested "\["/);
    expect(err('[a]=1')).toMatch(/empty name/);
    expect(err('=1')).toMatch(/empty key/);
  });

  it('is not fooled by a non-string body', () => {
    expect(parseBracketForm(42 as unknown as string)).toEqual({ ok: false, error: 'body is not a string' });
  });
});

describe('parseBracketForm: key encodings', () => {
  // Keys like `a[b][0]` / `a%5Bb%5D%5B0%5D` take a fast path (split straight from the body); any other escape
  // takes the general one (decode, then split). Both must give the same result, errors included.
  const segment = fc.oneof(
    fc.constantFrom('leads', 'add', 'id', 'custom_fields', 'values', 'value', '0', '1', '10', '01', '', '__proto__', 'constructor', '99999'),
    fc.string({ maxLength: 6 }),
    fc.string({ maxLength: 4, unit: 'grapheme' }),
  );
  const value = fc.oneof(fc.constantFrom('1', '', 'x y', '%', '%zz', '+', '%E2%80%94', '%5B'), fc.string({ maxLength: 6 }));
  const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  const bodies = fc.array(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), value, fc.boolean()), { maxLength: 8 }).map((pairs) => {
    const build = (mode: 'literal' | 'percent' | 'general') =>
      pairs
        .map(([[head = '', ...rest], v, lower]) => {
          const open = mode === 'literal' ? '[' : lower ? '%5b' : '%5B';
          const close = mode === 'literal' ? ']' : lower ? '%5d' : '%5D';
          // `general`: the first character of the name fully percent-encoded, which rules the fast path out.
          const [first = '', ...others] = Array.from(head); // code points: never a half surrogate pair
          const name = mode === 'general' && first !== '' ? hex(first) + encodeURIComponent(others.join('')) : encodeURIComponent(head);
          return `${name}${rest.map((x) => `${open}${encodeURIComponent(x)}${close}`).join('')}=${v}`;
        })
        .join('&');
    return { literal: build('literal'), percent: build('percent'), general: build('general') };
  });

  it('gives the same result for literal, %5B-encoded and fully escaped brackets', () => {
    fc.assert(
      fc.property(bodies, fc.constantFrom(undefined, { maxDepth: 3, maxIndex: 20, maxKeyLength: 12 }), (b, limits) => {
        const expected = JSON.stringify(parseBracketForm(b.general, limits));
        expect(JSON.stringify(parseBracketForm(b.literal, limits))).toBe(expected);
        expect(JSON.stringify(parseBracketForm(b.percent, limits))).toBe(expected);
      }),
      { numRuns: 1_000 },
    );
  });
});
