import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { startWorld, type World } from '../helpers/world.js';

/**
 * Kommo's uninstall hook is `GET ?client_uuid&account_id&signature` with signature =
 * HMAC-SHA256(client_secret, "client_id|account_id"): no timestamp, no nonce, the same URL every time.
 */
let world: World;
afterEach(async () => world?.stop());

// A reinstall right after a full sync: Kommo's pace, not the test, should be the only limit here.
const fast = () => startWorld({ simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50' } });

const hookUrl = (accountId: number) =>
  `/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${accountId}&signature=${createHmac('sha256', TEST_CLIENT_SECRET)
    .update(`${TEST_CLIENT_ID}|${accountId}`)
    .digest('hex')}`;

const account = () => world.p.sqlite.prepare('SELECT status, access_token_enc, refresh_token_enc, token_version, dp_secret FROM accounts').get();
const uninstalls = () => world.count("SELECT count(*) n FROM activity_logs WHERE type = 'connection.uninstalled'");

describe('the uninstall hook cannot be replayed', () => {
  it('a replayed uninstall after a reinstall changes nothing', async () => {
    world = await fast();
    const id = await world.installAndSync();
    const url = hookUrl(id);

    // The real uninstall: Kommo revokes our tokens and calls the hook. Someone keeps a copy of the URL.
    world.sim.faults.revokeAllTokens();
    const real = await world.app.request(url);
    expect(real.status).toBe(200);
    expect(account()).toMatchObject({ status: 'disconnected', access_token_enc: null });
    await world.drain();

    // The admin installs again; then the copy is replayed.
    await world.installAndSync();
    const before = account();
    const activityBefore = world.count('SELECT count(*) n FROM activity_logs');
    expect(before).toMatchObject({ status: 'connected' });
    const replay = await world.app.request(url);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ code: 'CONFLICT', detail: expect.stringMatching(/still installed/) });
    expect(account()).toEqual(before);

    // Nor later, when the check Kommo might have raced is run.
    await world.later(5 * 60_000);
    expect(account()).toEqual(before);
    expect(uninstalls()).toBe(1);
    expect(world.count('SELECT count(*) n FROM activity_logs')).toBe(activityBefore);
    expect(world.p.sqlite.prepare("SELECT status FROM jobs WHERE queue = 'kommo.uninstall-check'").get()).toEqual({ status: 'completed' });
    const status = await world.api('GET', '/api/integrations/status');
    expect(status.body.connection.state).toBe('connected');
  });

  it('a real uninstall after a reinstall still disconnects', async () => {
    world = await fast();
    const id = await world.installAndSync();
    world.sim.faults.revokeAllTokens();
    expect((await world.app.request(hookUrl(id))).status).toBe(200);
    await world.installAndSync();
    world.sim.faults.revokeAllTokens();
    expect((await world.app.request(hookUrl(id))).status).toBe(200);
    expect(account()).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null });
    expect(uninstalls()).toBe(2);
  });

  it('a hook that arrives before Kommo revokes the tokens is confirmed a minute later', async () => {
    world = await fast();
    const id = await world.installAndSync();
    expect((await world.app.request(hookUrl(id))).status).toBe(409);
    world.sim.faults.revokeAllTokens();
    await world.later(61_000);
    expect(account()).toMatchObject({ status: 'disconnected' });
    expect(uninstalls()).toBe(1);
  });

  it('when Kommo does not answer the check, it is retried by the queue, never decided blind', async () => {
    world = await fast();
    const id = await world.installAndSync();
    world.failKommo(/^\/api\/v4\/account$/, 2);
    const res = await world.app.request(hookUrl(id));
    expect(res.status).toBe(202);
    expect(account()).toMatchObject({ status: 'connected' });
    await world.drain(); // the queued check meets the second failure and backs off
    expect(world.p.sqlite.prepare("SELECT status, attempts FROM jobs WHERE queue = 'kommo.uninstall-check'").get()).toEqual({
      status: 'queued',
      attempts: 1,
    });
    world.sim.faults.revokeAllTokens();
    await world.later(10 * 60_000);
    expect(account()).toMatchObject({ status: 'disconnected' });
  });
});
