/**
 * The differential test of the parser's fast path, family by family: each family's hand-written reader
 * (`readLead` of families/leads.ts, …) against that family's zod schema (the specification, same file). For any
 * decoded item: the same first error (`path: message`) or the same data for every schema key.
 * The loose family (customers, unsorted) keeps its items untyped: it has no schema and no reader to compare.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { AccountSchema, readAccount } from './families/account.js';
import { ContactSchema, readContact } from './families/contacts.js';
import { LeadSchema, readLead } from './families/leads.js';
import { MessageSchema, readMessage } from './families/messages.js';
import { NoteSchema, readNote } from './families/notes.js';
import { readTalk, TalkSchema } from './families/talks.js';
import { readTask, TaskSchema } from './families/tasks.js';
import { check } from './fields.js';
import { parseBracketForm, type FormObject, type FormValue } from './form.js';
import { checked } from './readers.js';

const RUNS = 1_000;

type Reader = (v: FormValue | undefined, at: string) => unknown;
/** [family, its item's zod schema, its fast reader, the schema's keys]. */
const FAMILIES: Array<[string, z.ZodTypeAny, Reader, string[]]> = [
  ['account', AccountSchema, readAccount, Object.keys(AccountSchema.shape)],
  ['leads', LeadSchema, readLead, Object.keys(LeadSchema.shape)],
  ['contacts', ContactSchema, readContact, Object.keys(ContactSchema.shape)],
  ['notes', NoteSchema, readNote, Object.keys(NoteSchema.shape)],
  ['tasks', TaskSchema, readTask, Object.keys(TaskSchema.shape)],
  ['messages', MessageSchema, readMessage, Object.keys(MessageSchema.shape)],
  ['talks', TalkSchema, readTalk, Object.keys(TalkSchema.innerType().shape)],
];

// The keys of all families: an item of one family also gets the others' keys, which both sides must treat alike.
const FIELDS = [
  ...new Set([
    ...FAMILIES.flatMap(([, , , keys]) => keys),
    'values',
    'value',
    'enum',
    'subtype',
    'code',
    'self',
    'uniq',
    'duration',
    'source',
    'link',
    'phone',
    'call_status',
    'call_result',
    'avatar_url',
    'extra',
    'then',
    'catch',
  ]),
];

const index = fc.constantFrom('0', '0', '1', '2', '10', '01', 'a', '');
const junk = fc.oneof(fc.constantFrom(...FIELDS), index);

/** Key paths below the item: mostly the shapes Kommo sends, sometimes anything. */
const keyPath = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...FIELDS).map((f) => [f]) },
  { weight: 3, arbitrary: fc.tuple(index, fc.constantFrom('id', 'name', 'code')).map(([i, f]) => ['custom_fields', i, f]) },
  { weight: 4, arbitrary: fc.tuple(index, index, fc.constantFrom('value', 'enum', 'subtype', 'x')).map(([i, j, f]) => ['custom_fields', i, 'values', j, f]) },
  { weight: 1, arbitrary: fc.tuple(index, index, fc.constantFrom('name', 'vat')).map(([i, j, f]) => ['custom_fields', i, 'values', j, 'value', f]) },
  { weight: 1, arbitrary: index.map((i) => ['custom_fields', i, 'values']) },
  { weight: 1, arbitrary: index.map((i) => ['custom_fields', i, 'values', '0']) },
  { weight: 3, arbitrary: fc.tuple(index, fc.constantFrom('id', 'name', 'x')).map(([i, f]) => ['tags', i, f]) },
  { weight: 1, arbitrary: index.map((i) => ['tags', i]) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom('author', 'params', 'result', '_links', 'attachment'), fc.constantFrom(...FIELDS, '0', 'zz')).map(([o, f]) => [o, f]),
  },
  { weight: 2, arbitrary: fc.array(junk, { minLength: 1, maxLength: 5 }) },
);

const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', '0', '1', '5', '30000001', '1700000000', 'acme', 'text') },
  { weight: 3, arbitrary: fc.nat().map(String) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ' ',
      '-0',
      '007',
      ' 12 ',
      '\u00a012\u00a0',
      '-',
      '1.5',
      '12.50',
      '.5',
      '5.',
      '1e3',
      'abc',
      '-12',
      '9007199254740991',
      '9007199254740992',
      '-9007199254740991',
      '123456789012345',
      '1234567890123456',
      '99999999999999999999',
      '1'.repeat(400),
      '2023-11-14 22:13:20',
      'true',
      'TRUE',
      'false',
      'y',
      'N',
      'maybe',
      'company',
      'x,y,,z',
      ',',
      'MOB',
      ' 3001 ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** A decoded item: `x[id]=…` (usually) plus random `x[…]=value` pairs, decoded by the real form parser. */
const item = fc
  .record({
    id: fc.option(fc.oneof(fc.nat().map(String), fc.constantFrom('m-1', 'x', '')), { freq: 6 }),
    talkId: fc.option(fc.nat().map(String), { freq: 2 }),
    account: fc.option(fc.constantFrom('acme', ''), { freq: 3 }),
    pairs: fc.array(fc.tuple(keyPath, value), { maxLength: 10 }),
  })
  .map(({ id, talkId, account, pairs }) => {
    const all: Array<[string[], string]> = [...pairs];
    if (id !== null) all.unshift([['id'], id]);
    if (talkId !== null) all.unshift([['talk_id'], talkId]);
    if (account !== null) all.unshift([['subdomain'], account]);
    const body = all.map(([segs, v]) => `x${segs.map((s) => `[${s}]`).join('')}=${encodeURIComponent(v)}`).join('&');
    const r = parseBracketForm(body);
    return r.ok ? r.value.x : undefined;
  });

/** Only the schema keys of a zod result (the readers skip unknown top-level keys: nothing reads them). */
function pick(data: unknown, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (data as Record<string, unknown>)[k];
  return out;
}

function compare(schema: z.ZodTypeAny, read: Reader, keys: string[], v: FormValue | undefined): void {
  const expected = check(schema, v, 'p[0]');
  const actual = checked(read, v, 'p[0]');
  if (!expected.ok) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(actual.ok).toBe(true);
  if (actual.ok) expect(pick(actual.data, keys)).toEqual(pick(expected.data, keys));
}

describe.each(FAMILIES)('%s family: the fast reader agrees with the zod spec', (_, schema, read, keys) => {
  it('on random items', () => {
    fc.assert(
      fc.property(item, (v) => compare(schema, read, keys, v)),
      { numRuns: RUNS },
    );
  });

  it('on absent, string and empty items', () => {
    for (const v of [undefined, '', 'x', Object.create(null) as FormObject]) compare(schema, read, keys, v);
  });
});

describe('messages family: nested passthrough objects', () => {
  it('keep their extra keys, in zod order', () => {
    const form = parseBracketForm('x[author][zz]=1&x[author][type]=bot&x[author][id]=a&x[author][0]=q&x[id]=m&x[attachment][b]=2&x[attachment][a]=1');
    if (!form.ok) throw new Error(form.error);
    const expected = check(MessageSchema, form.value.x, 'p');
    const actual = checked(readMessage, form.value.x, 'p');
    if (!expected.ok || !actual.ok) throw new Error('expected ok');
    expect(Object.keys(actual.data.author ?? {})).toEqual(Object.keys(expected.data.author ?? {}));
    expect(actual.data.author).toEqual(expected.data.author);
    expect(actual.data.attachment).toEqual(expected.data.attachment);
  });
});
