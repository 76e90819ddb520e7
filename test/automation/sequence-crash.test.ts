/**
 * kill -9 in the middle of a sequence: the worker process dies while step 2's email is on the wire (before
 * the body was sent). A new process picks the work up from the durable jobs, and the client gets each of the
 * three emails exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_KEY } from '../helpers/env.js';
import { startSmtpServer } from '../helpers/mail-servers.js';
import { spawnTs } from '../helpers/spawn.js';
import { REDIRECT_URI, startWorld, type World } from '../helpers/world.js';

let w: World | undefined;
let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await w?.stop();
  await smtp?.close();
  w = undefined;
});

const MINUTE = 60_000;

async function waitFor(cond: () => boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kill -9 in the middle of a sequence', () => {
  it('resumes from the durable jobs and sends each of the three emails exactly once', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'seq-crash-')), 'app.db');
    w = await startWorld({
      seed: { leads: 5, contacts: 5 },
      simRps: 50,
      env: { DATABASE_PATH: dbPath, KOMMO_RATE_LIMIT_RPS: '50', MAIL_ALLOW_PRIVATE_HOSTS: '1' },
    });
    const world = w;
    // A lead in an open stage with a main contact that has an email address.
    const contact = [...world.sim.state.contacts.values()][0]!;
    const emailField = [...world.sim.state.contacts.values()].flatMap((c) => c.custom_fields_values ?? []).find((f) => f.field_code === 'EMAIL')!;
    world.sim.updateContact(contact.id, { custom_fields_values: [{ ...emailField, values: [{ value: 'client@example.com', enum_code: 'WORK' }] }] });
    const lead = [...world.sim.state.leads.values()].find((l) => l.status_id !== 142 && l.status_id !== 143)!;
    world.sim.updateLead(lead.id, { _embedded: { ...lead._embedded, contacts: [{ id: contact.id, is_main: true }] } });
    await world.installAndSync();
    smtp = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
    const put = await world.api('PUT', '/api/mail/settings', {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'sales@company.test', password: 'smtp-secret' },
      fromName: 'Acme Sales',
      fromAddress: 'sales@company.test',
    });
    expect(put.status).toBe(200);
    const tpl = await world.api('POST', '/api/mail/templates', { name: 'Follow-up', subject: 'About {{lead.name}}', text: 'Any news?' });
    const seq = await world.api('POST', '/api/sequences', {
      name: 'Nurture',
      definition: {
        steps: [
          { type: 'send_email', templateId: tpl.body.id },
          { type: 'wait', amount: 1, unit: 'minutes' },
          { type: 'send_email', templateId: tpl.body.id },
          { type: 'wait', amount: 1, unit: 'minutes' },
          { type: 'send_email', templateId: tpl.body.id },
        ],
        sendWindow: { quietHours: null },
      },
    });
    expect(seq.status).toBe(201);
    const enrolled = await world.api('POST', `/api/leads/${lead.id}/enrollments`, { sequenceId: seq.body.id });
    expect(enrolled.status).toBe(201);
    await world.drain(); // step 1 here, in the test's process
    expect(smtp.delivered()).toHaveLength(1);

    const env = {
      DATABASE_PATH: dbPath,
      ENCRYPTION_KEY: TEST_KEY,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: world.baseUrl,
      KOMMO_CLIENT_ID: TEST_CLIENT_ID,
      KOMMO_CLIENT_SECRET: TEST_CLIENT_SECRET,
      KOMMO_REDIRECT_URI: REDIRECT_URI,
      KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
      KOMMO_RATE_LIMIT_RPS: '50',
      MAIL_ALLOW_PRIVATE_HOSTS: '1',
    };
    const worker = (offsetMs: number) => {
      const child = spawnTs('test/automation/sequence-worker-child.ts', [JSON.stringify(env), '1500', String(offsetMs)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      return child;
    };
    const enrollment = () =>
      world.p.sqlite.prepare('SELECT status, step FROM sequence_enrollments WHERE id = ?').get(enrolled.body.id) as { status: string; step: number };
    const outbox = () => world.p.sqlite.prepare('SELECT status FROM mail_outbox WHERE lead_id = ? ORDER BY id').all(lead.id) as { status: string }[];

    // A minute later, step 2 is due; the worker process dies while its email is at RCPT TO.
    const stall = smtp.stallRcpt();
    const a = worker(world.clock.now() - Date.now() + MINUTE + 1000);
    await stall.reached;
    a.kill('SIGKILL');
    await new Promise((r) => (a.exitCode !== null || a.signalCode ? r(null) : a.once('exit', r)));
    stall.release();
    expect(smtp.delivered()).toHaveLength(1);

    // A new process, later still: step 2's email goes out once, then step 3's, and the sequence completes.
    worker(world.clock.now() - Date.now() + 3 * MINUTE);
    const notes = () => [...world.sim.state.notes.values()].filter((n) => n.entity_id === lead.id && n.note_type === 'extended_service_message');
    await waitFor(
      () => enrollment().status === 'completed' && outbox().every((o) => o.status === 'sent') && notes().length >= 3,
      'the sequence to complete and its notes',
    );
    expect(smtp.delivered()).toHaveLength(3);
    expect(outbox()).toEqual([{ status: 'sent' }, { status: 'sent' }, { status: 'sent' }]);
    expect(notes()).toHaveLength(3);
  }, 90_000);
});
