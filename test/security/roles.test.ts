/**
 * Roles: configuration needs an account admin; what a user may see or change of a lead follows their Kommo
 * rights. The account and user always come from the verified token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
let admin: number;
let rep: number; // a salesperson: leads view/edit "M" (own leads only)
let viewer: number; // may see every lead ("A") but edit none ("D")
let ownLead: number;
let otherLead: number;

beforeAll(async () => {
  w = await startWorld({ seed: { leads: 10, contacts: 5, users: 4 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50' } });
  const users = [...w.sim.state.users.values()];
  admin = users[0]!.id;
  rep = users[1]!.id;
  viewer = users[2]!.id;
  users[1]!.rights.leads = { view: 'M', edit: 'M', add: 'A', delete: 'D', export: 'D' };
  users[2]!.rights.leads = { view: 'A', edit: 'D', add: 'D', delete: 'D', export: 'D' };
  const leads = [...w.sim.state.leads.values()];
  ownLead = leads[0]!.id;
  otherLead = leads[1]!.id;
  w.sim.updateLead(ownLead, { responsible_user_id: rep });
  w.sim.updateLead(otherLead, { responsible_user_id: admin });
  await w.installAndSync();
}, 60_000);
afterAll(() => w?.stop());

const as = (userId: number, isAdmin?: boolean) => ({ userId, ...(isAdmin === undefined ? {} : { isAdmin }) });

describe('configuration routes need an account admin', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/api/agents', { name: 'Nope' }],
    ['PATCH', '/api/agents/1', { name: 'Nope' }],
    ['DELETE', '/api/agents/1'],
    ['POST', '/api/agents/1/playground', { message: 'hi' }],
    ['PUT', '/api/bindings', { pipelineId: 1, statusId: 1, agentId: 1 }],
    ['POST', '/api/scripts', { name: 'x', body: 'y', stages: [] }],
    ['PATCH', '/api/scripts/1', { name: 'x' }],
    ['DELETE', '/api/scripts/1'],
    ['POST', '/api/scripts/preview', { body: 'Hi' }],
    ['POST', '/api/agents/1/knowledge', { kind: 'text', title: 't', content: 'c' }],
    ['DELETE', '/api/knowledge/1'],
    ['GET', '/api/mail/settings'],
    ['PUT', '/api/mail/settings', { fromName: 'x' }],
    ['POST', '/api/mail/test', { to: 'a@b.co' }],
    ['POST', '/api/mail/templates', { name: 'x', subject: 'y', text: 'z' }],
    ['PUT', '/api/mail/templates/1', { name: 'x', subject: 'y', text: 'z' }],
    ['DELETE', '/api/mail/templates/1'],
    ['POST', '/api/mail/templates/1/preview', { variables: {} }],
    ['POST', '/api/mail/templates/render', { subject: 'x', text: 'y' }],
    ['GET', '/api/mail/outbox'],
    ['POST', '/api/mail/outbox/1/retry'],
    ['POST', '/api/mail/outbox/1/cancel'],
    ['POST', '/api/mail/settings/test', { side: 'smtp' }],
    ['GET', '/api/mail/settings/folders'],
    ['POST', '/api/integrations/sync'],
    ['POST', '/api/actions/1/approve'],
    ['GET', '/api/dashboard/updates'],
  ];

  it.each(routes)('%s %s answers 403 to a salesperson (is_admin: false in the token)', async (method, path, body) => {
    const r = await w.api(method, path, body, as(rep, false));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'FORBIDDEN', detail: 'Only account administrators can do this.' });
  });

  it('answers an admin (the token says so) on the same routes', async () => {
    expect((await w.api('POST', '/api/agents', { name: 'Ava', mode: 'draft', instructions: 'Qualify.' }, as(admin, true))).status).toBe(201);
    expect((await w.api('GET', '/api/mail/settings', undefined, as(admin, true))).status).toBe(200);
    expect((await w.api('GET', '/api/dashboard/updates', undefined, as(admin, true))).status).toBe(200);
  });

  it('without an is_admin claim, the synced Kommo user decides, re-read when older than ten minutes, and it fails closed', async () => {
    // A token without the claim (Kommo only sometimes sends is_admin).
    const noClaim = async (userId: number) => {
      const { widgetToken } = await import('../helpers/tokens.js');
      const t = widgetToken({ accountId: w.accountId, userId, is_admin: undefined }, { nowSec: Math.floor(w.clock.now() / 1000) });
      return (await w.app.request('/api/mail/settings', { headers: { 'x-auth-token': t } })).status;
    };
    expect(await noClaim(admin)).toBe(200);
    expect(await noClaim(rep)).toBe(403);
    // Promoted in Kommo: the synced row is fresh, so nothing changes until it is ten minutes old.
    w.sim.state.users.get(rep)!.rights.is_admin = true;
    expect(await noClaim(rep)).toBe(403);
    w.clock.advance(11 * 60_000);
    const reads = w.sim.requests.filter((r) => r.path === `/api/v4/users/${rep}`).length;
    expect(await noClaim(rep)).toBe(200);
    expect(w.sim.requests.filter((r) => r.path === `/api/v4/users/${rep}`).length).toBe(reads + 1);
    w.sim.state.users.get(rep)!.rights.is_admin = false;
    // A user Kommo cannot tell us about (deleted, or Kommo down) gets nothing.
    w.clock.advance(11 * 60_000);
    w.sim.faults.fail5xx(20);
    expect(await noClaim(admin)).toBe(403);
    w.sim.faults.fail5xx(0);
  });
});

describe('lead rights follow Kommo', () => {
  it('a salesperson sees the lead panel of their own lead and not of a colleague’s', async () => {
    expect((await w.api('GET', `/api/leads/${ownLead}/agent`, undefined, as(rep, false))).status).toBe(200);
    const other = await w.api('GET', `/api/leads/${otherLead}/agent`, undefined, as(rep, false));
    expect(other.status).toBe(404);
    expect((await w.api('GET', `/api/dashboard/updates?leadId=${otherLead}`, undefined, as(rep, false))).status).toBe(404);
    expect((await w.api('GET', `/api/dashboard/updates?leadId=${ownLead}`, undefined, as(rep, false))).status).toBe(200);
    // The lead's email thread follows the same right.
    expect((await w.api('GET', `/api/leads/${ownLead}/emails`, undefined, as(rep, false))).status).toBe(200);
    expect((await w.api('GET', `/api/leads/${otherLead}/emails`, undefined, as(rep, false))).status).toBe(404);
  });

  it('a viewer may see any lead but not change one; a stage right overrides the general one', async () => {
    expect((await w.api('GET', `/api/leads/${otherLead}/agent`, undefined, as(viewer, false))).status).toBe(200);
    const pause = await w.api('POST', `/api/leads/${otherLead}/agent/pause`, {}, as(viewer, false));
    expect(pause.status).toBe(403);
    expect(pause.body.detail).toMatch(/Kommo rights/);
    const lead = w.sim.state.leads.get(otherLead)!;
    const u = w.sim.state.users.get(viewer)!;
    u.rights.status_rights = [
      { entity_type: 'leads', pipeline_id: lead.pipeline_id, status_id: lead.status_id, rights: { view: 'D', edit: 'D', delete: 'D', export: 'D' } },
    ];
    w.clock.advance(11 * 60_000);
    expect((await w.api('GET', `/api/leads/${otherLead}/agent`, undefined, as(viewer, false))).status).toBe(404);
    u.rights.status_rights = [];
    w.clock.advance(11 * 60_000);
  });

  it('the responsible salesperson may pause the agent on their lead, and the undo of an action records who did it', async () => {
    expect((await w.api('POST', `/api/leads/${ownLead}/agent/pause`, {}, as(rep, false))).status).toBe(200);
    // An action the agent took on the rep's lead (as the action log holds it): the rep undoes it.
    const actionId = w.p.tx(() =>
      Number(
        w.p.sqlite
          .prepare(
            `INSERT INTO agent_actions (account_id, lead_id, agent_id, turn_id, seq, type, args, summary, status, before, after, created_at, updated_at)
             VALUES (?, ?, 1, NULL, 0, 'add_tags', '{"tags":["hot"]}', 'Add tags: hot', 'done', '{"tags":[]}', '{"tags":["hot"]}', 0, 0)`,
          )
          .run(w.accountId, ownLead).lastInsertRowid,
      ),
    );
    expect((await w.api('POST', `/api/actions/${actionId}/undo`, {}, as(viewer, false))).status).toBe(403);
    const undo = await w.api('POST', `/api/actions/${actionId}/undo`, {}, as(rep, false));
    expect(undo.status).toBe(200);
    expect(w.p.sqlite.prepare('SELECT status, undone_by FROM agent_actions WHERE id = ?').get(actionId)).toEqual({ status: 'undone', undone_by: rep });
  });

  it('GET /api/me tells the widget who is asking, so it can hide what they may not do', async () => {
    expect((await w.api('GET', '/api/me', undefined, as(rep, false))).body).toEqual({ accountId: w.accountId, userId: rep, isAdmin: false });
    expect((await w.api('GET', '/api/me', undefined, as(admin, true))).body).toMatchObject({ isAdmin: true });
  });
});
