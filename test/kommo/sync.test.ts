import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';
import { authHeaders } from '../helpers/tokens.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let world: World;
afterEach(async () => world?.stop());

const count = (sql: string, ...args: unknown[]) => (world.p.sqlite.prepare(sql).get(...args) as { n: number }).n;

describe('sync against the simulator', () => {
  it('mirrors 10,000 leads and 5,000 contacts with matching counts and bounded memory', async () => {
    world = await startWorld({ seed: { leads: 10_000, contacts: 5_000, companies: 50, users: 8 } });
    const id = world.sim.accountId;
    await world.install();
    // Run only the sync, sampling the live heap (after a full GC) while it streams.
    gc();
    const start = process.memoryUsage().heapUsed;
    let peak = start;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 250);
    await world.drain();
    clearInterval(sampler);

    expect(count('SELECT count(*) n FROM leads WHERE account_id = ?', id)).toBe(10_000);
    expect(count('SELECT count(*) n FROM contacts WHERE account_id = ?', id)).toBe(5_000);
    expect(count('SELECT count(*) n FROM companies WHERE account_id = ?', id)).toBe(50);
    expect(count('SELECT count(*) n FROM kommo_users WHERE account_id = ?', id)).toBe(8);
    expect(count('SELECT count(*) n FROM pipeline_statuses WHERE account_id = ? AND id IN (142, 143)', id)).toBe(2 * world.sim.state.pipelines.size);
    const run = world.p.sqlite.prepare('SELECT status, counts FROM sync_runs WHERE account_id = ?').get(id) as any;
    expect(run.status).toBe('completed');
    expect(JSON.parse(run.counts).leads).toEqual({ fetched: 10_000, changed: 10_000 });
    // Page by page: the live heap never holds the whole account (10k leads as objects are tens of MB).
    const growthMb = (peak - start) / 1024 / 1024;
    expect(growthMb).toBeLessThan(16);
    // Pacing held during the whole sync.
    expect(world.sim.maxRequestsPerWindow(1000)).toBeLessThanOrEqual(7);
  }, 120_000);

  it('a re-sync after changes updates exactly the changed rows, and marks deleted stages and fields', async () => {
    world = await startWorld({ seed: { leads: 300, contacts: 120 } });
    const id = world.sim.accountId;
    const pipeline = [...world.sim.state.pipelines.values()][0]!;
    const doomed = world.sim.addPipelineStatus(pipeline.id, 'Temporary stage'); // holds no leads
    await world.install();
    await world.drain();
    world.sim.tick(60);
    const [l1, l2, l3] = [...world.sim.state.leads.keys()];
    world.sim.updateLead(l1!, { name: 'Renamed lead' });
    world.sim.updateLead(l2!, { price: 999_999 });
    world.sim.updateLead(l3!, { name: 'Another rename' });
    const [c1, c2] = [...world.sim.state.contacts.keys()];
    world.sim.updateContact(c1!, { name: 'Renamed contact' });
    world.sim.updateContact(c2!, { name: 'Second renamed contact' });
    world.sim.deletePipelineStatus(pipeline.id, doomed.id);
    const field = [...world.sim.state.customFields.leads.values()][0]!;
    world.sim.deleteCustomField('leads', field.id);

    const res = await world.app.request('/api/integrations/sync', { method: 'POST', headers: authHeaders(id) });
    expect(res.status).toBe(202);
    const during = (await (await world.app.request('/api/integrations/status', { headers: authHeaders(id) })).json()) as any;
    expect(during.sync.state).toBe('queued');
    await world.drain();

    const status = (await (await world.app.request('/api/integrations/status', { headers: authHeaders(id) })).json()) as any;
    expect(status.sync.state).toBe('completed');
    expect(status.sync.counts.leads.changed).toBe(3);
    expect(status.sync.counts.contacts.changed).toBe(2);
    expect((world.p.sqlite.prepare('SELECT name FROM leads WHERE account_id = ? AND id = ?').get(id, l1) as any).name).toBe('Renamed lead');
    const st = world.p.sqlite
      .prepare('SELECT deleted_at FROM pipeline_statuses WHERE account_id = ? AND pipeline_id = ? AND id = ?')
      .get(id, pipeline.id, doomed.id) as any;
    expect(st.deleted_at).not.toBeNull();
    const f = world.p.sqlite.prepare('SELECT deleted_at FROM custom_fields WHERE account_id = ? AND id = ?').get(id, field.id) as any;
    expect(f.deleted_at).not.toBeNull();
    const pipes = (await (await world.app.request('/api/pipelines', { headers: authHeaders(id) })).json()) as any;
    const statusIds = pipes.items.find((p: any) => p.id === pipeline.id).statuses.map((s: any) => s.id);
    expect(statusIds).not.toContain(doomed.id);
    expect(statusIds).toEqual(expect.arrayContaining([142, 143]));
  });

  it("gives the rule and sequence builders' pickers the mirrored active users and task types", async () => {
    world = await startWorld({ seed: { leads: 5, contacts: 2, users: 3 } });
    const [, , third] = [...world.sim.state.users.values()];
    third!.rights.is_active = false;
    await world.installAndSync();
    const get = async (path: string) => {
      const res = await world.app.request(path, { headers: authHeaders(world.sim.accountId) });
      expect(res.status, path).toBe(200);
      return ((await res.json()) as { items: { id: number; name: string }[] }).items;
    };
    const active = [...world.sim.state.users.values()].filter((u) => u.rights.is_active);
    expect(await get('/api/users')).toEqual(active.map((u) => ({ id: u.id, name: u.name })));
    expect((await get('/api/users')).map((u) => u.id)).not.toContain(third!.id);
    expect(await get('/api/task-types')).toEqual(
      expect.arrayContaining([
        { id: 1, name: 'Follow-up' },
        { id: 2, name: 'Meeting' },
        { id: 3, name: 'Call' },
      ]),
    );
  });

  it('refuses to start a sync for an account that is not connected', async () => {
    world = await startWorld();
    const res = await world.app.request('/api/integrations/sync', { method: 'POST', headers: authHeaders(world.sim.accountId) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).detail).toMatch(/install the integration first/);
  });
});
