import { afterEach, describe, expect, it } from 'vitest';
import {
  contactNoteWebhook,
  contactWebhook,
  customerWebhook,
  emailField,
  incomingMessageWebhook,
  leadNoteWebhook,
  leadStatusWebhook,
  leadWebhook,
  outgoingMessageWebhook,
  phoneField,
  talkWebhook,
  taskWebhook,
  unsortedWebhook,
} from '../fixtures/kommo-webhooks.js';
import { webhookWorld, type WebhookWorld } from '../helpers/webhooks.js';

let w: WebhookWorld;
afterEach(async () => w?.stop());

const lead = (id: number) => w.p.sqlite.prepare('SELECT * FROM leads WHERE id = ?').get(id) as Record<string, any>;
async function feed(...bodies: string[]) {
  for (const b of bodies) expect((await w.post(b)).status).toBe(200);
  await w.drain();
}

describe('lead handlers', () => {
  it('add, update, status, responsible, delete and restore keep the mirror, the feed and the bus current', async () => {
    w = await webhookWorld();
    w.p.sqlite.prepare("INSERT INTO pipeline_statuses (account_id, pipeline_id, id, name, synced_at) VALUES (30000001, 7, 61, 'Negotiation', 0)").run();
    w.p.sqlite.prepare("INSERT INTO kommo_users (account_id, id, name, synced_at) VALUES (30000001, 77, 'Maria', 0)").run();
    await feed(
      leadWebhook('add', {
        id: 5,
        name: 'Big deal',
        status_id: 60,
        pipeline_id: 7,
        price: 1000,
        last_modified: 100,
        custom_fields: [{ id: 501, name: 'Budget', code: 'BUDGET', values: [{ value: '5000' }] }],
        tags: [{ id: 1, name: 'vip' }],
      }),
    );
    expect(lead(5)).toMatchObject({ name: 'Big deal', status_id: 60, pipeline_id: 7, price: 1000, kommo_updated_at: 100, is_deleted: 0 });
    expect(JSON.parse(lead(5).custom_fields)[0]).toMatchObject({ field_id: 501, field_code: 'BUDGET', values: [{ value: '5000' }] });
    await feed(leadWebhook('update', { id: 5, name: 'Bigger deal', status_id: 60, pipeline_id: 7, price: 2000, last_modified: 110 }));
    expect(lead(5)).toMatchObject({ name: 'Bigger deal', price: 2000 });
    await feed(leadStatusWebhook({ id: 5, name: 'Bigger deal', status_id: 61, old_status_id: 60, pipeline_id: 7, last_modified: 120 }));
    expect(lead(5).status_id).toBe(61);
    await feed(
      leadWebhook('responsible', {
        id: 5,
        name: 'Bigger deal',
        status_id: 61,
        pipeline_id: 7,
        responsible_user_id: 77,
        old_responsible_user_id: 9_000_001,
        last_modified: 130,
      }),
    );
    expect(lead(5).responsible_user_id).toBe(77);
    await feed(leadWebhook('delete', { id: 5 }));
    expect(lead(5).is_deleted).toBe(1);
    await feed(leadWebhook('restore', { id: 5, name: 'Bigger deal', status_id: 61, pipeline_id: 7, last_modified: 140 }));
    expect(lead(5).is_deleted).toBe(0);

    const titles = w.activity().map((a) => a.title);
    expect(titles).toEqual([
      'New lead: Big deal',
      'Lead updated: Bigger deal',
      'Bigger deal moved to Negotiation',
      'Bigger deal reassigned to Maria',
      'Lead deleted: Bigger deal',
      'Lead restored: Bigger deal',
    ]);
    expect(w.activity()[2]!.metadata.kommo).toMatchObject({ leadId: 5, statusId: 61, oldStatusId: 60 });
    expect(w.emitted('lead_stage_entered')).toEqual([
      expect.objectContaining({ accountId: 30000001, leadId: 5, pipelineId: 7, statusId: 60, source: 'webhook' }),
      expect.objectContaining({ accountId: 30000001, leadId: 5, pipelineId: 7, statusId: 61, prevStatusId: 60, source: 'webhook' }),
    ]);
    expect(w.emitted('lead_changed').map((e) => e.action)).toEqual(['add', 'update', 'status', 'responsible', 'delete', 'restore']);
  });

  it('status updates arriving out of order end in the right final state', async () => {
    w = await webhookWorld();
    const moves = [
      { id: 9, status_id: 62, old_status_id: 61, pipeline_id: 7, last_modified: 300 },
      { id: 9, status_id: 61, old_status_id: 60, pipeline_id: 7, last_modified: 200 },
      { id: 9, status_id: 63, old_status_id: 62, pipeline_id: 7, last_modified: 400 },
      { id: 9, status_id: 60, old_status_id: 59, pipeline_id: 7, last_modified: 100 },
    ];
    // Delivered newest-but-one first, oldest last.
    await feed(leadStatusWebhook(moves[2]!), leadStatusWebhook(moves[0]!), leadStatusWebhook(moves[3]!), leadStatusWebhook(moves[1]!));
    expect(lead(9)).toMatchObject({ status_id: 63, kommo_updated_at: 400 });
    const stale = w.activity().filter((a) => a.metadata.stale);
    expect(stale).toHaveLength(3);
  });
});

describe('contacts and companies', () => {
  it('add, update, delete and restore update the mirror; companies arriving under contacts go to companies', async () => {
    w = await webhookWorld();
    await feed(
      contactWebhook('add', {
        id: 21,
        name: 'Ann Lee',
        first_name: 'Ann',
        last_name: 'Lee',
        last_modified: 100,
        custom_fields: [phoneField('+15550001'), emailField('ann@example.com')],
      }),
    );
    const c = w.p.sqlite.prepare('SELECT * FROM contacts WHERE id = 21').get() as any;
    expect(c).toMatchObject({ name: 'Ann Lee', first_name: 'Ann' });
    expect(JSON.parse(c.emails)).toEqual(['ann@example.com']);
    expect(JSON.parse(c.phones)).toEqual(['+15550001']);
    await feed(contactWebhook('update', { id: 21, name: 'Ann Smith', last_modified: 110 }));
    expect((w.p.sqlite.prepare('SELECT name FROM contacts WHERE id = 21').get() as any).name).toBe('Ann Smith');
    await feed(contactWebhook('delete', { id: 21 }));
    expect((w.p.sqlite.prepare('SELECT is_deleted FROM contacts WHERE id = 21').get() as any).is_deleted).toBe(1);
    await feed(contactWebhook('restore', { id: 21, name: 'Ann Smith', last_modified: 120 }));
    expect((w.p.sqlite.prepare('SELECT is_deleted FROM contacts WHERE id = 21').get() as any).is_deleted).toBe(0);
    await feed(contactWebhook('add', { id: 31, name: 'Acme Corp', last_modified: 100 }, { company: true }));
    expect(w.p.sqlite.prepare('SELECT name FROM companies WHERE id = 31').get()).toEqual({ name: 'Acme Corp' });
    expect(w.count('SELECT count(*) n FROM contacts WHERE id = 31')).toBe(0);
    expect(w.activity().map((a) => a.title)).toEqual([
      'Contact added: Ann Lee',
      'Contact updated: Ann Smith',
      'Contact deleted: #21',
      'Contact restored: Ann Smith',
      'Company added: Acme Corp',
    ]);
  });
});

describe('tasks', () => {
  it('keeps a tasks table, adds a timeline entry, notifies the responsible user once and emits for rules', async () => {
    w = await webhookWorld();
    w.p.sqlite.prepare("INSERT INTO kommo_users (account_id, id, name, synced_at) VALUES (30000001, 77, 'Maria', 0)").run();
    const task = { id: 401, element_id: 5, element_type: 2, text: 'Call the client back', responsible_user_id: 77, last_modified: 100 };
    await feed(taskWebhook('add', task));
    expect(w.p.sqlite.prepare('SELECT lead_id, text, responsible_user_id, is_completed FROM tasks WHERE id = 401').get()).toEqual({
      lead_id: 5,
      text: 'Call the client back',
      responsible_user_id: 77,
      is_completed: 0,
    });
    expect(w.count("SELECT count(*) n FROM conversation_messages WHERE lead_id = 5 AND channel = 'task'")).toBe(1);
    await feed(taskWebhook('update', { ...task, text: 'Call the client back today', last_modified: 110 }));
    await feed(taskWebhook('update', { ...task, status: 1, result: { text: 'Done, they agreed' }, last_modified: 120 }));
    expect(w.p.sqlite.prepare('SELECT is_completed, result_text FROM tasks WHERE id = 401').get()).toEqual({
      is_completed: 1,
      result_text: 'Done, they agreed',
    });
    await feed(taskWebhook('delete', { ...task, last_modified: 130 }));
    expect(w.p.sqlite.prepare('SELECT is_deleted FROM tasks WHERE id = 401').get()).toEqual({ is_deleted: 1 });
    const notifications = w.activity().filter((a) => a.type === 'notification.task_assigned');
    expect(notifications).toHaveLength(1);
    expect(w.emitted('task_changed').map((e) => e.action)).toEqual(['add', 'update', 'update', 'delete']);
    expect(
      w
        .activity()
        .filter((a) => a.type.startsWith('task.'))
        .map((a) => a.title)[0],
    ).toMatch(/^Task for Maria: Call the client back/);
  });
});

describe('calls', () => {
  it('keeps call history from call notes, and a missed inbound call emits call_missed', async () => {
    w = await webhookWorld();
    await feed(
      leadNoteWebhook({
        id: 801,
        element_id: 5,
        note_type: 'call_in',
        params: { uniq: 'u1', duration: 0, phone: '+15550001', call_status: 6, link: 'https://rec/1.mp3', source: 'pbx' },
      }),
      leadNoteWebhook({
        id: 802,
        element_id: 5,
        note_type: 'call_out',
        params: { uniq: 'u2', duration: 95, phone: '+15550001', call_status: 4, source: 'pbx' },
      }),
    );
    const calls = w.p.sqlite.prepare('SELECT direction, duration_sec, call_status, missed, phone, link FROM calls ORDER BY id').all();
    expect(calls).toEqual([
      { direction: 'inbound', duration_sec: 0, call_status: 6, missed: 1, phone: '+15550001', link: 'https://rec/1.mp3' },
      { direction: 'outbound', duration_sec: 95, call_status: 4, missed: 0, phone: '+15550001', link: expect.any(String) },
    ]);
    expect(w.emitted('call_missed')).toEqual([expect.objectContaining({ leadId: 5, phone: '+15550001' })]);
    expect(w.activity().map((a) => a.title)).toEqual(['Missed call from +15550001', 'Outgoing call to +15550001 (95 s)']);
  });
});

describe('messages', () => {
  it('an incoming message becomes a conversation message with a feed preview; bursts coalesce into one message_received', async () => {
    w = await webhookWorld();
    await feed(
      incomingMessageWebhook({
        id: 'msg-1',
        text: 'Hi, I want to buy',
        element_id: 5,
        chat_id: 'chat-9',
        talk_id: 44,
        contact_id: 21,
        created_at: 1_700_000_001,
      }),
      incomingMessageWebhook({
        id: 'msg-2',
        text: 'the premium plan',
        element_id: 5,
        chat_id: 'chat-9',
        talk_id: 44,
        contact_id: 21,
        created_at: 1_700_000_002,
      }),
      incomingMessageWebhook({ id: 'msg-3', text: 'for 10 seats', element_id: 5, chat_id: 'chat-9', talk_id: 44, contact_id: 21, created_at: 1_700_000_003 }),
    );
    const rows = w.p.sqlite
      .prepare('SELECT direction, author, channel, chat_id, talk_id, contact_id, text FROM conversation_messages WHERE lead_id = 5 ORDER BY id')
      .all();
    expect(rows[0]).toEqual({
      direction: 'inbound',
      author: 'client',
      channel: 'telegram',
      chat_id: 'chat-9',
      talk_id: 44,
      contact_id: 21,
      text: 'Hi, I want to buy',
    });
    expect(w.emitted('message_received')).toHaveLength(0); // the window is still open
    w.clock.advance(8000);
    await w.drain();
    const received = w.emitted('message_received');
    expect(received).toHaveLength(1);
    expect(received[0]!.messageIds).toHaveLength(3);
    expect(received[0]).toMatchObject({ leadId: 5, contactId: 21, channel: 'telegram' });
    const feedEntry = w.activity().find((a) => a.type === 'message.received')!;
    expect(feedEntry.metadata).toMatchObject({
      preview: 'Hi, I want to buy',
      kommo: { messageId: 'msg-1', chatId: 'chat-9', talkId: 44, contactId: 21, leadId: 5 },
    });
    // A message after the window starts a new burst.
    await feed(incomingMessageWebhook({ id: 'msg-4', text: 'Also, do you ship to Spain?', element_id: 5, created_at: 1_700_000_100 }));
    w.clock.advance(8000);
    await w.drain();
    expect(w.emitted('message_received')).toHaveLength(2);
    expect(w.emitted('message_received')[1]!.messageIds).toHaveLength(1);
  });

  it('an outgoing message from a person marks "human replied"; a bot message does not', async () => {
    w = await webhookWorld();
    await feed(outgoingMessageWebhook({ id: 'out-1', text: 'I will call you in 5 minutes', element_id: 5 }, 'user'));
    expect(w.emitted('human_replied')).toEqual([expect.objectContaining({ leadId: 5 })]);
    expect(w.p.sqlite.prepare('SELECT human_replied_at FROM lead_agent_state WHERE lead_id = 5').get()).toEqual({ human_replied_at: w.clock.now() });
    await feed(outgoingMessageWebhook({ id: 'out-2', text: 'Automated: thanks!', element_id: 6 }, 'bot'));
    expect(w.emitted('human_replied')).toHaveLength(1);
    expect(w.activity().map((a) => a.type)).toEqual(['message.sent_by_user', 'message.sent_by_bot']);
  });

  it('inbound mail notes become an email conversation message with the summary Kommo exposes', async () => {
    w = await webhookWorld();
    await feed(
      leadNoteWebhook({
        id: 901,
        element_id: 5,
        note_type: 'amomail_message',
        params: { income: true, subject: 'Quote', content_summary: 'Can you send the quote?' },
      }),
    );
    expect(w.p.sqlite.prepare('SELECT direction, channel, subject, text FROM conversation_messages WHERE lead_id = 5').get()).toEqual({
      direction: 'inbound',
      channel: 'email',
      subject: 'Quote',
      text: 'Can you send the quote?',
    });
    expect(w.emitted('message_received')).toEqual([expect.objectContaining({ leadId: 5, channel: 'email' })]);
  });
});

describe('talks, notes, customers and unsorted', () => {
  it('talks update the mirror; other notes, customers and unsorted requests are logged with their ids', async () => {
    w = await webhookWorld();
    await feed(
      talkWebhook('add', {
        talk_id: 44,
        chat_id: 'chat-9',
        contact_id: 21,
        entity_id: 5,
        entity_type: 'lead',
        origin: 'telegram',
        is_in_work: true,
        is_read: false,
        updated_at: 100,
      }),
      talkWebhook('update', {
        talk_id: 44,
        chat_id: 'chat-9',
        contact_id: 21,
        entity_id: 5,
        entity_type: 'lead',
        origin: 'telegram',
        is_in_work: false,
        is_read: true,
        updated_at: 200,
      }),
      leadNoteWebhook({ id: 950, element_id: 5, note_type: 'common', text: 'Client prefers mornings' }),
      contactNoteWebhook({ id: 951, element_id: 21, note_type: 'common', text: 'VIP' }),
      customerWebhook('add', { id: 71, name: 'Returning buyer' }),
      unsortedWebhook('add', { lead_id: 88, text: 'Hello from a new chat', client_name: 'Bob' }),
    );
    expect(w.p.sqlite.prepare('SELECT lead_id, is_in_work, is_read, origin FROM talks WHERE id = 44').get()).toEqual({
      lead_id: 5,
      is_in_work: 0,
      is_read: 1,
      origin: 'telegram',
    });
    // Different entities run in parallel (per-key order only), so compare as a set.
    const types = w
      .activity()
      .map((a) => a.type)
      .sort();
    expect(types).toEqual(['customer.add', 'note.added', 'note.added', 'talk.add', 'talk.update', 'unsorted.add']);
    const unsorted = w.activity().find((a) => a.type === 'unsorted.add')!;
    expect(unsorted.title).toBe('New unsorted request');
    expect(unsorted.metadata.kommo).toMatchObject({ leadId: 88 });
  });
});
