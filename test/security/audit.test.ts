/**
 * The configuration audit: every create, update and delete of an agent, binding, script, template, mail
 * setting, budget, rule or sequence writes exactly one activity entry, saying who did it and what changed,
 * and never a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
let admin: number;
let adminName: string;
let stage: { pipelineId: number; statusId: number };

beforeAll(async () => {
  w = await startWorld({ seed: { leads: 3, contacts: 3, users: 2 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50', MAIL_ALLOW_PRIVATE_HOSTS: '1' } });
  admin = [...w.sim.state.users.values()][0]!.id;
  adminName = [...w.sim.state.users.values()][0]!.name;
  const p = [...w.sim.state.pipelines.values()][0]!;
  stage = { pipelineId: p.id, statusId: p._embedded.statuses.find((s) => s.id !== 142 && s.id !== 143)!.id };
  await w.installAndSync();
}, 60_000);
afterAll(() => w?.stop());

const audits = () =>
  (
    w.p.sqlite.prepare("SELECT user_id AS userId, title, description, metadata, params FROM activity_logs WHERE type = 'config.changed' ORDER BY id").all() as {
      userId: number | null;
      title: string;
      description: string | null;
      metadata: string;
      params: string | null;
    }[]
  ).map((r) => ({ ...r, metadata: JSON.parse(r.metadata), params: r.params === null ? null : JSON.parse(r.params) }));

/** Make one change as the admin and return the one audit entry it wrote. */
async function change(method: string, path: string, body?: unknown) {
  const before = audits().length;
  const res = await w.api(method, path, body, { userId: admin, isAdmin: true });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  const after = audits();
  expect(after.length - before, `${method} ${path} writes exactly one audit entry`).toBe(1);
  const entry = after[after.length - 1]!;
  expect(entry.userId).toBe(admin);
  return { res, entry };
}

describe('configuration audit', () => {
  it('records each change once, with who, what and a diff', async () => {
    const agent = await change('POST', '/api/agents', { name: 'Ava', instructions: 'Qualify leads.' });
    expect(agent.entry.metadata).toMatchObject({ entity: 'agent', action: 'created', id: agent.res.body.id, name: 'Ava' });
    expect(agent.entry.title).toBe(`Agent "Ava" created by ${adminName}`);
    // Who made the change is in its parameters too, by name, for the widget to say in the viewer's language.
    expect(agent.entry.params).toMatchObject({ userId: admin, userName: adminName });

    const renamed = await change('PATCH', `/api/agents/${agent.res.body.id}`, { mode: 'autopilot', temperature: 0.6 });
    expect(renamed.entry.metadata.action).toBe('updated');
    expect(renamed.entry.metadata.changes).toEqual(
      expect.arrayContaining([
        { field: 'mode', from: 'draft', to: 'autopilot' },
        { field: 'temperature', from: expect.any(String), to: '0.6' },
      ]),
    );
    expect(renamed.entry.description).toContain('mode: draft → autopilot');

    const bound = await change('PUT', '/api/bindings', { ...stage, agentId: agent.res.body.id });
    expect(bound.entry.metadata).toMatchObject({ entity: 'binding', action: 'updated' });
    expect(bound.entry.metadata.changes).toEqual([
      { field: `${stage.pipelineId}/${stage.statusId}`, from: null, to: `agent ${agent.res.body.id}, on entering: off` },
    ]);

    const script = await change('POST', '/api/scripts', { name: 'Opening', body: 'Greet {{contact.name}}.', agentId: agent.res.body.id });
    await change('PATCH', `/api/scripts/${script.res.body.id}`, { body: 'Greet {{contact.name}} warmly.' });
    const tpl = await change('POST', '/api/mail/templates', { name: 'Follow-up', subject: 'Hello', text: 'Any news?' });
    expect(
      (await change('PUT', `/api/mail/templates/${tpl.res.body.id}`, { name: 'Follow-up', subject: 'Hello again', text: 'Any news?' })).entry.metadata.changes,
    ).toEqual([{ field: 'subject', from: 'Hello', to: 'Hello again' }]);
    await change('PUT', '/api/usage/budget', { monthlyUsd: 12 });
    const rule = await change('POST', '/api/rules', {
      name: 'Tag new leads',
      definition: { trigger: { type: 'lead_created' }, actions: [{ type: 'add_tags', tags: ['new'] }] },
    });
    expect(rule.entry.metadata).toMatchObject({ entity: 'rule', action: 'created', name: 'Tag new leads' });
    const ruleEdit = await change('PATCH', `/api/rules/${rule.res.body.id}`, { enabled: false });
    expect(ruleEdit.entry.metadata.changes).toEqual([{ field: 'enabled', from: 'true', to: 'false' }]);
    const seq = await change('POST', '/api/sequences', { name: 'Nurture', definition: { steps: [{ type: 'add_note', text: 'Hello' }] } });
    await change('PATCH', `/api/sequences/${seq.res.body.id}`, { name: 'Nurture v2' });

    await change('DELETE', `/api/sequences/${seq.res.body.id}`);
    await change('DELETE', `/api/rules/${rule.res.body.id}`);
    await change('DELETE', `/api/mail/templates/${tpl.res.body.id}`);
    await change('DELETE', `/api/scripts/${script.res.body.id}`);
    const gone = await change('DELETE', `/api/agents/${agent.res.body.id}`);
    expect(gone.entry.metadata).toMatchObject({ entity: 'agent', action: 'deleted', name: 'Ava' });
  });

  it('says a mailbox password changed without ever writing it', async () => {
    const settings = {
      smtp: { host: '127.0.0.1', port: 2525, secure: false, user: 'sales@company.test', password: 'hunter2-very-secret' },
      fromName: 'Acme Sales',
      fromAddress: 'sales@company.test',
    };
    const first = await change('PUT', '/api/mail/settings', settings);
    expect(first.entry.metadata.entity).toBe('mail_settings');
    const again = await change('PUT', '/api/mail/settings', { ...settings, smtp: { ...settings.smtp, password: 'another-secret-42' } });
    expect(again.entry.metadata.changes).toEqual([{ field: 'smtp.password', secret: true }]);
    const all = JSON.stringify(w.p.sqlite.prepare('SELECT * FROM activity_logs').all());
    expect(all).not.toContain('hunter2-very-secret');
    expect(all).not.toContain('another-secret-42');
  });

  it('writes nothing for a refused change or one that changed nothing', async () => {
    const before = audits().length;
    expect((await w.api('POST', '/api/agents', { name: '' }, { userId: admin, isAdmin: true })).status).toBe(422);
    expect((await w.api('POST', '/api/agents', { name: 'Sneaky' }, { userId: admin, isAdmin: false })).status).toBe(403);
    const tpl = await change('POST', '/api/mail/templates', { name: 'Same', subject: 'S', text: 'T' });
    expect(
      (await w.api('PUT', `/api/mail/templates/${tpl.res.body.id}`, { name: 'Same', subject: 'S', text: 'T' }, { userId: admin, isAdmin: true })).status,
    ).toBe(200);
    expect(audits().length - before).toBe(1);
  });
});
