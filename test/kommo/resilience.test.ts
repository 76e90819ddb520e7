import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KommoAuthError, KommoBlockedError } from '../../server/kommo/client/errors.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await world?.stop();
});

const expireOurTokens = () => world.p.sqlite.prepare('UPDATE accounts SET token_expires_at = ?').run(Date.now() - 1000);
const someLeadIds = (n: number) => [...world.sim.state.leads.keys()].slice(0, n);

describe('token vault against the simulator', () => {
  it('50 concurrent API calls at token expiry cause exactly one refresh, and all 50 succeed', async () => {
    world = await startWorld({ simRps: 100, env: { KOMMO_RATE_LIMIT_RPS: '50' } });
    const id = await world.install();
    world.sim.faults.expireAccessTokens();
    expireOurTokens();
    const before = world.sim.counters.refreshes;
    const ids = someLeadIds(50);
    const api = world.m.kommo.services.api(id);
    const leads = await Promise.all(ids.map((leadId) => api.getLead(leadId)));
    expect(leads.map((l) => l.id)).toEqual(ids);
    expect(world.sim.counters.refreshes - before).toBe(1);
    expect(world.sim.counters.failedRefreshes).toBe(0);
  });

  it('two processes sharing the database refresh once between them (compare-and-swap on the token version)', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'vault-')), 'app.db');
    world = await startWorld({ simRps: 100, env: { KOMMO_RATE_LIMIT_RPS: '50', DATABASE_PATH: dbPath } });
    const id = await world.install();
    // A second process: its own platform and modules on the same database file.
    const other = await startWorld({ sim: false, env: { DATABASE_PATH: dbPath, KOMMO_RATE_LIMIT_RPS: '50' } });
    cleanups.push(() => other.stop());
    world.sim.faults.expireAccessTokens();
    expireOurTokens();
    const before = world.sim.counters.refreshes;
    const ids = someLeadIds(25);
    const results = await Promise.all([
      ...ids.map((l) => world.m.kommo.services.api(id).getLead(l)),
      ...ids.map((l) => other.m.kommo.services.api(id).getLead(l)),
    ]);
    expect(results).toHaveLength(50);
    expect(world.sim.counters.refreshes - before).toBe(1);
    expect(world.sim.counters.failedRefreshes).toBe(0);
  });

  it('a revoked refresh token sets reauth_required once, without a retry storm', async () => {
    world = await startWorld({ simRps: 100, env: { KOMMO_RATE_LIMIT_RPS: '50' } });
    const id = await world.install();
    world.sim.faults.revokeAllTokens();
    const api = world.m.kommo.services.api(id);
    const first = await Promise.allSettled(someLeadIds(20).map((l) => api.getLead(l)));
    expect(first.every((r) => r.status === 'rejected' && r.reason instanceof KommoAuthError && r.reason.reauthRequired)).toBe(true);
    expect(world.sim.counters.refreshes + world.sim.counters.failedRefreshes).toBe(1);
    const row = world.p.sqlite.prepare('SELECT status, status_reason FROM accounts WHERE id = ?').get(id) as any;
    expect(row.status).toBe('reauth_required');
    expect(row.status_reason).toMatch(/revoked/i);

    const requestsBefore = world.sim.requests.length;
    const again = await Promise.allSettled(someLeadIds(20).map((l) => api.getLead(l)));
    expect(again.every((r) => r.status === 'rejected')).toBe(true);
    expect(world.sim.requests.length).toBe(requestsBefore); // no network at all once we know
    const entries = world.p.sqlite.prepare("SELECT title FROM activity_logs WHERE type = 'connection.reauth_required'").all();
    expect(entries).toHaveLength(1);
  });
});

describe('rate limits and blocks, measured in the simulator', () => {
  it("install and first sync at Kommo's 7 requests/s get no 429: the token exchange is paced with the API calls", async () => {
    world = await startWorld({ seed: { leads: 60, contacts: 20 } });
    await world.install();
    await world.drain();
    const limited = world.sim.requests.filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`);
    expect(limited).toEqual([]);
    expect(world.sim.requests.some((r) => r.path === '/oauth2/access_token')).toBe(true);
    expect(world.sim.maxRequestsPerWindow(1000)).toBeLessThanOrEqual(7);
  }, 60_000);

  it('survives a 429 storm and never exceeds 7 requests/s', async () => {
    world = await startWorld({ seed: { leads: 60 } });
    const id = await world.install();
    world.sim.clearRequests();
    world.sim.setRateLimit(3); // another integration eats most of the budget: we get 429s
    const api = world.m.kommo.services.api(id);
    const leads = await Promise.all(someLeadIds(24).map((l) => api.getLead(l)));
    expect(leads).toHaveLength(24);
    const statuses = world.sim.requests.filter((r) => r.path.startsWith('/api/v4')).map((r) => r.status);
    expect(statuses).toContain(429);
    expect(world.sim.maxRequestsPerWindow(1000)).toBeLessThanOrEqual(7);
  }, 60_000);

  it('a 403 HTML block opens a circuit for the account, writes an activity entry, and recovers after the backoff', async () => {
    let offset = 0;
    world = await startWorld();
    // The same world but with a clock we can move past the circuit's backoff.
    world.p.clock.now = () => Date.now() + offset;
    const id = await world.install();
    world.sim.clearRequests();
    world.sim.faults.block403(60_000);
    const api = world.m.kommo.services.api(id);
    const leadId = someLeadIds(1)[0]!;
    await expect(api.getLead(leadId)).rejects.toBeInstanceOf(KommoBlockedError);
    const afterBlock = world.sim.requests.length;
    await expect(api.getLead(leadId)).rejects.toBeInstanceOf(KommoBlockedError);
    expect(world.sim.requests.length).toBe(afterBlock); // circuit open: no request went out
    const entry = world.p.sqlite.prepare("SELECT title FROM activity_logs WHERE type = 'connection.blocked'").all();
    expect(entry).toHaveLength(1);
    world.sim.faults.reset();
    offset += 61 * 60_000;
    await expect(api.getLead(leadId)).resolves.toMatchObject({ id: leadId });
    expect(world.sim.maxRequestsPerWindow(1000)).toBeLessThanOrEqual(7);
  });
});
