import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { startWorld, type World } from '../helpers/world.js';
import { authHeaders } from '../helpers/tokens.js';

let world: World;
afterEach(async () => world?.stop());

const accountRow = () => world.p.sqlite.prepare('SELECT * FROM accounts').get() as Record<string, any>;

describe('install (GET /oauth/callback) against the simulator', () => {
  it('exchanges the code, stores encrypted tokens, registers webhooks and runs the first sync', async () => {
    world = await startWorld();
    const code = world.sim.issueAuthCode();
    const res = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('Connected to');

    const row = accountRow();
    expect(row).toMatchObject({ id: world.sim.accountId, status: 'connected', host: world.sim.host, subdomain: world.sim.subdomain });
    expect(row.access_token_enc).toMatch(/^v1\./);
    const access = world.p.encryptor.decrypt(row.access_token_enc);
    const refresh = world.p.encryptor.decrypt(row.refresh_token_enc);
    expect(access.length).toBeGreaterThan(10);
    const dump = JSON.stringify(world.p.sqlite.prepare('SELECT * FROM accounts').all()) + JSON.stringify(world.p.sqlite.prepare('SELECT * FROM jobs').all());
    expect(dump).not.toContain(access);
    expect(dump).not.toContain(refresh);

    const queued = world.p.sqlite
      .prepare("SELECT queue FROM jobs WHERE status = 'queued' ORDER BY id")
      .all()
      .map((r: any) => r.queue);
    expect(queued).toEqual(expect.arrayContaining(['kommo.register-webhooks', 'kommo.sync']));
    await world.drain();

    const hooks = [...world.sim.state.webhooks.values()];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.destination).toBe(`http://127.0.0.1:3999/webhooks/kommo/${row.webhook_secret}`);
    expect(hooks[0]!.settings).toEqual(expect.arrayContaining(['add_message', 'status_lead', 'add_task', 'note_lead']));

    const status = (await (await world.app.request('/api/integrations/status', { headers: authHeaders(world.sim.accountId) })).json()) as any;
    expect(status.connection.state).toBe('connected');
    expect(status.sync).toMatchObject({ state: 'completed', progress: { percent: 100 } });
    expect(status.counts.leads).toBe(world.sim.state.leads.size);
    expect(status.counts.contacts).toBe(world.sim.state.contacts.size);

    // Re-registering is idempotent: the same destination is updated, not duplicated.
    world.p.queue.enqueue({ queue: 'kommo.register-webhooks', accountId: world.sim.accountId, payload: { accountId: world.sim.accountId } });
    await world.drain();
    expect(world.sim.state.webhooks.size).toBe(1);
  });

  it.each([
    ['a foreign host', 'evil.example.com'],
    ['a look-alike host', 'acme.kommo.com.evil.io'],
    ['userinfo tricks', 'acme.kommo.com@evil.io'],
    ['a path', 'evil.io/acme.kommo.com'],
  ])('refuses %s as referer with 400 and zero outbound requests', async (_n, referer) => {
    world = await startWorld({ env: { KOMMO_ALLOW_INSECURE_LOOPBACK: '0' } });
    const res = await world.app.request(`/oauth/callback?code=abc&referer=${encodeURIComponent(referer)}&from_widget=1`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('is not a Kommo account host');
    expect(world.outbound).toEqual([]);
    expect(world.sim.requests).toEqual([]);
  });

  it('checks state in the button flow: a state from another browser is refused before any request', async () => {
    world = await startWorld();
    const start = await world.app.request('/oauth/start');
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    const state = location.searchParams.get('state')!;
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const code = world.sim.issueAuthCode();
    const forged = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}&state=${state}`);
    expect(forged.status).toBe(400);
    expect(world.outbound).toEqual([]);
    const noState = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}`);
    expect(noState.status).toBe(400);
    const ok = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}&state=${state}`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    const replay = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}&state=${state}`, { headers: { cookie } });
    expect(replay.status).toBe(400); // single use
  });

  it('shows a readable failure page when Kommo refuses the code', async () => {
    world = await startWorld();
    const res = await world.app.request(`/oauth/callback?code=not-a-code&referer=${world.sim.host}&from_widget=1`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Installation failed');
    expect(html).toContain('did not accept the authorization code');
    expect(accountRow()).toBeUndefined();
  });

  it("speaks the installer's language: the page follows the browser's Accept-Language", async () => {
    world = await startWorld();
    const code = world.sim.issueAuthCode();
    const ok = await world.app.request(`/oauth/callback?code=${code}&referer=${world.sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`, {
      headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' },
    });
    const html = await ok.text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('Подключено к');
    expect(html).toContain('Это окно можно закрыть');
    const failed = await world.app.request(`/oauth/callback?code=not-a-code&referer=${world.sim.host}&from_widget=1`, {
      headers: { 'accept-language': 'es-AR' },
    });
    const page = await failed.text();
    expect(page).toContain('La instalación falló');
    expect(page).toContain('Motivo');
  });
});

describe('uninstall (GET /oauth/uninstall)', () => {
  const sign = (accountId: number, secret = TEST_CLIENT_SECRET) => createHmac('sha256', secret).update(`${TEST_CLIENT_ID}|${accountId}`).digest('hex');

  it('with a bad signature: 403 and nothing changes', async () => {
    world = await startWorld();
    const id = await world.install();
    const before = accountRow();
    const res = await world.app.request(`/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${id}&signature=${sign(id, 'wrong')}`);
    expect(res.status).toBe(403);
    expect(accountRow()).toEqual(before);
  });

  it('with a good signature and tokens Kommo revoked: disconnected, tokens deleted, webhook removal tried, history kept', async () => {
    world = await startWorld();
    const id = await world.install();
    await world.drain();
    expect(world.sim.state.webhooks.size).toBe(1);
    world.sim.faults.revokeAllTokens(); // what uninstalling in Kommo does before it calls the hook
    const res = await world.app.request(`/oauth/uninstall?client_uuid=${TEST_CLIENT_ID}&account_id=${id}&signature=${sign(id)}`);
    expect(res.status).toBe(200);
    const row = accountRow();
    expect(row).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null });
    await world.drain();
    // Our webhook removal ran with the last token; Kommo refused it (401: the integration and its webhooks are gone), which ends it.
    expect(world.p.sqlite.prepare("SELECT status FROM jobs WHERE queue = 'kommo.unsubscribe-webhooks'").get()).toEqual({ status: 'completed' });
    expect(world.sim.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v4/webhooks')).toBe(true);
    const types = world.p.sqlite
      .prepare('SELECT type FROM activity_logs WHERE account_id = ? ORDER BY id')
      .all(id)
      .map((r: any) => r.type);
    expect(types).toEqual(expect.arrayContaining(['connection.installed', 'sync.completed', 'connection.uninstalled']));
    expect((world.p.sqlite.prepare('SELECT count(*) n FROM leads WHERE account_id = ?').get(id) as any).n).toBeGreaterThan(0);
    const status = (await (await world.app.request('/api/integrations/status', { headers: authHeaders(id) })).json()) as any;
    expect(status.connection.state).toBe('disconnected');
  });
});
