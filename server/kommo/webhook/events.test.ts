import { describe, expect, it } from 'vitest';
import {
  contactNoteWebhook,
  contactWebhook,
  customerWebhook,
  emailField,
  encodeKommoForm,
  incomingMessageWebhook,
  kommoWebhookBody,
  leadNoteWebhook,
  leadStatusWebhook,
  leadWebhook,
  outgoingMessageWebhook,
  phoneField,
  talkWebhook,
  taskWebhook,
  unsortedWebhook,
  type LeadAction,
} from '../../../test/fixtures/kommo-webhooks.js';
import { parseKommoWebhook, type KommoEvent, type KommoEventOf } from './events.js';

const acct = { id: 30000001, subdomain: 'acme' };

function events(body: string): KommoEvent[] {
  const r = parseKommoWebhook(body);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.events;
}

function only<K extends KommoEvent['kind']>(body: string, kind: K): KommoEventOf<K> {
  const evs = events(body);
  expect(evs).toHaveLength(1);
  const e = evs[0] as KommoEvent;
  expect(e.kind).toBe(kind);
  return e as KommoEventOf<K>;
}

function error(body: string): string {
  const r = parseKommoWebhook(body);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

/** A captured-shape body: keys exactly as Kommo sends them, literal brackets, URL-encoded values. */
function form(pairs: Record<string, string>): string {
  return new URLSearchParams(pairs).toString();
}

const ACCOUNT_PAIRS = {
  'account[subdomain]': 'acme',
  'account[id]': '30000001',
  'account[_links][self]': 'https://acme.kommo.com',
};

describe('account', () => {
  it('reads account id, subdomain and link', () => {
    const r = parseKommoWebhook(form(ACCOUNT_PAIRS));
    expect(r).toEqual({ ok: true, account: { id: 30000001, subdomain: 'acme', link: 'https://acme.kommo.com' }, events: [] });
  });

  it('requires a numeric account[id] and a subdomain', () => {
    expect(error('account[subdomain]=acme&leads[add][0][id]=1')).toBe('account[id]: is required');
    expect(error('account[subdomain]=acme&account[id]=abc')).toBe('account[id]: expected a number');
    expect(error('account[subdomain]=acme&account[id]=')).toBe('account[id]: expected a number');
    expect(error('account[subdomain]=acme&account[id][x]=1')).toBe('account[id]: expected a number');
    expect(error('account[id]=1')).toBe('account[subdomain]: is required');
    expect(error('leads[add][0][id]=1')).toBe('account: is required');
    expect(error('account=1')).toBe('account: expected an object');
    expect(error('')).toBe('account: is required');
  });

  it('passes form errors through and never throws on non-strings', () => {
    expect(error('account[id]=1&account[subdomain]=a&x=%zz')).toMatch(/bad percent-encoding/);
    expect(parseKommoWebhook(undefined as unknown as string)).toEqual({ ok: false, error: 'body is not a string' });
  });
});

describe('leads', () => {
  it('parses the documented leads[status] body', () => {
    const body =
      'leads[status][0][id]=123&leads[status][0][status_id]=456&leads[status][0][old_status_id]=455&leads[status][0][pipeline_id]=7' +
      '&leads[status][0][last_modified]=1700000000&account[id]=30000001&account[subdomain]=acme&account[_links][self]=https://acme.kommo.com';
    const e = only(body, 'lead');
    expect(e.action).toBe('status');
    expect(e.lead).toMatchObject({ id: 123, statusId: 456, oldStatusId: 455, pipelineId: 7, lastModified: 1700000000, tags: [], customFields: [] });
    expect(e.lead.raw).toEqual({ id: '123', status_id: '456', old_status_id: '455', pipeline_id: '7', last_modified: '1700000000' });
    expect(e.eventKey).toBe('30000001:lead:status:123:1700000000:456:7');
  });

  it('parses a captured leads[update] body (every value a string, empty name)', () => {
    const e = only(
      form({
        ...ACCOUNT_PAIRS,
        'leads[update][0][id]': '27754599',
        'leads[update][0][name]': '',
        'leads[update][0][status_id]': '59936202',
        'leads[update][0][old_status_id]': '59936198',
        'leads[update][0][responsible_user_id]': '10004026',
        'leads[update][0][last_modified]': '1695482894',
        'leads[update][0][modified_user_id]': '10004026',
        'leads[update][0][created_user_id]': '0',
        'leads[update][0][date_create]': '1694590926',
        'leads[update][0][pipeline_id]': '7173574',
        'leads[update][0][account_id]': '30000001',
        'leads[update][0][created_at]': '1694590926',
        'leads[update][0][updated_at]': '1695482894',
      }),
      'lead',
    );
    expect(e.action).toBe('update');
    expect(e.lead).toMatchObject({
      id: 27754599,
      name: '',
      statusId: 59936202,
      oldStatusId: 59936198,
      responsibleUserId: 10004026,
      createdUserId: 0,
      dateCreate: 1694590926,
      pipelineId: 7173574,
      accountId: 30000001,
      updatedAt: 1695482894,
    });
  });

  it.each<LeadAction>(['add', 'update', 'delete', 'restore', 'status', 'responsible'])('leads[%s] → kind lead', (action) => {
    const e = only(leadWebhook(action, { id: 5, status_id: 2, pipeline_id: 1, price: 1500 }, acct), 'lead');
    expect(e.action).toBe(action);
    expect(e.lead.id).toBe(5);
    expect(e.lead.statusId).toBe(2);
  });

  it('reads a batch in index order', () => {
    const evs = events(
      leadStatusWebhook(
        [
          { id: 1, status_id: 10 },
          { id: 2, status_id: 20 },
          { id: 3, status_id: 142 },
        ],
        acct,
      ),
    );
    expect(evs.map((e) => (e.kind === 'lead' ? e.lead.id : null))).toEqual([1, 2, 3]);
    expect(new Set(evs.map((e) => e.eventKey)).size).toBe(3);
  });

  it('reads responsible changes with the old responsible', () => {
    const e = only(leadWebhook('responsible', { id: 5, responsible_user_id: 8, old_responsible_user_id: 7 }, acct), 'lead');
    expect(e.lead).toMatchObject({ responsibleUserId: 8, oldResponsibleUserId: 7 });
    expect(e.eventKey).toBe('30000001:lead:responsible:5:1700000000:8');
  });
});

describe('v2 custom fields and tags', () => {
  it('turns custom_fields[i][values][j][value|enum] into typed customFields', () => {
    const e = only(
      leadWebhook(
        'update',
        {
          id: 5,
          custom_fields: [
            { id: 101, name: 'Budget', values: [{ value: 1500 }] },
            {
              id: 102,
              name: 'Channels',
              code: 'CHANNELS',
              values: [
                { value: 'Email', enum: 3001 },
                { value: 'Phone', enum: 3002 },
              ],
            },
            { id: 103, name: 'Type', values: [{ value: 'Mobile', enum: 'MOB' }] },
          ],
          tags: [{ id: 1, name: 'vip' }, { name: 'new one' }],
        },
        acct,
      ),
      'lead',
    );
    expect(e.lead.customFields).toEqual([
      { id: 101, name: 'Budget', values: [{ value: '1500' }] },
      {
        id: 102,
        name: 'Channels',
        code: 'CHANNELS',
        values: [
          { value: 'Email', enum: 3001 },
          { value: 'Phone', enum: 3002 },
        ],
      },
      { id: 103, name: 'Type', values: [{ value: 'Mobile', enumCode: 'MOB' }] },
    ]);
    expect(e.lead.tags).toEqual([{ id: 1, name: 'vip' }, { name: 'new one' }]);
  });

  it('keeps values in index order and tolerates empty and composite shapes', () => {
    const base = { ...ACCOUNT_PAIRS, 'leads[add][0][id]': '9' };
    const e = only(
      form({
        ...base,
        'leads[add][0][custom_fields][0][id]': '7',
        'leads[add][0][custom_fields][0][values][1][value]': 'second',
        'leads[add][0][custom_fields][0][values][0][value]': 'first',
        'leads[add][0][custom_fields][1][id]': '8',
        'leads[add][0][custom_fields][1][values][0][value][name]': 'ACME Ltd',
        'leads[add][0][custom_fields][1][values][0][value][vat_id]': '123',
        'leads[add][0][custom_fields][2][id]': '9',
        'leads[add][0][custom_fields][2][values][0][value]': 'Main st 1',
        'leads[add][0][custom_fields][2][values][0][subtype]': 'address_line_1',
        'leads[add][0][tags]': '',
      }),
      'lead',
    );
    expect(e.lead.customFields).toEqual([
      { id: 7, values: [{ value: 'first' }, { value: 'second' }] },
      { id: 8, values: [{ value: '{"name":"ACME Ltd","vat_id":"123"}' }] },
      { id: 9, values: [{ value: 'Main st 1', subtype: 'address_line_1' }] },
    ]);
    expect(e.lead.tags).toEqual([]);
  });

  it('names the path of a bad custom field', () => {
    const body = leadWebhook(
      'add',
      {
        id: 5,
        custom_fields: [
          { id: 1, values: [] },
          { id: 'x' as unknown as number, values: [] },
        ],
      },
      acct,
    );
    expect(error(body)).toBe('leads[add][0][custom_fields][1][id]: expected a number');
    const bad = form({ ...ACCOUNT_PAIRS, 'leads[add][0][id]': '5', 'leads[add][0][custom_fields][0][values][0][value]': 'v' });
    expect(error(bad)).toBe('leads[add][0][custom_fields][0][id]: is required');
    const notList = form({ ...ACCOUNT_PAIRS, 'leads[add][0][id]': '5', 'leads[add][0][custom_fields][a][id]': '1' });
    expect(error(notList)).toBe('leads[add][0][custom_fields][a]: expected a list index');
  });
});

describe('contacts and companies', () => {
  it('reads a contact with phone/email fields', () => {
    const e = only(
      contactWebhook('add', { id: 7, name: 'Ann', custom_fields: [phoneField('+1 555 0100'), emailField('ann@example.test')] }, {}, acct),
      'contact',
    );
    expect(e.action).toBe('add');
    expect(e.contact).toMatchObject({ id: 7, type: 'contact', name: 'Ann' });
    expect(e.contact.customFields.map((f) => [f.code, f.values[0]?.value])).toEqual([
      ['PHONE', '+1 555 0100'],
      ['EMAIL', 'ann@example.test'],
    ]);
    expect(e.eventKey).toBe('30000001:contact:add:7:1700000000');
  });

  it('reads companies that arrive under contacts with type=company', () => {
    const e = only(contactWebhook('update', { id: 8, name: 'ACME' }, { company: true }, acct), 'company');
    expect(e.contact).toMatchObject({ id: 8, type: 'company', name: 'ACME' });
    expect(e.eventKey).toBe('30000001:company:update:8:1700000000');
  });

  it('mixes contacts and companies in one batch', () => {
    const body = form({
      ...ACCOUNT_PAIRS,
      'contacts[update][0][id]': '1',
      'contacts[update][0][type]': 'contact',
      'contacts[update][1][id]': '2',
      'contacts[update][1][type]': 'company',
      'contacts[update][2][id]': '3',
    });
    expect(events(body).map((e) => e.kind)).toEqual(['contact', 'company', 'contact']);
  });

  it.each(['add', 'update', 'delete', 'restore', 'responsible'] as const)('contacts[%s]', (action) => {
    const e = only(contactWebhook(action, { id: 7 }, {}, acct), 'contact');
    expect(e.action).toBe(action);
  });

  it('reads a `companies` entity as companies', () => {
    const e = only(form({ ...ACCOUNT_PAIRS, 'companies[add][0][id]': '4', 'companies[add][0][name]': 'X' }), 'company');
    expect(e.contact.type).toBe('company');
  });
});

describe('notes', () => {
  it('reads a common lead note (v2 code 4) with JSON metadata', () => {
    const e = only(leadNoteWebhook({ id: 91, element_id: 5, text: 'hello', metadata: { event_source: { author_name: 'Bob' } } }, acct), 'lead_note');
    expect(e.note).toMatchObject({
      id: 91,
      noteType: 'common',
      noteTypeCode: 4,
      text: 'hello',
      elementType: 2,
      elementId: 5,
      metadata: { event_source: { author_name: 'Bob' } },
    });
    expect(e.note.params).toBeUndefined();
    expect(e.eventKey).toBe('30000001:lead_note:note:91');
  });

  it('reads call_in / call_out params from the JSON text', () => {
    const inCall = only(
      leadNoteWebhook(
        { id: 92, element_id: 5, note_type: 'call_in', params: { duration: 148, phone: '+7912', link: 'https://rec/1.mp3', uniq: 'u-1', call_status: 4 } },
        acct,
      ),
      'lead_note',
    );
    expect(inCall.note.noteType).toBe('call_in');
    expect(inCall.note.params).toEqual({ uniq: 'u-1', duration: 148, source: 'test-telephony', link: 'https://rec/1.mp3', phone: '+7912', callStatus: 4 });
    const outCall = only(leadNoteWebhook({ id: 93, element_id: 5, note_type: 'call_out' }, acct), 'lead_note');
    expect(outCall.note).toMatchObject({ noteType: 'call_out', noteTypeCode: 11, params: { duration: 60, phone: '+15550000000' } });
  });

  it('reads call params sent as brackets, and names a bad one', () => {
    const pairs = {
      ...ACCOUNT_PAIRS,
      'leads[note][0][note][id]': '94',
      'leads[note][0][note][note_type]': 'call_in',
      'leads[note][0][note][params][duration]': '30',
      'leads[note][0][note][params][call_status]': '2',
      'leads[note][0][note][params][phone]': '+1',
      'leads[note][0][note][params][extra]': 'kept',
    };
    const e = only(form(pairs), 'lead_note');
    expect(e.note.params).toEqual({ duration: 30, callStatus: 2, phone: '+1', extra: 'kept' });
    expect(error(form({ ...pairs, 'leads[note][0][note][params][duration]': 'long' }))).toBe('leads[note][0][note][params][duration]: expected a number');
  });

  it('passes amomail_message through with its JSON details as params', () => {
    const e = only(leadNoteWebhook({ id: 95, element_id: 5, note_type: 'amomail_message', params: { subject: 'Quote' } }, acct), 'lead_note');
    expect(e.note.noteType).toBe('amomail_message');
    expect(e.note.noteTypeCode).toBeUndefined();
    expect(e.note.params).toMatchObject({ subject: 'Quote', income: true });
  });

  it('keeps an unknown numeric note type as its number, and plain metadata as text', () => {
    const e = only(
      form({ ...ACCOUNT_PAIRS, 'leads[note][0][note][id]': '96', 'leads[note][0][note][note_type]': '15', 'leads[note][0][note][metadata]': 'n/a' }),
      'lead_note',
    );
    expect(e.note).toMatchObject({ noteType: '15', noteTypeCode: 15, metadata: 'n/a' });
  });

  it('reads contact and company notes as contact_note', () => {
    expect(only(contactNoteWebhook({ id: 97, element_id: 7 }, {}, acct), 'contact_note').note.elementType).toBe(1);
    expect(only(contactNoteWebhook({ id: 98, element_id: 8 }, { company: true }, acct), 'contact_note').note.elementType).toBe(3);
  });

  it('accepts an item without the [note] wrapper and names paths either way', () => {
    expect(only(form({ ...ACCOUNT_PAIRS, 'leads[note][0][id]': '99', 'leads[note][0][note_type]': '4' }), 'lead_note').note.id).toBe(99);
    expect(error(form({ ...ACCOUNT_PAIRS, 'leads[note][0][note][id]': 'x' }))).toBe('leads[note][0][note][id]: expected a number');
    expect(error(form({ ...ACCOUNT_PAIRS, 'leads[note][0][note]': 'x' }))).toBe('leads[note][0][note]: expected an object');
  });
});

describe('tasks', () => {
  it.each(['add', 'update', 'delete', 'responsible'] as const)('task[%s]', (action) => {
    const e = only(taskWebhook(action, { id: 3, element_id: 5, text: 'Call back' }, acct), 'task');
    expect(e.action).toBe(action);
    expect(e.task).toMatchObject({ id: 3, elementId: 5, elementType: 2, text: 'Call back', status: 0, isCompleted: false });
  });

  it('reads a completed task with its result and due dates', () => {
    const e = only(taskWebhook('update', { id: 3, status: 1, result: { id: 77, text: 'Done' }, complete_before: 1700086400 }, acct), 'task');
    expect(e.task).toMatchObject({
      status: 1,
      isCompleted: true,
      result: { id: 77, text: 'Done' },
      completeBefore: 1700086400,
      completeTill: '2023-11-15 22:13:20',
    });
  });

  it('keeps a date-string last_modified as sent', () => {
    const e = only(
      form({ ...ACCOUNT_PAIRS, 'task[add][0][id]': '3', 'task[add][0][last_modified]': '2023-11-14 22:13:20', 'task[add][0][result]': '' }),
      'task',
    );
    expect(e.task.lastModified).toBe('2023-11-14 22:13:20');
    expect(e.task.result).toBeUndefined();
    expect(e.eventKey).toBe('30000001:task:add:3:2023-11-14%2022%3A13%3A20');
  });

  it('names a bad task field', () => {
    expect(error(form({ ...ACCOUNT_PAIRS, 'task[add][0][id]': '3', 'task[add][0][complete_before]': 'soon' }))).toBe(
      'task[add][0][complete_before]: expected a number',
    );
  });
});

describe('messages', () => {
  const captured = {
    ...ACCOUNT_PAIRS,
    'message[add][0][id]': 'a0ce13c7-4825-4ecc-9dc0-b35c49b86db4',
    'message[add][0][chat_id]': '54caee02-e383-46d8-a9b7-1fb43f07cffe',
    'message[add][0][talk_id]': '100',
    'message[add][0][contact_id]': '93589657',
    'message[add][0][text]': 'Hi, how much is it?',
    'message[add][0][created_at]': '1695482791',
    'message[add][0][element_type]': '2',
    'message[add][0][entity_type]': 'lead',
    'message[add][0][element_id]': '27754599',
    'message[add][0][entity_id]': '27754599',
    'message[add][0][type]': 'incoming',
    'message[add][0][author][id]': '1db2f5cc-aea4-4f96-8d4f-a256ead5b7b0',
    'message[add][0][author][type]': 'external',
    'message[add][0][author][name]': 'Oleg',
    'message[add][0][author][avatar_url]': 'https://amojo.kommo.com/attachments/profiles/x_128x128.jpg',
    'message[add][0][origin]': 'telegram',
  };

  it('parses a captured incoming message', () => {
    const e = only(form(captured), 'message');
    expect(e.direction).toBe('incoming');
    expect(e.message).toMatchObject({
      id: 'a0ce13c7-4825-4ecc-9dc0-b35c49b86db4',
      chatId: '54caee02-e383-46d8-a9b7-1fb43f07cffe',
      talkId: 100,
      contactId: 93589657,
      text: 'Hi, how much is it?',
      createdAt: 1695482791,
      elementType: 2,
      elementId: 27754599,
      entityType: 'lead',
      entityId: 27754599,
      origin: 'telegram',
      sender: 'contact',
      author: {
        id: '1db2f5cc-aea4-4f96-8d4f-a256ead5b7b0',
        type: 'external',
        name: 'Oleg',
        avatarUrl: 'https://amojo.kommo.com/attachments/profiles/x_128x128.jpg',
      },
    });
    expect(e.eventKey).toBe('30000001:message:add:a0ce13c7-4825-4ecc-9dc0-b35c49b86db4');
  });

  it('builds the same shape from the fixture', () => {
    const e = only(incomingMessageWebhook({ text: 'Hello', element_id: 5, contact_id: 9 }, acct), 'message');
    expect(e).toMatchObject({ direction: 'incoming', message: { text: 'Hello', elementId: 5, entityId: 5, contactId: 9, sender: 'contact' } });
  });

  it('reads outgoing messages and tells a user from a bot', () => {
    const byUser = only(outgoingMessageWebhook({ text: 'Our price is 10' }, 'user', acct), 'message');
    expect(byUser.direction).toBe('outgoing');
    expect(byUser.message.sender).toBe('user');
    const byBot = only(outgoingMessageWebhook({ text: 'Auto reply' }, 'bot', acct), 'message');
    expect(byBot.message.sender).toBe('bot');
    expect(byBot.message.author?.type).toBe('bot');
    expect(byUser.eventKey).not.toBe(byBot.eventKey);
  });

  it('reads attachments and an outgoing_message entity', () => {
    const e = only(incomingMessageWebhook({ text: '', attachment: { type: 'picture', link: 'https://x/y.png', file_name: 'y.png' } }, acct), 'message');
    expect(e.message.attachment).toEqual({ type: 'picture', link: 'https://x/y.png', file_name: 'y.png' });
    const o = only(form({ ...ACCOUNT_PAIRS, 'outgoing_message[add][0][id]': 'm-1', 'outgoing_message[add][0][text]': 'x' }), 'message');
    expect(o.direction).toBe('outgoing');
  });

  it('requires a message id and numeric ids', () => {
    const { 'message[add][0][id]': _drop, ...noId } = captured;
    expect(error(form(noId))).toBe('message[add][0][id]: is required');
    expect(error(form({ ...captured, 'message[add][0][talk_id]': 't-9' }))).toBe('message[add][0][talk_id]: expected a number');
  });

  it('makes message[update] an unknown event, not an error', () => {
    const e = only(form({ ...ACCOUNT_PAIRS, 'message[update][0][id]': 'm-1' }), 'unknown');
    expect(e).toMatchObject({ entity: 'message', action: 'update', data: { id: 'm-1' } });
  });
});

describe('talks', () => {
  it.each(['add', 'update'] as const)('talk[%s]', (action) => {
    const e = only(talkWebhook(action, { talk_id: 100, contact_id: 9, entity_id: 5, is_read: true }, acct), 'talk');
    expect(e.action).toBe(action);
    expect(e.talk).toMatchObject({
      talkId: 100,
      contactId: 9,
      entityId: 5,
      entityType: 'lead',
      isInWork: true,
      isRead: true,
      origin: 'telegram',
      updatedAt: 1700000000,
    });
    expect(e.eventKey).toBe(`30000001:talk:${action}:100:1700000000:11`);
  });

  it('falls back to id, requires one of them, and checks booleans', () => {
    expect(only(form({ ...ACCOUNT_PAIRS, 'talk[add][0][id]': '5' }), 'talk').talk.talkId).toBe(5);
    expect(error(form({ ...ACCOUNT_PAIRS, 'talk[add][0][chat_id]': 'c' }))).toBe('talk[add][0][talk_id]: is required');
    expect(error(form({ ...ACCOUNT_PAIRS, 'talk[add][0][talk_id]': '5', 'talk[add][0][is_read]': 'maybe' }))).toBe('talk[add][0][is_read]: expected a boolean');
  });
});

describe('unsorted, customers and unknowns', () => {
  it('parses a captured unsorted[add] (chat) body', () => {
    const e = only(
      form({
        ...ACCOUNT_PAIRS,
        'unsorted[add][0][uid]': '00b625866db8641999f48766d61d4d0663c12aa38b9bcb4d2866b0c49605',
        'unsorted[add][0][source]': 'telegram:29e8f8c6-7557-5f5f-8642-2789ef3f3a13',
        'unsorted[add][0][category]': 'chats',
        'unsorted[add][0][source_data][client][id]': '1398715343',
        'unsorted[add][0][source_data][origin][chat_id]': '54caee02-e383-46d8-a9b7-1fb43f07cffe',
        'unsorted[add][0][source_data][data][0][id]': '3175b0e9-852b-47f5-b501-61e6e681e014',
        'unsorted[add][0][source_data][data][0][text]': 'v',
        'unsorted[add][0][date_create]': '1695484695',
        'unsorted[add][0][data][contacts][0][id]': '93589657',
        'unsorted[add][0][pipeline_id]': '7173574',
        'unsorted[add][0][lead_id]': '28455371',
        'unsorted[add][0][created_at]': '1695484695',
      }),
      'unsorted',
    );
    expect(e.action).toBe('add');
    expect(e.data).toMatchObject({
      lead_id: '28455371',
      source_data: { data: [{ text: 'v' }], origin: { chat_id: '54caee02-e383-46d8-a9b7-1fb43f07cffe' } },
      data: { contacts: [{ id: '93589657' }] },
    });
    expect(e.eventKey).toBe('30000001:unsorted:add:00b625866db8641999f48766d61d4d0663c12aa38b9bcb4d2866b0c49605:1695484695');
  });

  it.each(['add', 'update', 'delete'] as const)('unsorted[%s] from the fixture', (action) => {
    expect(only(unsortedWebhook(action, { lead_id: 8, text: 'hi' }, acct), 'unsorted').action).toBe(action);
  });

  it('accepts deep unsorted keys (11 segments) with the Kommo limits', () => {
    const e = only(
      form({ ...ACCOUNT_PAIRS, 'unsorted[add][0][uid]': 'u', 'unsorted[add][0][data][contacts][0][custom_fields][0][values][0][value]': '+1' }),
      'unsorted',
    );
    expect(e.data).toMatchObject({ data: { contacts: [{ custom_fields: [{ values: [{ value: '+1' }] }] }] } });
  });

  it.each(['add', 'update', 'delete'] as const)('customers[%s]', (action) => {
    const e = only(customerWebhook(action, { id: 8 }, acct), 'customer');
    expect(e.data).toMatchObject({ id: '8' });
    expect(e.eventKey).toBe(`30000001:customer:${action}:8:1700000000`);
  });

  it('turns unknown entities and actions into unknown events', () => {
    const evs = events(
      form({
        ...ACCOUNT_PAIRS,
        'catalogs[add][0][id]': '5',
        'catalogs[add][1][id]': '6',
        'leads[mystery][0][id]': 'not-a-number-but-unknown',
        'task[status][0][id]': '1',
        flag: 'on',
      }),
    );
    expect(evs.map((e) => (e.kind === 'unknown' ? [e.entity, e.action, e.data] : e.kind))).toEqual([
      ['catalogs', 'add', { id: '5' }],
      ['catalogs', 'add', { id: '6' }],
      ['leads', 'mystery', { id: 'not-a-number-but-unknown' }],
      ['task', 'status', { id: '1' }],
      ['flag', '', 'on'],
    ]);
    expect(new Set(evs.map((e) => e.eventKey)).size).toBe(5);
  });
});

describe('errors name the key path', () => {
  const base = form(ACCOUNT_PAIRS);
  it.each([
    ['leads[status][0][id]=abc', 'leads[status][0][id]: expected a number'],
    ['leads[status][0][status_id]=1', 'leads[status][0][id]: is required'],
    ['leads[status][0][id]=1&leads[status][0][status_id]=1.5', 'leads[status][0][status_id]: expected a number'],
    ['leads[status][0][id]=1&leads[status][0][status_id][x]=1', 'leads[status][0][status_id]: expected a number'],
    ['leads[add][0][id]=1&leads[add][0][name][x]=1', 'leads[add][0][name]: expected a string'],
    ['leads[add][0][id]=99999999999999999999', 'leads[add][0][id]: number out of range'],
    ['leads[add][0][id]=1&leads[add][0][price]=cheap', 'leads[add][0][price]: expected a number'],
    ['leads[add][0][id]=1&leads[add][0][tags][0][id]=x', 'leads[add][0][tags][0][id]: expected a number'],
    ['leads[add]=x', 'leads[add]: expected a list'],
    ['leads[add][id]=1', 'leads[add]: expected a list'],
    ['leads[add][0]=x', 'leads[add][0]: expected an object'],
    ['leads=x', 'leads: expected an object'],
    ['contacts[add][0][id]=1&contacts[add][0][linked_company_id]=acme', 'contacts[add][0][linked_company_id]: expected a number'],
  ])('%s → %s', (pairs, expected) => {
    expect(error(`${base}&${pairs}`)).toBe(expected);
  });

  it('accepts prices with decimals and blank optional numbers', () => {
    const e = only(`${base}&leads[add][0][id]=1&leads[add][0][price]=10.50&leads[add][0][status_id]=&leads[add][0][old_status_id]=`, 'lead');
    expect(e.lead.price).toBe(10.5);
    expect(e.lead.statusId).toBeUndefined();
  });
});

describe('event keys', () => {
  it('are identical for the same body delivered twice', () => {
    const body = kommoWebhookBody(acct, {
      leads: { status: [{ id: 5, status_id: 2, pipeline_id: 1, last_modified: 1700000000 }] },
      message: { add: [{ id: 'm-1', text: 'hi', created_at: 1700000001 }] },
      task: { update: [{ id: 3, last_modified: 1700000002, status: 0 }] },
    });
    const a = events(body).map((e) => e.eventKey);
    const b = events(body).map((e) => e.eventKey);
    expect(a).toHaveLength(3);
    expect(a).toEqual(b);
    expect(leadNoteWebhook({ id: 1, element_id: 5 }, acct)).toBe(leadNoteWebhook({ id: 1, element_id: 5 }, acct));
  });

  it('change when last_modified changes', () => {
    const k1 = only(leadWebhook('update', { id: 5, last_modified: 1700000000 }, acct), 'lead').eventKey;
    const k2 = only(leadWebhook('update', { id: 5, last_modified: 1700000060 }, acct), 'lead').eventKey;
    expect(k1).not.toBe(k2);
    const c1 = only(contactWebhook('update', { id: 7, last_modified: 1 }, {}, acct), 'contact').eventKey;
    const c2 = only(contactWebhook('update', { id: 7, last_modified: 2 }, {}, acct), 'contact').eventKey;
    expect(c1).not.toBe(c2);
    const t1 = only(talkWebhook('update', { talk_id: 1, updated_at: 1 }, acct), 'talk').eventKey;
    const t2 = only(talkWebhook('update', { talk_id: 1, updated_at: 2 }, acct), 'talk').eventKey;
    expect(t1).not.toBe(t2);
  });

  it('include the status for status changes, the message id for messages, the note id for notes', () => {
    const s1 = only(leadStatusWebhook({ id: 5, status_id: 2, last_modified: 10 }, acct), 'lead').eventKey;
    const s2 = only(leadStatusWebhook({ id: 5, status_id: 3, last_modified: 10 }, acct), 'lead').eventKey;
    expect(s1).not.toBe(s2);
    const m1 = only(incomingMessageWebhook({ id: 'a', text: 'x' }, acct), 'message').eventKey;
    const m2 = only(incomingMessageWebhook({ id: 'b', text: 'x' }, acct), 'message').eventKey;
    expect(m1).not.toBe(m2);
    const n1 = only(leadNoteWebhook({ id: 1, element_id: 5 }, acct), 'lead_note').eventKey;
    const n2 = only(leadNoteWebhook({ id: 2, element_id: 5 }, acct), 'lead_note').eventKey;
    expect(n1).not.toBe(n2);
  });

  it('differ between actions, kinds and accounts for the same id and time', () => {
    const keys = [
      only(leadWebhook('add', { id: 5 }, acct), 'lead').eventKey,
      only(leadWebhook('update', { id: 5 }, acct), 'lead').eventKey,
      only(contactWebhook('update', { id: 5 }, {}, acct), 'contact').eventKey,
      only(contactWebhook('update', { id: 5 }, { company: true }, acct), 'company').eventKey,
      only(taskWebhook('update', { id: 5 }, acct), 'task').eventKey,
      only(leadWebhook('update', { id: 5 }, { id: 2, subdomain: 'other' }), 'lead').eventKey,
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('do not depend on how the body is encoded', () => {
    const obj = { account: { id: 1, subdomain: 'a' }, leads: { update: [{ id: 5, last_modified: 9, name: 'A b' }] } };
    const k1 = events(encodeKommoForm(obj)).map((e) => e.eventKey);
    const k2 = events(encodeKommoForm(obj, { encodeBrackets: false })).map((e) => e.eventKey);
    expect(k1).toEqual(k2);
  });
});

describe('mixed deliveries', () => {
  it('keeps entity order as sent', () => {
    const body = kommoWebhookBody(acct, {
      message: { add: [{ id: 'm', text: 'x' }] },
      leads: { update: [{ id: 1 }], status: [{ id: 1, status_id: 2 }] },
      talk: { update: [{ talk_id: 4 }] },
    });
    expect(events(body).map((e) => `${e.kind}:${'action' in e ? e.action : ''}`)).toEqual(['message:add', 'lead:update', 'lead:status', 'talk:update']);
  });
});
