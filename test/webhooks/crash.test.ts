import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, runMigrations } from '../../db/client.js';
import { FORM_HEADERS, incomingMessageWebhook, leadStatusWebhook, TEST_ACCOUNT } from '../fixtures/kommo-webhooks.js';
import { TEST_KEY } from '../helpers/env.js';
import { spawnTs } from '../helpers/spawn.js';
import { SECRET } from '../helpers/webhooks.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function start(dbPath: string, mode: 'ingest' | 'full') {
  const child = spawnTs('test/fixtures/server-child.ts', [mode], {
    env: { ...process.env, DATABASE_PATH: dbPath, ENCRYPTION_KEY: TEST_KEY, WEBHOOK_BURST_WINDOW_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

describe('kill -9 between the ack and the processing', () => {
  it('loses nothing: the events run after restart', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'wh-crash-')), 'app.db');
    const { sqlite, db } = openDatabase(dbPath);
    runMigrations(db);
    sqlite
      .prepare(
        `INSERT INTO accounts (id, host, subdomain, name, status, webhook_secret, installed_at, updated_at) VALUES (?, 'acme.kommo.com', 'acme', 'Acme', 'connected', ?, 0, 0)`,
      )
      .run(TEST_ACCOUNT.id, SECRET);

    const a = await start(dbPath, 'ingest');
    const bodies = [
      leadStatusWebhook({ id: 5, status_id: 61, old_status_id: 60, pipeline_id: 7, last_modified: 1_700_000_100 }),
      incomingMessageWebhook({ id: 'crash-msg', text: 'Are you there?', element_id: 5 }),
    ];
    for (const body of bodies) {
      const res = await fetch(`${a.base}/webhooks/kommo/${SECRET}`, { method: 'POST', body, headers: FORM_HEADERS });
      expect(res.status).toBe(200);
    }
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    expect(sqlite.prepare("SELECT count(*) n FROM webhook_events WHERE status = 'received'").get()).toEqual({ n: 2 });
    expect(sqlite.prepare('SELECT count(*) n FROM leads').get()).toEqual({ n: 0 });

    await start(dbPath, 'full');
    const deadline = Date.now() + 15_000;
    while ((sqlite.prepare("SELECT count(*) n FROM webhook_events WHERE status = 'processed'").get() as { n: number }).n < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sqlite.prepare('SELECT status_id FROM leads WHERE id = 5').get()).toEqual({ status_id: 61 });
    expect(sqlite.prepare("SELECT text FROM conversation_messages WHERE external_id = 'crash-msg'").get()).toEqual({ text: 'Are you there?' });
    sqlite.close();
  });
});
