/**
 * A rule's history index and the feed entry of each event are written in batches from the events' rows
 * instead of with every event: before the feed, a history or the counts are read, and by a job every
 * CATCH_UP_EVERY events. Nothing an event recorded is missing from what the API shows; a fired rule's
 * run is made when its job starts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CATCH_UP_EVERY } from '../../server/modules/rules/rules.engine.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
afterEach(() => w?.stop());

const indexed = () =>
  w.p.sqlite.prepare('SELECT rule_id AS ruleId, event_id AS eventId, status FROM rule_history ORDER BY event_id, rule_id').all() as {
    ruleId: number;
    eventId: number;
    status: string;
  }[];
const eventIds = () => w.p.sqlite.prepare('SELECT id FROM rule_events ORDER BY id').pluck().all() as number[];

describe("the rules' history index and feed entries", () => {
  it('are written before the feed, a history or the counts are read, and by a job every so many events', async () => {
    w = await startWorld({ seed: { leads: 6, contacts: 2, users: 2 } });
    await w.installAndSync();
    const leads = [...w.sim.state.leads.values()].map((l) => l.id);
    // Two rules that judge every stage entry: one never fires, one adds a note.
    const ids: number[] = [];
    for (const [name, conditions] of [
      ['Huge deal', { kind: 'price', op: 'gt', value: 1e12 }],
      ['Any deal', undefined],
    ] as const) {
      const r = await w.api('POST', '/api/rules', {
        name,
        definition: { trigger: { type: 'stage_entered' }, conditions, actions: [{ type: 'add_note', text: 'Entered' }] },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const [huge, any] = ids as [number, number];
    const enter = (leadId: number, key: string) =>
      w.p.tx(() => w.p.bus.emit('lead_stage_entered', { accountId: w.accountId, leadId, pipelineId: 1, statusId: 2, source: 'webhook', eventKey: key }));

    enter(leads[0]!, 'e1');
    enter(leads[1]!, 'e2');
    expect(eventIds()).toHaveLength(2);
    const feedRows = () =>
      w.p.sqlite
        .prepare(
          "SELECT lead_id AS leadId, created_at AS createdAt FROM activity_logs WHERE type IN ('rule.fired', 'rule.not_fired', 'rule.rate_limited', 'rule.depth_limited') ORDER BY id",
        )
        .all();
    // Not on the event's write: no history index, no feed entry, no run.
    expect(indexed()).toEqual([]);
    expect(feedRows()).toEqual([]);
    expect(w.p.sqlite.prepare('SELECT count(*) FROM rule_runs').pluck().get()).toBe(0);

    // The lead's feed, as the lead card reads it, has the entry, dated when the event happened.
    const at = w.p.sqlite.prepare("SELECT created_at FROM rule_events WHERE event_key = 'e1'").pluck().get() as number;
    w.clock.advance(60_000);
    const feed = await w.api('GET', `/api/dashboard/updates?leadId=${leads[0]}`);
    expect(feed.status).toBe(200);
    expect(
      feed.body.items.map((x: { type: string; params: { rules: { name: string; status: string }[] }; createdAt: string }) => [
        x.type,
        x.params.rules,
        x.createdAt,
      ]),
    ).toEqual([
      [
        'rule.fired',
        [
          { name: 'Huge deal', version: 1, status: 'skipped', reason: 'conditions_fail' },
          { name: 'Any deal', version: 1, status: 'fired' },
        ],
        new Date(at).toISOString(),
      ],
    ]);
    expect(feedRows()).toHaveLength(2); // both events' entries, once

    expect(indexed()).toHaveLength(4); // the same catch-up indexed them
    const history = await w.api('GET', `/api/rules/${huge}/history`);
    // The trace is stored as observed (no labels, no expected values) and read back whole.
    const stored = JSON.parse(w.p.sqlite.prepare("SELECT verdicts FROM rule_events WHERE event_key = 'e1'").pluck().get() as string);
    expect(stored[0].trace.conditions).toEqual([0, expect.any(Number)]);
    expect(history.body.items[1].trace).toMatchObject({
      reason: 'conditions do not hold',
      trigger: { check: 'trigger stage_entered', ok: true, actual: { pipelineId: 1, statusId: 2 }, expected: { pipelineId: 'any', statusId: 'any' } },
      scope: { check: 'scope: whole account', ok: true },
      conditions: { check: 'price gt', ok: false, actual: expect.any(Number), expected: 1e12 },
    });
    expect(history.body.items.map((x: { leadId: number; status: string; runId: number | null }) => [x.leadId, x.status, x.runId])).toEqual([
      [leads[1], 'skipped', null],
      [leads[0], 'skipped', null],
    ]);
    expect(indexed()).toHaveLength(4);

    // The fired rule's run is made when its job runs, and the history shows what its actions did.
    await w.drain();
    const fired = await w.api('GET', `/api/rules/${any}/history`);
    expect(
      fired.body.items.map((x: { status: string; runId: number | null; results: { type: string }[] }) => [x.status, typeof x.runId, x.results?.[0]?.type]),
    ).toEqual([
      ['done', 'number', 'add_note'],
      ['done', 'number', 'add_note'],
    ]);
    enter(leads[2]!, 'e3');
    const list = await w.api('GET', '/api/rules');
    expect(list.body.items.map((r: { id: number; stats: unknown }) => [r.id, r.stats])).toEqual([
      [huge, { evaluated: 3, fired: 0 }],
      [any, { evaluated: 3, fired: 3 }],
    ]);

    // A batch bigger than one INSERT's rows: 40 more events, 80 verdicts, every one counted once.
    for (let i = 0; i < 40; i++) enter(leads[i % 6]!, `more-${i}`);
    const counted = await w.api('GET', '/api/rules');
    expect(counted.body.items.map((r: { stats: { evaluated: number } }) => r.stats.evaluated)).toEqual([43, 43]);
    expect(indexed()).toHaveLength(86);

    // The account's CATCH_UP_EVERY-th event since queues a job that writes them with nobody reading: 43 so
    // far, so 212 more queue nothing and the next one queues the job.
    const jobs = () => w.p.sqlite.prepare("SELECT count(*) FROM jobs WHERE queue = 'rules.catch_up'").pluck().get();
    for (let i = 0; i < CATCH_UP_EVERY - 43 - 1; i++) enter(leads[i % 6]!, `bulk-${i}`);
    expect(jobs()).toBe(0);
    enter(leads[3]!, 'last');
    expect(jobs()).toBe(1);
    expect(indexed()).toHaveLength(86);
    await w.drain();
    expect(indexed()).toHaveLength(2 * CATCH_UP_EVERY);
    expect(feedRows()).toHaveLength(CATCH_UP_EVERY);
    const last = w.p.sqlite.prepare("SELECT id FROM rule_events WHERE event_key = 'last'").pluck().get() as number;
    expect(indexed().slice(-2)).toEqual([
      { ruleId: huge, eventId: last, status: 'skipped' },
      // "Any deal" has fired its 10 times an hour for this lead long before.
      { ruleId: any, eventId: last, status: 'rate_limited' },
    ]);
    // Once: the next event queues nothing new.
    enter(leads[4]!, 'e5');
    expect(jobs()).toBe(1);

    // The feed names a rule as it was named when it judged the event, not as it is named now.
    expect((await w.api('PATCH', `/api/rules/${any}`, { name: 'Renamed' })).status).toBe(200);
    const named = await w.api('GET', `/api/dashboard/updates?leadId=${leads[4]}&limit=1`);
    expect(named.body.items[0].params.rules.map((r: { name: string }) => r.name)).toEqual(['Huge deal', 'Any deal']);

    // A row without verdicts (none is recorded so, another build could write one) has no entry and does not stop the rest.
    w.p.sqlite
      .prepare("INSERT INTO rule_events (account_id, event_key, type, lead_id, verdicts, created_at) VALUES (?, 'empty', 'stage_entered', ?, '[]', ?)")
      .run(w.accountId, leads[5], w.p.clock.now());
    enter(leads[5]!, 'after-empty');
    const after = await w.api('GET', `/api/dashboard/updates?leadId=${leads[5]}&limit=1`);
    expect(after.status).toBe(200);
    expect(after.body.items[0].metadata.eventKey).toBe('after-empty');
  });
});
