/**
 * A rule's history is found through `rule_history`, which is filled in batches instead of on every event:
 * before a history or the counts are read, and by a job each time the runs pass a multiple of
 * HISTORY_INDEX_EVERY. Nothing an event recorded is missing from what the API shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_INDEX_EVERY } from '../../server/modules/rules/rules.engine.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
afterEach(() => w?.stop());

const indexed = () =>
  w.p.sqlite.prepare('SELECT rule_id AS ruleId, run_id AS runId FROM rule_history ORDER BY run_id').all() as { ruleId: number; runId: number }[];
const runIds = () => w.p.sqlite.prepare('SELECT id FROM rule_runs ORDER BY id').pluck().all() as number[];

describe('the rules history index', () => {
  it('is filled before a history or the counts are read, and by a job when the runs pass the mark', async () => {
    w = await startWorld({ seed: { leads: 6, contacts: 2, users: 2 } });
    await w.installAndSync();
    const leads = [...w.sim.state.leads.values()].map((l) => l.id);
    // Two rules that judge every stage entry and never fire (no actions run): each event is two runs.
    const ids: number[] = [];
    for (const name of ['Huge deal', 'Giant deal']) {
      const r = await w.api('POST', '/api/rules', {
        name,
        definition: { trigger: { type: 'stage_entered' }, conditions: { kind: 'price', op: 'gt', value: 1e12 }, actions: [{ type: 'add_tags', tags: ['x'] }] },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const enter = (leadId: number, key: string) =>
      w.p.tx(() => w.p.bus.emit('lead_stage_entered', { accountId: w.accountId, leadId, pipelineId: 1, statusId: 2, source: 'webhook', eventKey: key }));

    enter(leads[0]!, 'e1');
    enter(leads[1]!, 'e2');
    expect(runIds()).toHaveLength(4);
    expect(indexed()).toEqual([]); // not on the event's write

    const history = await w.api('GET', `/api/rules/${ids[0]}/history`);
    expect(history.body.items.map((x: { leadId: number; status: string }) => [x.leadId, x.status])).toEqual([
      [leads[1], 'skipped'],
      [leads[0], 'skipped'],
    ]);
    expect(indexed()).toHaveLength(4);
    enter(leads[2]!, 'e3');
    const list = await w.api('GET', '/api/rules');
    expect(list.body.items.map((r: { stats: unknown }) => r.stats)).toEqual([
      { evaluated: 3, fired: 0 },
      { evaluated: 3, fired: 0 },
    ]);

    // The next event's runs pass the mark: a job indexes them with nobody reading.
    const mark = Math.ceil((runIds().at(-1)! + 1) / HISTORY_INDEX_EVERY) * HISTORY_INDEX_EVERY;
    w.p.sqlite.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'rule_runs'").run(mark - 1);
    enter(leads[3]!, 'e4');
    expect(runIds().slice(-2)).toEqual([mark, mark + 1]);
    expect(indexed()).toHaveLength(6);
    await w.drain();
    expect(indexed().map((x) => x.runId)).toEqual(runIds());
    expect(indexed().slice(-2)).toEqual([
      { ruleId: ids[0], runId: mark },
      { ruleId: ids[1], runId: mark + 1 },
    ]);
    // Once: another event in the same block queues nothing new.
    enter(leads[4]!, 'e5');
    expect(w.p.sqlite.prepare("SELECT count(*) FROM jobs WHERE queue = 'rules.index'").pluck().get() as number).toBe(1);
  });
});
