import { afterEach, describe, expect, it } from 'vitest';
import { authHeaders } from '../helpers/tokens.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
afterEach(async () => world?.stop());

const WINDOW = 60_000;

async function setup() {
  world = await startMailWorld({ seed: { leads: 5, contacts: 5, users: 3 }, mailbox: false });
  const accountId = await world.install();
  const [admin, agent] = [...world.sim.state.users.values()];
  return { accountId, admin: admin!, agent: agent! };
}

const taskAssigned = (accountId: number, userId: number, taskId: number, text = `Call the client about offer ${taskId}`) => ({
  accountId,
  userId,
  kind: 'task_assigned' as const,
  title: `New task: ${text}`,
  body: `Task #${taskId} was assigned to you, due tomorrow.`,
  leadId: 1_000_001,
  dedupeKey: `task:${taskId}:assigned:${userId}`,
});

describe('notifications to Kommo users', () => {
  it('a burst of 100 task assignments is one email to the responsible user, and a repeated trigger never sends again', async () => {
    const { accountId, agent } = await setup();
    for (let i = 1; i <= 100; i++)
      world.m.notifications.services.notifier.notify(taskAssigned(accountId, agent.id, i, i === 7 ? 'Quote <b>urgent</b> & "soon"' : undefined));
    for (let i = 1; i <= 10; i++) world.m.notifications.services.notifier.notify(taskAssigned(accountId, agent.id, i)); // webhook retries
    await world.drain();
    expect(world.smtp.messages).toHaveLength(0); // still inside the batch window
    expect(world.activity('notification.task_assigned')).toHaveLength(100);

    await world.later(WINDOW + 1);
    expect(world.smtp.delivered()).toHaveLength(1);
    const msg = world.smtp.messages[0]!;
    expect(msg.to).toEqual([agent.email.toLowerCase()]);
    const mail = await msg.parsed();
    expect(mail.subject).toMatch(/^100 new notifications/);
    for (const i of [1, 50, 100]) expect(mail.text).toContain(`Task #${i} was assigned to you`);
    expect(mail.text).toContain('Quote <b>urgent</b> & "soon"'); // text part: as written
    expect(mail.html).toContain('Quote &lt;b&gt;urgent&lt;/b&gt; &amp; &quot;soon&quot;'); // html part: escaped
    expect(mail.html).not.toContain('<b>urgent</b>');

    // The same triggers again, later: exactly once per dedupe key.
    for (let i = 1; i <= 100; i++) world.m.notifications.services.notifier.notify(taskAssigned(accountId, agent.id, i));
    await world.later(WINDOW + 1);
    expect(world.smtp.messages).toHaveLength(1);
    expect(world.activity('notification.task_assigned')).toHaveLength(100);
  });

  it('a single task is announced on its own within about a minute', async () => {
    const { accountId, agent } = await setup();
    world.m.notifications.services.notifier.notify(taskAssigned(accountId, agent.id, 42));
    await world.later(WINDOW - 5_000);
    expect(world.smtp.messages).toHaveLength(0);
    await world.later(5_001);
    expect(world.smtp.delivered()).toHaveLength(1);
    const mail = await world.smtp.messages[0]!.parsed();
    expect(mail.subject).toBe('New task: Call the client about offer 42');
    expect(mail.text).toContain('Task #42 was assigned to you');
    expect(mail.text).toContain('(lead #1000001)');
    // The footer links to the widget's Notifications screen on the account's own Kommo host.
    const host = world.p.sqlite.prepare('SELECT host FROM accounts WHERE id = ?').pluck().get(accountId) as string;
    const prefsUrl = `http://${host}/settings/widgets/kai_agent/?kai_tab=notifications`;
    expect(mail.text).toContain(prefsUrl);
    expect(mail.html).toContain(`<a href="${prefsUrl}">Notifications</a>`);
  });

  it('a user who opted out gets no email (the activity entry stays), and others still do', async () => {
    const { accountId, admin, agent } = await setup();
    const res = await world.app.request('/api/mail/notifications', {
      method: 'PUT',
      headers: { ...authHeaders(accountId, { userId: agent.id }), 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enabled: false });
    const mine = await world.app.request('/api/mail/notifications', { headers: authHeaders(accountId, { userId: agent.id }) });
    expect(await mine.json()).toMatchObject({ enabled: false, kinds: { task_assigned: true } });

    world.m.notifications.services.notifier.notify(taskAssigned(accountId, agent.id, 1));
    world.m.notifications.services.notifier.notify(taskAssigned(accountId, admin.id, 2));
    await world.later(WINDOW + 1);
    expect(world.smtp.messages.map((m) => m.to)).toEqual([[admin.email.toLowerCase()]]);
    const skipped = world.p.sqlite.prepare('SELECT status, skip_reason FROM mail_notifications WHERE user_id = ?').get(agent.id) as any;
    expect(skipped).toEqual({ status: 'skipped', skip_reason: 'the user turned notification emails off' });
    expect(world.activity('notification.task_assigned')).toHaveLength(2);
  });

  it('a user who muted one kind gets the other kinds, and an admin who muted a kind is left out of that email', async () => {
    const { accountId, admin, agent } = await setup();
    const prefs = async (userId: number, body?: unknown) => {
      const res = await world.app.request('/api/mail/notifications', {
        method: body ? 'PUT' : 'GET',
        headers: { ...authHeaders(accountId, { userId }), 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await prefs(agent.id)).body).toEqual({
      enabled: true,
      kinds: {
        task_assigned: true,
        agent_handoff: true,
        agent_error: true,
        reauth_required: true,
        rule_notice: true,
        llm_budget_exhausted: true,
        llm_unavailable: true,
      },
    });
    const muted = await prefs(agent.id, { enabled: true, kinds: { task_assigned: false } });
    expect(muted.body.kinds).toMatchObject({ task_assigned: false, agent_handoff: true });
    // Naming one kind leaves the others as they were; an unknown kind is refused.
    expect((await prefs(agent.id, { enabled: true, kinds: { rule_notice: false } })).body.kinds).toMatchObject({ task_assigned: false, rule_notice: false });
    expect((await prefs(agent.id, { enabled: true, kinds: { rule_notice: true } })).body.kinds).toMatchObject({ task_assigned: false, rule_notice: true });
    expect((await prefs(agent.id, { enabled: true, kinds: { spam: false } })).status).toBe(422);

    const notify = world.m.notifications.services.notifier.notify;
    notify(taskAssigned(accountId, agent.id, 1));
    notify({ accountId, userId: agent.id, kind: 'agent_handoff', title: 'A client asks for a person', body: 'Lead 1 needs you.', dedupeKey: 'handoff:1' });
    await world.later(WINDOW + 1);
    expect(world.smtp.messages).toHaveLength(1);
    const mail = await world.smtp.messages[0]!.parsed();
    expect(mail.subject).toBe('A client asks for a person');
    expect(mail.text).not.toContain('Task #1');
    const rows = world.p.sqlite.prepare('SELECT kind, status, skip_reason AS reason FROM mail_notifications WHERE user_id = ? ORDER BY id').all(agent.id);
    expect(rows).toEqual([
      { kind: 'task_assigned', status: 'skipped', reason: 'the user turned this kind of notification email off' },
      { kind: 'agent_handoff', status: 'batched', reason: null },
    ]);

    // Admins (userId null): the one who muted reauth notices gets none of them; the other gets it.
    const otherAdmin = [...world.sim.state.users.values()].find((u) => u.id !== admin.id && u.id !== agent.id)!;
    world.p.sqlite.prepare('UPDATE kommo_users SET is_admin = 1 WHERE account_id = ? AND id = ?').run(accountId, otherAdmin.id);
    await prefs(admin.id, { enabled: true, kinds: { reauth_required: false } });
    world.p.bus.emit('account.reauth_required', { accountId, reason: 'refresh token revoked' });
    await world.later(WINDOW + 1);
    expect(world.smtp.messages.slice(1).map((m) => m.to)).toEqual([[otherAdmin.email.toLowerCase()]]);
  });

  it('tells the admins when the Kommo connection needs re-authorization (bus event)', async () => {
    const { accountId, admin } = await setup();
    world.p.bus.emit('account.reauth_required', { accountId, reason: 'refresh token revoked' });
    world.p.bus.emit('account.reauth_required', { accountId, reason: 'refresh token revoked' });
    await world.later(WINDOW + 1);
    expect(world.smtp.messages).toHaveLength(1);
    expect(world.smtp.messages[0]!.to).toEqual([admin.email.toLowerCase()]);
    const mail = await world.smtp.messages[0]!.parsed();
    expect(mail.subject).toBe('The Kommo connection needs to be renewed');
    expect(mail.text).toContain('refresh token revoked');
    expect(world.activity('notification.reauth_required')).toHaveLength(1);
  });
});
