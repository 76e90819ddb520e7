import { afterEach, describe, expect, it } from 'vitest';
import { KommoAuthError } from '../../server/kommo/client/errors.js';
import { KommoSim } from '../kommo-sim/index.js';
import { REDIRECT_URI, startWorld, type World } from '../helpers/world.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';

let sim: KommoSim;
let ctx: World;
afterEach(async () => {
  await ctx?.stop();
  await sim?.stop();
});

describe('long-lived token (private integrations)', () => {
  it('bootstraps the account from KOMMO_LONG_LIVED_TOKEN, syncs, and on a 401 asks for re-authorization without refreshing', async () => {
    sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI, seed: { leads: 30, contacts: 10 } });
    const token = sim.issueTokens().access_token;
    ctx = await startWorld({ sim: false, env: { KOMMO_LONG_LIVED_TOKEN: token, KOMMO_ACCOUNT_HOST: sim.host } });
    // What every boot runs (the module's start): twice, and still one bootstrap per token.
    ctx.m.oauth.start!();
    ctx.m.oauth.start!();
    await ctx.p.worker.drain();
    const row = ctx.p.sqlite.prepare('SELECT status, long_lived, refresh_token_enc, access_token_enc FROM accounts WHERE id = ?').get(sim.accountId) as any;
    expect(row).toMatchObject({ status: 'connected', long_lived: 1, refresh_token_enc: null });
    expect(row.access_token_enc).not.toContain(token);
    expect((ctx.p.sqlite.prepare('SELECT count(*) n FROM leads').get() as any).n).toBe(30);
    expect(sim.state.webhooks.size).toBe(1);
    expect(sim.counters.tokenExchanges + sim.counters.refreshes).toBe(0);

    sim.faults.revokeAllTokens();
    const leadId = [...sim.state.leads.keys()][0]!;
    await expect(ctx.m.kommo.services.api(sim.accountId).getLead(leadId)).rejects.toBeInstanceOf(KommoAuthError);
    expect(sim.counters.refreshes + sim.counters.failedRefreshes).toBe(0);
    expect((ctx.p.sqlite.prepare('SELECT status FROM accounts').get() as any).status).toBe('reauth_required');
  });

  it('refuses to send the token to a host outside the allowlist', async () => {
    sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI });
    ctx = await startWorld({
      sim: false,
      env: { KOMMO_LONG_LIVED_TOKEN: 'secret-token', KOMMO_ACCOUNT_HOST: 'evil.example.com', KOMMO_ALLOW_INSECURE_LOOPBACK: '0' },
    });
    ctx.m.oauth.start!();
    await ctx.p.worker.drain();
    const job = ctx.p.sqlite.prepare("SELECT status, last_error FROM jobs WHERE queue = 'kommo.long-lived-bootstrap'").get() as any;
    expect(job.status).toBe('dead');
    expect(job.last_error).toMatch(/not in KOMMO_ALLOWED_HOSTS/);
  });
});

describe('scheduled refresh', () => {
  it('refreshes tokens that expire within the sweep window, so a refresh token never lapses unused', async () => {
    sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI });
    ctx = await startWorld({ sim: false });
    const res = await ctx.app.request(`/oauth/callback?code=${sim.issueAuthCode()}&referer=${sim.host}&from_widget=1`);
    expect(res.status).toBe(200);
    const before = ctx.p.sqlite.prepare('SELECT token_version, token_expires_at FROM accounts').get() as any;
    expect(await ctx.m.kommo.services.vault.refreshDue(60_000)).toEqual({ refreshed: 0, failed: 0 }); // 24 h left: nothing to do
    ctx.p.sqlite.prepare('UPDATE accounts SET token_expires_at = ?').run(Date.now() + 3 * 3600_000);
    expect(await ctx.m.kommo.services.vault.refreshDue(6 * 3600_000)).toEqual({ refreshed: 1, failed: 0 });
    const after = ctx.p.sqlite.prepare('SELECT token_version, token_expires_at FROM accounts').get() as any;
    expect(after.token_version).toBe(before.token_version + 1);
    expect(after.token_expires_at).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(sim.counters.refreshes).toBe(1);
  });
});
