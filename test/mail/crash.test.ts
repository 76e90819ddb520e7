import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_KEY } from '../helpers/env.js';
import { startImapServer, startSmtpServer, type TestImap, type TestSmtp } from '../helpers/mail-servers.js';
import { spawnTs } from '../helpers/spawn.js';
import { authHeaders } from '../helpers/tokens.js';
import { REDIRECT_URI, startMailWorld, SYSTEM_FROM, type MailWorld } from './mail-world.js';

let world: MailWorld;
const children: ChildProcess[] = [];
const extra: Array<TestSmtp | TestImap> = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of extra.splice(0)) await ('stop' in s ? s.stop() : s.close());
  await world?.stop();
});

async function waitFor(cond: () => boolean, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A separate OS process running the app's worker on the same database file. */
function startWorker(env: Record<string, string>) {
  const child = spawnTs('test/mail/mail-worker-child.ts', [JSON.stringify(env), '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}
const kill9 = async (child: ChildProcess) => {
  child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode ? r(null) : child.once('exit', r)));
};

async function crashWorld() {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'mail-crash-')), 'app.db');
  world = await startMailWorld({ env: { DATABASE_PATH: dbPath } });
  const accountId = await world.install();
  const env = {
    DATABASE_PATH: dbPath,
    ENCRYPTION_KEY: TEST_KEY,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3999',
    KOMMO_CLIENT_ID: TEST_CLIENT_ID,
    KOMMO_CLIENT_SECRET: TEST_CLIENT_SECRET,
    KOMMO_REDIRECT_URI: REDIRECT_URI,
    KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
    MAIL_ALLOW_PRIVATE_HOSTS: '1',
    SMTP_URL: world.smtp.url,
    MAIL_FROM: `AI Agent <${SYSTEM_FROM}>`,
  };
  return { accountId, env, ...world.leadWithContact() };
}

const notesOf = (leadId: number) => [...world.sim.state.notes.values()].filter((n) => n.entity_id === leadId && n.note_type === 'extended_service_message');

describe('kill -9 of the worker during an SMTP send', () => {
  it('after the body reached the server, the restarted worker does not send it again', async () => {
    const { accountId, env, lead, email } = await crashWorld();
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Contract',
      text: 'Please sign.',
      idempotencyKey: 'c-1',
    });
    const stall = world.mailbox.stallData();
    const a = startWorker(env);
    await stall.reached; // the server holds the whole message and has not answered yet
    await waitFor(() => world.outbox(outboxId).smtp_data_at !== null, 'the DATA marker');
    expect(world.outbox(outboxId).status).toBe('sending');
    await kill9(a);

    startWorker(env);
    await waitFor(() => ['sent', 'failed'].includes(world.outbox(outboxId).status), 'the outbox row to settle');
    expect(world.mailbox.delivered()).toHaveLength(1);
    const row = world.outbox(outboxId);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/^uncertain: /);
    expect(row.last_error).toContain(row.message_id);
    expect(world.activity('email.failed')).toHaveLength(1);
  }, 60_000);

  it('before the body was sent, the restarted worker sends it, once, and records the note', async () => {
    const { accountId, env, lead, email } = await crashWorld();
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Offer',
      text: 'Our offer.',
      idempotencyKey: 'o-1',
    });
    const stall = world.mailbox.stallRcpt();
    const a = startWorker(env);
    await stall.reached;
    expect(world.outbox(outboxId)).toMatchObject({ status: 'sending', smtp_data_at: null });
    await kill9(a);
    stall.release();

    startWorker(env);
    await waitFor(() => world.outbox(outboxId).note_id !== null, 'the note');
    expect(world.outbox(outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(world.mailbox.delivered()).toHaveLength(1);
    expect(notesOf(lead.id)).toHaveLength(1);
  }, 60_000);

  it('with IMAP configured, a message found in the Sent folder is marked sent without resending', async () => {
    const { accountId, env, lead, email } = await crashWorld();
    const imap = await startImapServer();
    const own = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
    extra.push(imap, own);
    const put = await world.app.request('/api/mail/settings', {
      method: 'PUT',
      headers: { ...authHeaders(accountId), 'content-type': 'application/json' },
      body: JSON.stringify({
        smtp: { host: '127.0.0.1', port: own.port, secure: false, user: 'sales@company.test', password: 'smtp-secret' },
        imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
        fromName: 'Acme Sales',
        fromAddress: 'sales@company.test',
      }),
    });
    expect(put.status).toBe(200);
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Invoice',
      text: 'Attached.',
      idempotencyKey: 'i-1',
    });
    const stall = own.stallData();
    const a = startWorker(env);
    await stall.reached;
    await waitFor(() => world.outbox(outboxId).smtp_data_at !== null, 'the DATA marker');
    await kill9(a);
    await imap.deliver(own.messages[0]!.raw, 'Sent'); // the provider filed its copy, as Gmail or Exchange do

    startWorker(env);
    await waitFor(() => world.outbox(outboxId).note_id !== null, 'the note');
    const row = world.outbox(outboxId);
    expect(row.status).toBe('sent');
    expect(row.smtp_response).toMatch(/Sent folder/);
    expect(own.delivered()).toHaveLength(1);
    expect(world.smtp.messages).toHaveLength(0);
    expect(world.mailbox.messages).toHaveLength(0);
    expect(notesOf(lead.id)).toHaveLength(1);
    expect(String(notesOf(lead.id)[0]!.params.text)).toContain('From: Acme Sales <sales@company.test>');
  }, 60_000);
});
