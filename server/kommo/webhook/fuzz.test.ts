/**
 * Property tests: whatever arrives, the webhook parsers return `{ ok: true | false }`, never throw, and never
 * touch `Object.prototype` (or any other builtin prototype).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWebhook } from '../../../test/fixtures/kommo-webhooks.js';
import { parseDpRequest } from './dp.js';
import { parseKommoWebhook, type KommoWebhookResult } from './events.js';
import { parseBracketForm } from './form.js';

const RUNS = 2_000;

const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype] as const;
let snapshot: string[][] = [];

function protoKeys(): string[][] {
  return prototypes.map((p) => Reflect.ownKeys(p).map(String).sort());
}

/** Cheap check, run after every parse: plain `if`s, no matcher overhead. */
function quickNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || ([] as unknown as Record<string, unknown>).polluted !== undefined) {
    throw new Error('Object.prototype was polluted');
  }
  if (Object.getPrototypeOf(probe) !== Object.prototype) throw new Error('a prototype was swapped');
}

/** Full check: no builtin prototype gained or lost a key. */
function assertNotPolluted(): void {
  quickNotPolluted();
  expect(protoKeys()).toEqual(snapshot);
}

/** The result contract, checked with plain `if`s (thousands of runs; matchers would dominate the time). */
function assertShape(r: KommoWebhookResult): void {
  const fail = (why: string): never => {
    throw new Error(`${why}: ${JSON.stringify(r).slice(0, 300)}`);
  };
  if (typeof r !== 'object' || r === null) fail('not an object');
  if (r.ok === true) {
    if (!Number.isSafeInteger(r.account.id) || typeof r.account.subdomain !== 'string') fail('bad account');
    if (!Array.isArray(r.events)) fail('events not an array');
    for (const e of r.events) {
      if (typeof e.kind !== 'string' || typeof e.eventKey !== 'string') fail('bad event');
      if (!e.eventKey.startsWith(`${r.account.id}:`)) fail('event key without account');
    }
  } else if (r.ok === false) {
    if (typeof r.error !== 'string' || r.error.length === 0 || r.error.length >= 500) fail('bad error');
  } else {
    fail('ok is not a boolean');
  }
}

/** Key segments: Kommo's own names, prototype names, indexes (some huge), junk. */
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('leads', 'contacts', 'task', 'message', 'talk', 'unsorted', 'customers', 'catalogs', 'account') },
  { weight: 6, arbitrary: fc.constantFrom('add', 'update', 'delete', 'restore', 'status', 'responsible', 'note') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'id',
      'subdomain',
      'status_id',
      'custom_fields',
      'values',
      'value',
      'enum',
      'tags',
      'name',
      'author',
      'params',
      'type',
      'talk_id',
      'is_read',
    ),
  },
  { weight: 4, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'hasOwnProperty', '__defineGetter__') },
  { weight: 6, arbitrary: fc.nat({ max: 3 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('99999999', '4294967295', '9007199254740993', '01', '-1', '1e3', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
);

const value = fc.oneof(
  fc.constantFrom('1', '0', '30000001', 'acme', '', 'abc', '1.5', 'company', 'outgoing', 'true', '{"UNIQ":"u","DURATION":"5"}'),
  fc.constantFrom('%', '%z', '%zz', '%E0%A4', '%C0%AF', '%FF', '%%', '+', '%2B', '%00', '%ED%A0%80'),
  fc.nat().map(String),
  fc.string({ maxLength: 12 }),
);

/** One `key=value` pair; the key is 1–14 segments, sometimes with its brackets percent-encoded. */
const pair = fc
  .record({
    segs: fc.array(segment, { minLength: 1, maxLength: 14 }),
    value,
    encodeBrackets: fc.boolean(),
    tail: fc.constantFrom('', '', '', '[', ']', '[x', ']]'),
  })
  .map(({ segs, value: v, encodeBrackets, tail }) => {
    const [head, ...rest] = segs;
    const open = encodeBrackets ? '%5B' : '[';
    const close = encodeBrackets ? '%5D' : ']';
    return `${head ?? ''}${rest.map((s) => `${open}${s}${close}`).join('')}${tail}=${v}`;
  });

const entity = fc.constantFrom('leads', 'contacts', 'companies', 'task', 'message', 'outgoing_message', 'talk', 'unsorted', 'customers', 'catalogs');
const action = fc.constantFrom('add', 'update', 'delete', 'restore', 'status', 'responsible', 'note', 'mystery');
const field = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.constantFrom(
      'id',
      'status_id',
      'pipeline_id',
      'last_modified',
      'type',
      'name',
      'note_type',
      'text',
      'talk_id',
      'is_in_work',
      'created_at',
      'chat_id',
      'price',
      'status',
      'result',
      'metadata',
    ),
  },
  { weight: 6, arbitrary: fc.constantFrom('custom_fields', 'values', 'value', 'enum', 'tags', 'note', 'author', 'params', 'attachment', 'duration') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'valueOf') },
  { weight: 6, arbitrary: fc.nat({ max: 2 }).map(String) },
);
const goodValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '0', '5', '1700000000', 'company', 'outgoing', 'incoming', '10', '11', '4', 'true', '') },
  { weight: 2, arbitrary: fc.nat().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('abc', '1.5', '-3', '{"UNIQ":"u","DURATION":"x"}', '{"__proto__":{"polluted":1}}', '%zz') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
);

/** Kommo-shaped items: `{entity}[{action}][{i}]([note])[id]=…` plus a few `[field]…=value` pairs. */
const kommoItem = fc
  .record({
    entity,
    action,
    index: fc.nat({ max: 2 }),
    withId: fc.constantFrom(true, true, true, false),
    id: fc.nat({ max: 1_000_000 }),
    extra: fc.array(fc.record({ fields: fc.array(field, { minLength: 1, maxLength: 5 }), v: goodValue }), { maxLength: 5 }),
  })
  .map(({ entity: e, action: a, index, withId, id, extra }) => {
    const prefix = `${e}[${a}][${index}]${a === 'note' ? '[note]' : ''}`;
    const idKey = e === 'talk' ? 'talk_id' : 'id';
    const idValue = e === 'message' || e === 'outgoing_message' ? `m-${id}` : String(id);
    const pairs = withId ? [`${prefix}[${idKey}]=${idValue}`] : [];
    for (const { fields, v } of extra) pairs.push(`${prefix}${fields.map((f) => `[${f}]`).join('')}=${v}`);
    return pairs;
  });

/** Bodies that usually carry a valid account, so parsing reaches the entity code. */
const bracketBody = fc
  .record({
    withAccount: fc.constantFrom(true, true, true, false),
    pairs: fc.oneof(
      { weight: 3, arbitrary: fc.array(kommoItem, { minLength: 1, maxLength: 4 }).map((items) => items.flat()) },
      {
        weight: 1,
        arbitrary: fc
          .array(
            fc.oneof(
              kommoItem,
              pair.map((x) => [x]),
            ),
            { maxLength: 8 },
          )
          .map((items) => items.flat()),
      },
    ),
    sep: fc.constantFrom('&', '&', '&&'),
  })
  .map(({ withAccount, pairs, sep }) => [...(withAccount ? ['account[id]=30000001', 'account[subdomain]=acme'] : []), ...pairs].join(sep));

describe('webhook parsers under arbitrary input', () => {
  beforeAll(() => {
    snapshot = protoKeys();
  });
  afterAll(() => {
    assertNotPolluted();
  });

  it('parseKommoWebhook never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 })), (s) => {
        const r = parseKommoWebhook(s);
        assertShape(r);
      }),
      { numRuns: RUNS },
    );
    assertNotPolluted();
  });

  it('parseKommoWebhook never throws or pollutes on random bracket-key bodies', () => {
    fc.assert(
      fc.property(bracketBody, (body) => {
        const r = parseKommoWebhook(body);
        assertShape(r);
        // Deterministic: the same body gives the same outcome and the same keys.
        const again = parseKommoWebhook(body);
        expect(again.ok).toBe(r.ok);
        if (r.ok && again.ok && again.events.map((e) => e.eventKey).join('|') !== r.events.map((e) => e.eventKey).join('|')) {
          throw new Error('event keys differ between two parses of one body');
        }
        quickNotPolluted();
      }),
      { numRuns: RUNS },
    );
    assertNotPolluted();
  });

  it('parseBracketForm and parseDpRequest never throw or pollute', () => {
    fc.assert(
      fc.property(bracketBody, fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded'), (body, ct) => {
        const f = parseBracketForm(body);
        expect(typeof f.ok).toBe('boolean');
        const d = parseDpRequest(body, ct);
        expect(typeof d.ok).toBe('boolean');
        const j = parseDpRequest(`{"event":{"data":${JSON.stringify(body)}},"__proto__":{"polluted":1}}`, ct);
        expect(typeof j.ok).toBe('boolean');
        quickNotPolluted();
      }),
      { numRuns: RUNS },
    );
    assertNotPolluted();
  });

  it('refuses oversized and deep hostile bodies cheaply', () => {
    const deep = `account[id]=1&account[subdomain]=a&a${'[__proto__]'.repeat(50)}=1`;
    const wide = `account[id]=1&account[subdomain]=a&${'x[]=1&'.repeat(30_000)}`;
    const huge = `account[id]=1&account[subdomain]=a&a[${'9'.repeat(200)}]=1`;
    for (const body of [deep, wide, huge]) {
      const r = parseKommoWebhook(body);
      expect(r.ok).toBe(false);
    }
    assertNotPolluted();
  });

  it('round-trips fixture-built leads: ids and timestamps survive into typed events and keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.string({ maxLength: 30 }),
        (id, statusId, ts, name) => {
          const r = parseKommoWebhook(leadWebhook('status', { id, status_id: statusId, last_modified: ts, name }));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const e = r.events[0];
          expect(e?.kind).toBe('lead');
          if (e?.kind !== 'lead') return;
          expect(e.lead).toMatchObject({ id, statusId, lastModified: ts, name });
          expect(e.eventKey).toBe(`30000001:lead:status:${id}:${ts}:${statusId}:7000001`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
