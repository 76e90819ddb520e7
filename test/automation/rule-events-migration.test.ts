import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../../db/client.js';
import { createRulesRepo } from '../../server/modules/rules/rules.repo.js';
import { cleanup, migrationsBefore } from '../helpers/migrations.js';

const dirs: string[] = [];
afterEach(() => cleanup(dirs));

describe('migration 0017: one row per rule event, narrow runs', () => {
  it("keeps every earlier run's verdict, trace and results in the rule's history, its id (queued run jobs), and the hourly limit's count", () => {
    const { sqlite, db } = openDatabase(':memory:');
    migrate(db, { migrationsFolder: migrationsBefore('0017_rule_events', dirs) });
    const run = sqlite.prepare(
      `INSERT INTO rule_runs (account_id, rule_id, version, event_key, lead_id, depth, status, trace, results, created_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const trace = (reason: string) => JSON.stringify({ reason, event: { type: 'stage_entered', key: 'wh:1', depth: 0 } });
    const done = Number(
      run.run(1, 10, 2, 'wh:1', 500, 0, 'done', trace('conditions hold'), JSON.stringify([{ type: 'add_tags', status: 'done' }]), 1000, 1500).lastInsertRowid,
    );
    const skipped = Number(run.run(1, 11, 1, 'wh:1', 500, 0, 'skipped', trace('conditions do not hold'), null, 1000, null).lastInsertRowid);
    const queued = Number(run.run(2, 20, 1, 'wh:9', 900, 1, 'fired', trace('conditions hold'), null, 2000, null).lastInsertRowid);

    migrate(db, { migrationsFolder });

    const repo = createRulesRepo(db);
    expect(repo.history(1, 10, 10)).toEqual([
      {
        id: done,
        runId: done,
        ruleId: 10,
        version: 2,
        leadId: 500,
        status: 'done',
        results: [{ type: 'add_tags', status: 'done' }],
        eventKey: `wh:1#run${done}`,
        depth: 0,
        createdAt: 1000,
        trace: { reason: 'conditions hold', event: { type: 'stage_entered', key: 'wh:1', depth: 0 } },
      },
    ]);
    expect(repo.history(1, 11, 10).map((r) => [r.id, r.status, r.trace.reason])).toEqual([[skipped, 'skipped', 'conditions do not hold']]);
    // Another account sees none of it.
    expect(repo.history(2, 10, 10)).toEqual([]);
    expect(repo.getRun(2, queued)).toMatchObject({ id: queued, ruleId: 20, version: 1, leadId: 900, status: 'fired', depth: 1, finishedAt: null });
    expect(repo.getRun(1, queued)).toBeUndefined();
    expect(repo.firedOnLead(1, 500, 0)).toEqual(new Map([[10, 1]]));
    expect(repo.counts(1)).toEqual([
      { ruleId: 10, fired: 1, evaluated: 1 },
      { ruleId: 11, fired: 0, evaluated: 1 },
    ]);
    // Migration 0020 indexed them by rule and set the account's mark past them: nothing is pending.
    expect(repo.pending(1, 100)).toEqual([]);
    expect(sqlite.prepare('SELECT count(*) FROM rule_history').pluck().get()).toBe(3);
    // A queued job that names its run (as earlier versions queued them) still finds it; an event finds the run it already has.
    expect(repo.runsOf(1, done)).toEqual([]); // its verdict is done, not waiting to fire
    expect(repo.runsOf(2, queued)).toEqual([queued]);
    expect(repo.runsOf(1, queued)).toEqual([]);
  });
});
