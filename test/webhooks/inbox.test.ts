import { afterEach, describe, expect, it } from 'vitest';
import { incomingMessageWebhook, kommoWebhookBody, leadStatusWebhook, leadWebhook, TEST_ACCOUNT } from '../fixtures/kommo-webhooks.js';
import { webhookWorld, type WebhookWorld } from '../helpers/webhooks.js';

let w: WebhookWorld;
afterEach(async () => w?.stop());

const stored = () => ({
  deliveries: w.count('SELECT count(*) n FROM webhook_deliveries'),
  events: w.count('SELECT count(*) n FROM webhook_events'),
  jobs: w.count('SELECT count(*) n FROM jobs'),
});

describe('POST /webhooks/kommo/:secret', () => {
  it('persists the raw body, the events and their jobs before answering 200', async () => {
    w = await webhookWorld();
    const body = leadWebhook('add', [{ id: 11 }, { id: 12 }]);
    const res = await w.post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 2, duplicates: 0, unknown: 0 });
    expect(stored()).toEqual({ deliveries: 1, events: 2, jobs: 2 });
    expect((w.p.sqlite.prepare('SELECT body FROM webhook_deliveries').get() as any).body).toBe(body);
  });

  it('an unknown secret gets 404 and nothing is stored', async () => {
    w = await webhookWorld();
    const res = await w.post(leadWebhook('add', { id: 1 }), '/webhooks/kommo/not-the-right-secret-000');
    expect(res.status).toBe(404);
    expect(stored()).toEqual({ deliveries: 0, events: 0, jobs: 0 });
  });

  it('refuses a body whose account[id] is another account', async () => {
    w = await webhookWorld();
    const res = await w.post(leadWebhook('add', { id: 1 }, { id: 999, subdomain: 'other' }));
    expect(res.status).toBe(403);
    expect(stored()).toEqual({ deliveries: 0, events: 0, jobs: 0 });
  });

  it('a malformed body gets 400 with the reason, and nothing partial is stored', async () => {
    w = await webhookWorld();
    const good = leadWebhook('add', { id: 1 });
    const res = await w.post(`${good}&leads[add][1][id]=not-a-number`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).detail).toMatch(/leads\[add\]\[1\]\[id\]/);
    expect(stored()).toEqual({ deliveries: 0, events: 0, jobs: 0 });
    const broken = await w.post('leads[add][0][id]=%ZZ');
    expect(broken.status).toBe(400);
    expect(stored()).toEqual({ deliveries: 0, events: 0, jobs: 0 });
  });

  it('an oversized body gets 413', async () => {
    w = await webhookWorld({ env: { BODY_LIMIT_BYTES: '4096' } });
    const body = leadWebhook(
      'add',
      Array.from({ length: 60 }, (_, i) => ({ id: i + 1, name: 'x'.repeat(100) })),
    );
    const res = await w.post(body);
    expect(res.status).toBe(413);
    expect(stored()).toEqual({ deliveries: 0, events: 0, jobs: 0 });
  });

  it('a duplicate delivered three times is processed once', async () => {
    w = await webhookWorld();
    const body = leadStatusWebhook({ id: 5, status_id: 61, old_status_id: 60, pipeline_id: 7, last_modified: 1_700_000_100 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await (await w.post(body)).json());
    expect(answers.map((a: any) => [a.accepted, a.duplicates])).toEqual([
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    await w.drain();
    expect(w.count("SELECT count(*) n FROM webhook_events WHERE status = 'processed'")).toBe(1);
    expect(w.activity().filter((a) => a.type === 'lead.status')).toHaveLength(1);
    expect(w.emitted('lead_stage_entered')).toHaveLength(1);
    const msg = incomingMessageWebhook({ id: 'm-1', text: 'Hello', element_id: 5 });
    await w.post(msg);
    await w.post(msg);
    await w.drain();
    expect(w.count("SELECT count(*) n FROM conversation_messages WHERE external_id = 'm-1'")).toBe(1);
  });

  it('stores and logs unknown event types instead of failing', async () => {
    w = await webhookWorld();
    const body = kommoWebhookBody(TEST_ACCOUNT, { catalogs: { add: [{ id: 3, name: 'Price list' }] } });
    const res = await w.post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, unknown: 1 });
    expect(w.p.sqlite.prepare('SELECT kind, status FROM webhook_events').get()).toEqual({ kind: 'unknown', status: 'skipped' });
    expect(w.count('SELECT count(*) n FROM jobs')).toBe(0);
  });

  it('answers fast even for a batch: the ack does no processing', async () => {
    w = await webhookWorld();
    const res = await w.post(
      leadWebhook(
        'update',
        Array.from({ length: 100 }, (_, i) => ({ id: i + 1 })),
      ),
    );
    expect(res.status).toBe(200);
    expect(w.count('SELECT count(*) n FROM leads')).toBe(0); // processed later by jobs
    await w.drain();
    expect(w.count('SELECT count(*) n FROM leads')).toBe(100);
  });

  it('events processed together share one commit, and a handler that fails rolls back alone and runs again', async () => {
    w = await webhookWorld();
    const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(w.p.metrics.render())?.[1] ?? 0);
    await w.post(leadWebhook('add', [{ id: 11 }, { id: 12 }, { id: 13 }]));
    // The feed write for lead 13 fails after its mirror row was written.
    w.p.sqlite.exec(`CREATE TRIGGER fail_13 BEFORE INSERT ON activity_logs WHEN NEW.lead_id = 13 BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    const [commits, writes] = [counter('db_group_commits_total'), counter('db_group_commit_writes_total')];
    await w.drain();
    // The three handlers ran in one group: one COMMIT carried them (13's savepoint was rolled back).
    expect(counter('db_group_commits_total') - commits).toBe(1);
    expect(counter('db_group_commit_writes_total') - writes).toBe(3);
    expect(w.p.sqlite.prepare('SELECT id FROM leads ORDER BY id').all()).toEqual([{ id: 11 }, { id: 12 }]); // no half-written 13
    expect(
      w.p.sqlite
        .prepare('SELECT status FROM webhook_events ORDER BY id')
        .all()
        .map((r: any) => r.status),
    ).toEqual(['processed', 'processed', 'received']);
    const job = w.p.sqlite.prepare("SELECT status, attempts, last_error AS lastError, run_at AS runAt FROM jobs WHERE status <> 'completed'").get() as any;
    expect(job).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('disk trouble') });
    // The trouble passes; after its backoff the event runs again and completes.
    w.p.sqlite.exec('DROP TRIGGER fail_13');
    w.clock.advance(job.runAt - w.clock.now() + 1);
    await w.drain();
    expect(w.count("SELECT count(*) n FROM webhook_events WHERE status = 'processed'")).toBe(3);
    expect(
      w
        .activity()
        .filter((a) => a.type === 'lead.add')
        .map((a) => a.leadId),
    ).toEqual([11, 12, 13]);
  });
});
