import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Db, openDatabase, runMigrations, type Sqlite } from '../../db/client.js';
import { manualClock } from '../../server/lib/clock.js';
import { createConversationsRepo } from '../../server/modules/conversations/conversations.repo.js';
import { createRulesRepo } from '../../server/modules/rules/rules.repo.js';
import { startWorld, type World } from '../helpers/world.js';

/** The statements a repository prepares, by their SQL, from a connection that records them. */
function preparedBy(build: (sqlite: Sqlite, db: Db) => void): { sqlite: Sqlite; find(...parts: string[]): string } {
  const { sqlite, db } = openDatabase(':memory:');
  runMigrations(db);
  const sources: string[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    sources.push(source);
    return prepare(source);
  }) as typeof sqlite.prepare;
  build(sqlite, db);
  sqlite.prepare = prepare;
  return {
    sqlite,
    find: (...parts) => {
      const hits = sources.filter((s) => parts.every((p) => s.includes(p)));
      expect(hits, `one statement with ${parts.join(', ')}`).toHaveLength(1);
      return hits[0]!;
    },
  };
}

const plan = (sqlite: Sqlite, source: string, ...args: unknown[]) =>
  (sqlite.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');

/** Each rule event reads these; their cost must not grow with the account's history. */
describe('the rules hot path reads by key', () => {
  it("a message event's texts are read by id, not by walking the account's messages", () => {
    const { sqlite, find } = preparedBy((sqlite) => createConversationsRepo(sqlite, manualClock()));
    expect(plan(sqlite, find('SELECT text FROM conversation_messages', 'json_each'), 1, '[1,2]')).toBe(
      'SEARCH conversation_messages USING INTEGER PRIMARY KEY (rowid=?) | LIST SUBQUERY 1 | SCAN json_each VIRTUAL TABLE INDEX 1:',
    );
  });

  it('the per-lead hourly limit counts from its index alone, which holds only the events that fired', () => {
    const { sqlite, find } = preparedBy((_sqlite, db) => createRulesRepo(db));
    expect(plan(sqlite, find('SELECT fired FROM rule_events'), 1, 2, 0)).toBe(
      'SEARCH rule_events USING COVERING INDEX rule_events_fired_idx (account_id=? AND lead_id=? AND created_at>?)',
    );
    const idx = sqlite.prepare("SELECT sql FROM sqlite_schema WHERE name = 'rule_events_fired_idx'").pluck().get() as string;
    expect(idx).toMatch(/WHERE .*fired.* <> ''/);
  });
});

describe('one published event', () => {
  let w: World | undefined;
  afterEach(() => w?.stop());

  it('reads its lead once for every rule event it makes (a stage left and a stage entered)', async () => {
    w = await startWorld({ seed: { leads: 3, contacts: 1, users: 1 } });
    await w.installAndSync();
    const [a, b] = [...w.sim.state.leads.values()].map((l) => l.id);
    const reads = vi.spyOn(w.m.mirror.services.read, 'lead');
    const move = (leadId: number, key: string) =>
      w!.p.tx(() =>
        w!.p.bus.emit('lead_stage_entered', {
          accountId: w!.accountId,
          leadId,
          pipelineId: 1,
          statusId: 3,
          prevPipelineId: 1,
          prevStatusId: 2,
          source: 'webhook',
          eventKey: key,
        }),
      );
    // What the other subscribers read, with no rule to judge.
    move(a!, 'before');
    const others = reads.mock.calls.length;
    for (const type of ['stage_left', 'stage_entered'] as const) {
      const r = await w.api('POST', '/api/rules', { name: type, definition: { trigger: { type }, actions: [{ type: 'add_note', text: type }] } });
      expect(r.status).toBe(201);
    }
    reads.mockClear();
    move(b!, 'after');
    expect(w.p.sqlite.prepare("SELECT type FROM rule_events WHERE event_key = 'after' ORDER BY type").pluck().all()).toEqual(['stage_entered', 'stage_left']);
    expect(reads.mock.calls.length - others).toBe(1);
  });
});
