import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { startCheckpointer } from './checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const until = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return ok();
};

describe('the background checkpointer', () => {
  it('copies what the writer committed from the WAL into the database file, from its own thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'app.db');
    const { sqlite } = openDatabase(path);
    sqlite.pragma('wal_autocheckpoint = 0'); // the writer never checkpoints by itself here
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(path).size;
    const insert = sqlite.prepare('INSERT INTO t (body) VALUES (?)');
    sqlite.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run('x'.repeat(2000));
    })();
    // Committed, but only in the WAL: the database file has not grown.
    expect(statSync(path).size).toBe(before);
    const errors: string[] = [];
    const c = startCheckpointer(path, { intervalMs: 20, onError: (m) => errors.push(m), onGone: () => errors.push('gone') });
    try {
      expect(await until(() => statSync(path).size >= before + 500 * 2000, 5000)).toBe(true);
      expect(errors).toEqual([]);
      // The writer goes on writing while it checkpoints; every row is there.
      for (let i = 0; i < 50; i++) insert.run('y');
      expect(sqlite.prepare('SELECT count(*) FROM t').pluck().get()).toBe(550);
    } finally {
      c.stop();
      sqlite.close();
    }
  });

  it('reports a database it cannot open, and that it is gone (so the writer checkpoints again), instead of failing silently', async () => {
    const errors: string[] = [];
    let gone = false;
    const c = startCheckpointer(join(tmpdir(), 'no-such-dir-for-ckpt', 'app.db'), {
      intervalMs: 20,
      onError: (m) => errors.push(m),
      onGone: () => {
        gone = true;
      },
    });
    expect(await until(() => errors.length > 0 && gone, 5000)).toBe(true);
    c.stop();
  });
});
