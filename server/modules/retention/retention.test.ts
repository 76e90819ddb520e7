import { afterEach, describe, expect, it } from 'vitest';
import { leadWebhook, TEST_ACCOUNT } from '../../../test/fixtures/kommo-webhooks.js';
import { webhookWorld, type WebhookWorld } from '../../../test/helpers/webhooks.js';
import { createOAuthStateRepo } from '../oauth/oauth-state.repo.js';
import { EVENT_QUEUE } from '../webhooks/inbox.service.js';
import { RETENTION_QUEUE } from './retention.service.js';

const DAY = 24 * 3600_000;
let w: WebhookWorld;
afterEach(async () => w?.stop());

const env = { RETENTION_WEBHOOK_DAYS: '7', RETENTION_JOBS_DAYS: '7', RETENTION_ACTIVITY_DAYS: '30', RETENTION_MAIL_HTML_DAYS: '14' };
const A = TEST_ACCOUNT.id;

function email(externalId: string) {
  return w.m.conversations.services.conversations.insertMessage({
    accountId: A,
    leadId: 1,
    contactId: null,
    direction: 'inbound',
    author: 'client',
    channel: 'email',
    externalId,
    subject: 'Hello',
    text: `text of ${externalId}`,
    metadata: { from: 'client@example.com', html: `<p>html of ${externalId}</p>` },
  })!;
}
const metadataOf = (id: number) => JSON.parse((w.p.sqlite.prepare('SELECT metadata FROM conversation_messages WHERE id = ?').get(id) as any).metadata);
const textOf = (id: number) => (w.p.sqlite.prepare('SELECT text FROM conversation_messages WHERE id = ?').get(id) as any).text;
const note = (title: string) => w.m.activity.services.activity.write({ accountId: A, type: 'test.note', title });
const notes = () =>
  (w.p.sqlite.prepare("SELECT title FROM activity_logs WHERE account_id = ? AND type = 'test.note' ORDER BY id").all(A) as any[]).map((r) => r.title);
const deliveries = () => w.p.sqlite.prepare('SELECT body FROM webhook_deliveries ORDER BY id').all() as { body: string }[];
const events = () => (w.p.sqlite.prepare('SELECT entity_id AS e, status FROM webhook_events ORDER BY id').all() as any[]).map((r) => `${r.e}:${r.status}`);

describe('retention', () => {
  it('old rows go and fresh rows stay: handled webhooks, finished jobs, expired OAuth states, activity, inbound email HTML', async () => {
    w = await webhookWorld({ env: { ...env, RETENTION_ACTIVITY_DAYS: '7', RETENTION_MAIL_HTML_DAYS: '7' } });
    const retention = w.m.retention.services.retention;
    const states = createOAuthStateRepo(w.p.sqlite);

    // Eight days ago: a processed webhook, one still waiting for its job, activity, an email, a job done and
    // one dead, an OAuth state that expired unused.
    const handled = leadWebhook('add', { id: 11 });
    const waiting = leadWebhook('add', { id: 12 });
    await w.post(handled);
    w.p.queue.enqueue({ queue: EVENT_QUEUE, accountId: A, payload: { eventId: 'not a number' } }); // dies on its first run
    await w.drain();
    await w.post(waiting);
    note('old activity');
    const oldMail = email('<old@example.com>');
    states.create('old-state', w.clock.now(), w.clock.now() + 600_000);
    const oldActivity = w.count('SELECT count(*) n FROM activity_logs');
    expect(w.count("SELECT count(*) n FROM jobs WHERE status = 'dead'")).toBe(1);

    // Today.
    w.clock.advance(8 * DAY);
    const fresh = leadWebhook('add', { id: 13 });
    await w.post(fresh);
    note('fresh activity');
    const freshMail = email('<fresh@example.com>');
    states.create('fresh-state', w.clock.now(), w.clock.now() + 600_000);

    const pruned = await retention.run();
    expect(pruned).toMatchObject({ webhookEvents: 1, webhookDeliveries: 1, activity: oldActivity, mailHtml: 1, oauthStates: 1 });
    // The processed webhook went; the waiting one stays, raw body and all, until it is processed.
    expect(deliveries().map((d) => d.body)).toEqual([waiting, fresh]);
    expect(events()).toEqual(['12:received', '13:received']);
    expect(notes()).toEqual(['fresh activity']);
    expect(w.count('SELECT count(*) n FROM activity_logs')).toBe(1);
    // The old email lost its HTML and kept its text; the fresh one is whole.
    expect(metadataOf(oldMail)).not.toHaveProperty('html');
    expect(metadataOf(oldMail)).toMatchObject({ from: 'client@example.com', htmlPrunedAt: w.clock.now() });
    expect(textOf(oldMail)).toBe('text of <old@example.com>');
    expect(metadataOf(freshMail).html).toBe('<p>html of <fresh@example.com></p>');
    expect((w.p.sqlite.prepare('SELECT state FROM oauth_states').all() as any[]).map((r) => r.state)).toEqual(['fresh-state']);
    // Finished jobs older than 7 days went (the completed one and the dead one); the two waiting jobs stay.
    expect(pruned.jobs).toBe(2);
    expect(w.count("SELECT count(*) n FROM jobs WHERE status IN ('completed', 'dead')")).toBe(0);
    expect(w.count("SELECT count(*) n FROM jobs WHERE status = 'queued'")).toBe(2);

    // Once processed, the old webhook goes on the next run and the fresh one stays; then nothing is left to do.
    await w.drain();
    expect(await retention.run()).toMatchObject({ webhookEvents: 1, webhookDeliveries: 1, mailHtml: 0, oauthStates: 0 });
    expect(deliveries().map((d) => d.body)).toEqual([fresh]);
    expect(events()).toEqual(['13:processed']);
    expect(await retention.run()).toEqual({ webhookEvents: 0, webhookDeliveries: 0, activity: 0, mailHtml: 0, jobs: 0, oauthStates: 0 });
  });

  it('keeps what is younger than each setting', async () => {
    w = await webhookWorld({ env });
    const retention = w.m.retention.services.retention;
    await w.post(leadWebhook('add', { id: 21 }));
    await w.drain();
    note('six days old');
    const mail = email('<six@example.com>');
    w.clock.advance(6 * DAY);
    expect(await retention.run()).toEqual({ webhookEvents: 0, webhookDeliveries: 0, activity: 0, mailHtml: 0, jobs: 0, oauthStates: 0 });
    expect(deliveries()).toHaveLength(1);
    expect(metadataOf(mail).html).toBe('<p>html of <six@example.com></p>');
    expect(notes()).toEqual(['six days old']);
  });

  it('the daily job runs once a day and re-arms itself for the next, however many processes schedule it', async () => {
    w = await webhookWorld({ env });
    const retention = w.m.retention.services.retention;
    const day = Math.floor(w.clock.now() / DAY);
    const rows = () =>
      (w.p.sqlite.prepare('SELECT idempotency_key AS k, status, run_at AS runAt FROM jobs WHERE queue = ? ORDER BY id').all(RETENTION_QUEUE) as any[]).map(
        (r) => `${r.k}:${r.status}:${r.runAt === Number(r.k.split(':')[1]) * DAY ? 'at-midnight' : r.runAt}`,
      );
    retention.schedule();
    retention.schedule(); // a second process booting
    expect(rows()).toEqual([`retention:${day}:queued:at-midnight`]);
    await w.drain();
    expect(rows()).toEqual([`retention:${day}:completed:at-midnight`, `retention:${day + 1}:queued:at-midnight`]);
    retention.schedule(); // a restart the same day queues nothing new
    expect(await w.drain()).toBe(0);
    expect(rows()).toHaveLength(2);
    w.clock.setNow((day + 1) * DAY + 60_000);
    retention.schedule(); // the next day's boot finds it queued already
    await w.drain();
    expect(rows()).toEqual([`retention:${day}:completed:at-midnight`, `retention:${day + 1}:completed:at-midnight`, `retention:${day + 2}:queued:at-midnight`]);
  });
});
