import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { GroupCommitter } from './group-commit.js';

describe('GroupCommitter', () => {
  it('commits concurrent writes together, and a failing one rolls back alone', async () => {
    const { sqlite } = openDatabase(':memory:');
    sqlite.exec('CREATE TABLE t (v TEXT NOT NULL)');
    const gc = new GroupCommitter(sqlite);
    const ins = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      gc.run(() => ins.run('a').changes),
      gc.run(() => {
        ins.run('half-written');
        throw new Error('invalid event');
      }),
      gc.run(() => ins.run('c').changes),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sqlite.prepare('SELECT v FROM t ORDER BY rowid').all()).toEqual([{ v: 'a' }, { v: 'c' }]);
  });
});
