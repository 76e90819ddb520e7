/**
 * Follow-up sequences against the real app, the Kommo simulator and a real SMTP server on loopback,
 * with a clock the test moves over simulated days.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dpRequest, FORM_HEADERS, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { startSmtpServer } from '../helpers/mail-servers.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
afterEach(async () => {
  await w?.stop();
  await smtp?.close();
  smtp = undefined;
});

const DAY = 86_400_000;
/** 2026-12-02 15:00 UTC is 12:00 in São Paulo, the simulator account's time zone. */
const NOON_SAO_PAULO = Date.UTC(2026, 11, 2, 15, 0);

async function world() {
  w = await startWorld({ seed: { leads: 10, contacts: 10, users: 3 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50', MAIL_ALLOW_PRIVATE_HOSTS: '1' } });
  w.clock.setNow(NOON_SAO_PAULO);
  w.sim.tick(0);
  const sales = [...w.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => sales._embedded.statuses.find((s) => s.name === name)!.id;
  // Leads in "Qualified", each with a main contact that has an email address.
  const contacts = [...w.sim.state.contacts.values()];
  const emailField = contacts.flatMap((c) => c.custom_fields_values ?? []).find((f) => f.field_code === 'EMAIL')!;
  const leads = [...w.sim.state.leads.values()].filter((l) => l.status_id !== 142 && l.status_id !== 143).slice(0, 6);
  for (const [i, l] of leads.entries()) {
    const c = contacts[i]!;
    w.sim.updateContact(c.id, { custom_fields_values: [{ ...emailField, values: [{ value: `client${i}@example.com`, enum_code: 'WORK' }] }] });
    w.sim.updateLead(l.id, { pipeline_id: sales.id, status_id: stage('Qualified'), _embedded: { ...l._embedded, contacts: [{ id: c.id, is_main: true }] } });
  }
  await w.installAndSync();
  smtp = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
  const put = await w.api('PUT', '/api/mail/settings', {
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'sales@company.test', password: 'smtp-secret' },
    fromName: 'Acme Sales',
    fromAddress: 'sales@company.test',
  });
  if (put.status !== 200) throw new Error(`mail settings: ${put.status} ${JSON.stringify(put.body)}`);
  const tpl = await w.api('POST', '/api/mail/templates', {
    name: 'Follow-up',
    subject: 'About {{lead.name}}',
    text: 'Hello {{contact.first_name}}, any news?',
  });
  if (tpl.status !== 201) throw new Error(`template: ${tpl.status} ${JSON.stringify(tpl.body)}`);
  const sequence = async (definition: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const r = await w.api('POST', '/api/sequences', { name: 'Nurture', definition, ...extra });
    if (r.status !== 201) throw new Error(`sequence: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: number };
  };
  const enroll = async (sequenceId: number, leadId: number) => {
    const r = await w.api('POST', `/api/leads/${leadId}/enrollments`, { sequenceId });
    if (r.status !== 201) throw new Error(`enroll: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: number; status: string };
  };
  const enrollment = (id: number) => w.p.sqlite.prepare('SELECT * FROM sequence_enrollments WHERE id = ?').get(id) as Record<string, any>;
  const sent = () => smtp!.delivered();
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  const moved = async (leadId: number, statusId: number, oldStatusId: number) => {
    w.sim.tick(1);
    const lead = w.sim.updateLead(leadId, { status_id: statusId });
    const body = leadStatusWebhook(
      { id: leadId, status_id: statusId, old_status_id: oldStatusId, pipeline_id: sales.id, last_modified: lead.updated_at },
      { id: w.accountId, subdomain: w.sim.subdomain },
    );
    const res = await w.app.request(`/webhooks/kommo/${secret}`, { method: 'POST', headers: FORM_HEADERS, body });
    if (res.status !== 200) throw new Error(`webhook: ${res.status}`);
  };
  /** The client writes in a messenger: stored and announced as the webhook handler does. */
  const clientWrites = (leadId: number, text: string, channel = 'telegram') =>
    w.p.tx(() => {
      const id = w.m.conversations.services.conversations.insertMessage({
        accountId: w.accountId,
        leadId,
        contactId: null,
        direction: 'inbound',
        author: 'client',
        channel,
        externalId: `c-${leadId}-${text}`,
        text,
      })!;
      w.p.bus.emit('message_received', { accountId: w.accountId, leadId, contactId: null, messageIds: [id], channel, eventKey: `msg:${id}` });
    });
  return { sales, stage, leads: leads.map((l) => l.id), templateId: tpl.body.id as number, sequence, enroll, enrollment, sent, moved, clientWrites };
}

const threeEmails = (templateId: number) => ({
  steps: [
    { type: 'send_email', templateId },
    { type: 'wait', amount: 1, unit: 'days' },
    { type: 'send_email', templateId },
    { type: 'wait', amount: 2, unit: 'days' },
    { type: 'send_email', templateId },
  ],
  sendWindow: { quietHours: null },
});

describe('sequences', () => {
  it('a 3-step sequence over simulated days sends exactly 3 emails, each with an unsubscribe link, then completes', async () => {
    const t = await world();
    const s = await t.sequence(threeEmails(t.templateId));
    const e = await t.enroll(s.id, t.leads[0]!);
    await w.drain();
    expect(t.sent()).toHaveLength(1);
    await w.later(DAY / 2);
    expect(t.sent()).toHaveLength(1); // still waiting
    await w.later(DAY / 2);
    expect(t.sent()).toHaveLength(2);
    await w.later(DAY);
    expect(t.sent()).toHaveLength(2);
    await w.later(DAY);
    expect(t.sent()).toHaveLength(3);
    await w.later(10 * DAY);
    expect(t.sent()).toHaveLength(3);
    expect(t.enrollment(e.id)).toMatchObject({ status: 'completed', step: 5 });
    const mail = await t.sent()[0]!.parsed();
    expect(mail.to).toMatchObject({ text: 'client0@example.com' });
    expect(mail.text).toMatch(/Hello .*, any news\?/);
    const link = /(http\S+\/unsubscribe\/\S+)/.exec(mail.text ?? '')![1]!;
    expect(new URL(link).pathname).toMatch(/^\/unsubscribe\//);
    // Each email is recorded in the lead as a note (the outbox's job), and the activity tells the story.
    expect(w.activity('sequence.enrolled')).toHaveLength(1);
    expect(w.activity('sequence.completed')).toHaveLength(1);
    const list = await w.api('GET', '/api/sequences');
    expect(list.body.items[0].stats).toEqual({ enrolled: 1, active: 0, stoppedByReply: 0, stopped: 0, completed: 1 });
    // Every step has its run in the history; a wait that follows a step is settled with it, not by a job of its own.
    const runs = w.p.sqlite.prepare('SELECT step, status FROM sequence_step_runs WHERE enrollment_id = ? ORDER BY step').all(e.id);
    expect(runs).toEqual([0, 1, 2, 3, 4].map((step) => ({ step, status: 'done' })));
    expect(w.count("SELECT count(*) AS n FROM jobs WHERE queue = 'sequences.step'")).toBe(3);
  });

  it('stops when the client replies between step 1 and step 2', async () => {
    const t = await world();
    const s = await t.sequence(threeEmails(t.templateId));
    const e = await t.enroll(s.id, t.leads[1]!);
    await w.drain();
    expect(t.sent()).toHaveLength(1);
    await w.later(DAY / 3);
    t.clientWrites(t.leads[1]!, 'Yes, let us talk');
    expect(t.enrollment(e.id)).toMatchObject({ status: 'stopped', stop_reason: 'client_replied' });
    await w.later(5 * DAY);
    expect(t.sent()).toHaveLength(1);
    expect(w.activity('sequence.stopped').map((a) => a.title)).toEqual(['Sequence "Nurture" stopped: the client replied (telegram)']);
    const list = await w.api('GET', '/api/sequences');
    expect(list.body.items[0].stats).toMatchObject({ enrolled: 1, active: 0, stoppedByReply: 1 });
  });

  it('the WhatsApp 24-hour window: past it, an agent follow-up runs the approved-template Salesbot, or is skipped with an activity entry', async () => {
    const t = await world();
    const [withBot, withoutBot] = [t.leads[2]!, t.leads[3]!];
    // Both clients last wrote on WhatsApp two days ago; the enrollments start now.
    t.clientWrites(withBot, 'Thanks, I will think about it', 'com.amocrm.amocrmwa');
    t.clientWrites(withoutBot, 'Thanks, I will think about it', 'com.amocrm.amocrmwa');
    await w.later(2 * DAY);
    const bot = w.sim.addSalesbot({ name: 'Approved WhatsApp template', widgetRequest: { url: `${w.sim.baseUrl}/template-only`, data: {} } });
    const quiet = { quietHours: null };
    const viaTemplate = await t.sequence({ steps: [{ type: 'agent_followup', outsideWindowBotId: bot.id }], sendWindow: quiet });
    const plain = await t.sequence({ steps: [{ type: 'agent_followup' }], sendWindow: quiet });
    const a = await t.enroll(viaTemplate.id, withBot);
    const b = await t.enroll(plain.id, withoutBot);
    await w.drain();
    expect(w.sim.state.chats.launches.map((l) => ({ botId: l.botId, leadId: l.leadId }))).toEqual([{ botId: bot.id, leadId: withBot }]);
    expect(t.enrollment(a.id).status).toBe('completed');
    expect(t.enrollment(b.id).status).toBe('completed');
    expect(w.activity('sequence.step_skipped').map((x) => x.title)).toEqual([
      'Sequence "Nurture", step 1: outside the WhatsApp 24-hour window and no approved-template Salesbot is set for this step',
    ]);
  });

  it('quiet hours defer a client-facing step to the morning, in the account time zone', async () => {
    const t = await world();
    w.clock.setNow(Date.UTC(2026, 11, 3, 1, 0)); // 22:00 in São Paulo
    const s = await t.sequence({ steps: [{ type: 'send_email', templateId: t.templateId }], sendWindow: { quietHours: { from: '21:00', to: '08:00' } } });
    const e = await t.enroll(s.id, t.leads[2]!);
    await w.drain();
    expect(t.sent()).toHaveLength(0);
    expect(t.enrollment(e.id).next_run_at).toBe(Date.UTC(2026, 11, 3, 11, 0)); // 08:00 in São Paulo
    expect(w.activity('sequence.deferred')[0].title).toBe('Sequence "Nurture", step 1 deferred to 2026-12-03 08:00 (America/Sao_Paulo): quiet hours');
    await w.later(9 * 3_600_000); // 07:00 local
    expect(t.sent()).toHaveLength(0);
    await w.later(3_600_000); // 08:00 local
    expect(t.sent()).toHaveLength(1);
    expect(t.enrollment(e.id).status).toBe('completed');
  });

  it('working hours only: a step due on Saturday waits for Monday 9:00', async () => {
    const t = await world();
    w.clock.setNow(Date.UTC(2026, 11, 5, 15, 0)); // Saturday 12:00 in São Paulo
    const s = await t.sequence({ steps: [{ type: 'send_email', templateId: t.templateId }], sendWindow: { workingHoursOnly: true, quietHours: null } });
    const e = await t.enroll(s.id, t.leads[2]!);
    await w.drain();
    expect(t.enrollment(e.id).next_run_at).toBe(Date.UTC(2026, 11, 7, 12, 0)); // Monday 09:00 in São Paulo
    expect(w.activity('sequence.deferred')[0].title).toContain('outside working hours');
  });

  it('pause keeps the remaining wait, resume continues, stop ends it; all from the lead card API', async () => {
    const t = await world();
    const s = await t.sequence(threeEmails(t.templateId));
    const e = await t.enroll(s.id, t.leads[3]!);
    await w.drain();
    await w.later(DAY / 4); // 18 h of the day's wait left
    const paused = await w.api('POST', `/api/enrollments/${e.id}/pause`);
    expect(paused.body).toMatchObject({ status: 'paused', step: 2 });
    await w.later(3 * DAY);
    expect(t.sent()).toHaveLength(1);
    const resumed = await w.api('POST', `/api/enrollments/${e.id}/resume`);
    expect(resumed.body.status).toBe('active');
    expect(Math.abs(t.enrollment(e.id).next_run_at - (w.clock.now() + (3 * DAY) / 4))).toBeLessThan(5000); // the clock runs in real time too
    await w.later((3 * DAY) / 4);
    expect(t.sent()).toHaveLength(2);
    const again = await w.api('POST', `/api/enrollments/${e.id}/resume`);
    expect(again.status).toBe(409);
    const stopped = await w.api('POST', `/api/enrollments/${e.id}/stop`);
    expect(stopped.body).toMatchObject({ status: 'stopped', stopReason: 'stopped_by_user' });
    await w.later(5 * DAY);
    expect(t.sent()).toHaveLength(2);
    const card = await w.api('GET', `/api/leads/${t.leads[3]}/enrollments`);
    expect(card.body.items[0]).toMatchObject({ id: e.id, sequenceName: 'Nurture', status: 'stopped' });
    expect(card.body.items[0].history.map((h: { status: string }) => h.status)).toEqual(['done', 'done', 'done', 'done']); // email, wait, email, and the second wait begun
    // A second live enrollment in the same sequence is refused, with the reason.
    const s2 = await t.enroll(s.id, t.leads[3]!);
    expect(s2.status).toBe('active');
    const dup = await w.api('POST', `/api/leads/${t.leads[3]}/enrollments`, { sequenceId: s.id });
    expect(dup).toMatchObject({ status: 409, body: { detail: expect.stringContaining('already in sequence "Nurture"') } });
  });

  it('the unsubscribe link asks first, then stops the sequence and skips later emails to that address', async () => {
    const t = await world();
    const s = await t.sequence(threeEmails(t.templateId));
    const e = await t.enroll(s.id, t.leads[4]!);
    await w.drain();
    const mail = await t.sent()[0]!.parsed();
    const link = new URL(/(http\S+\/unsubscribe\/\S+)/.exec(mail.text ?? '')![1]!);
    const page = await w.app.request(link.pathname, { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('¿Dejar de enviar correos de seguimiento a client4@example.com?');
    expect(t.enrollment(e.id).status).toBe('active'); // a mail scanner following the link changes nothing
    const forged = await w.app.request(`${link.pathname.slice(0, -3)}AAA`, { method: 'POST' });
    expect(forged.status).toBe(404);
    const done = await w.app.request(link.pathname, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(t.enrollment(e.id)).toMatchObject({ status: 'stopped', stop_reason: 'unsubscribed' });
    // Enrolled again later (say by a rule), the email step is skipped for that address.
    const again = await t.enroll(s.id, t.leads[4]!);
    await w.drain();
    expect(t.sent()).toHaveLength(1);
    expect(w.activity('sequence.step_skipped').map((a) => a.title)).toEqual([expect.stringContaining('client4@example.com unsubscribed')]);
    expect(t.enrollment(again.id)).toMatchObject({ status: 'active', step: 2 }); // past the skipped email and into the wait
  });

  it('its own move_stage step does not stop it; a manager moving the lead does', async () => {
    const t = await world();
    const [qualified, proposal, negotiation] = [t.stage('Qualified'), t.stage('Proposal sent'), t.stage('Negotiation')];
    const s = await t.sequence({
      steps: [
        { type: 'move_stage', pipelineId: t.sales.id, statusId: proposal },
        { type: 'add_note', text: 'Proposal follow-up started' },
        { type: 'wait', amount: 2, unit: 'hours' },
        { type: 'create_task', text: 'Call about the proposal', dueInHours: 4 },
      ],
    });
    const leadId = t.leads[5]!;
    const e = await t.enroll(s.id, leadId);
    await w.drain();
    expect(w.sim.state.leads.get(leadId)!.status_id).toBe(proposal);
    // Kommo's webhook for our own move arrives: the enrollment knows that stage, it goes on.
    await t.moved(leadId, proposal, qualified);
    await w.drain();
    expect(t.enrollment(e.id)).toMatchObject({ status: 'active', step: 3 });
    expect(w.activity('sequence.action').map((a) => a.title)).toEqual([
      expect.stringContaining('Sequence action: Move'),
      'Sequence action: Note: Proposal follow-up started',
    ]);
    await t.moved(leadId, negotiation, proposal);
    await w.drain();
    expect(t.enrollment(e.id)).toMatchObject({ status: 'stopped', stop_reason: 'stage_changed' });
    await w.later(3 * 3_600_000);
    expect([...w.sim.state.tasks.values()].filter((x) => x.entity_id === leadId && x.text === 'Call about the proposal')).toHaveLength(0);
  });

  it('refuses a definition that names a stage or template that does not exist, naming the field', async () => {
    const t = await world();
    const r = await w.api('POST', '/api/sequences', {
      name: 'Broken',
      definition: {
        steps: [
          { type: 'send_email', templateId: 9999 },
          { type: 'move_stage', pipelineId: t.sales.id, statusId: 1 },
        ],
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((x: { field: string }) => x.field)).toEqual(['definition.steps.0.templateId', 'definition.steps.1']);
    const bad = await w.api('POST', '/api/sequences', { name: 'x', definition: { steps: [{ type: 'wait', amount: 0, unit: 'weeks' }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((x: { field: string }) => x.field)).toContain('definition.steps.0.amount');
    const member = await w.api('POST', '/api/sequences', { name: 'x', definition: threeEmails(t.templateId) }, { isAdmin: false });
    expect(member.status).toBe(403);
  });

  it('a Digital Pipeline action with a sequence enrolls the lead that reaches the stage, once, even when Kommo re-sends it', async () => {
    const t = await world();
    const s = await t.sequence(threeEmails(t.templateId));
    const token = (await w.api('GET', '/api/integrations/dp-token')).body.token as string;
    const leadId = t.leads[0]!;
    const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
    const acct = { id: w.accountId, subdomain: w.sim.subdomain };
    const settings = { sequence_id: String(s.id), kai_dp_token: token };
    for (const time of [1_700_000_000, 1_700_000_001]) {
      const dp = dpRequest({ lead_id: leadId, status_id: t.stage('Qualified'), pipeline_id: t.sales.id, time, settings }, 'json', acct);
      const res = await w.app.request(`/webhooks/dp/${secret}`, { method: 'POST', body: dp.body, headers: { 'content-type': dp.contentType } });
      expect(res.status).toBe(200);
    }
    await w.drain();
    const card = await w.api('GET', `/api/leads/${leadId}/enrollments`);
    expect(card.body.items).toEqual([expect.objectContaining({ sequenceId: s.id, status: 'active' })]);
    expect(t.enrollment(card.body.items[0].id)).toMatchObject({ enrolled_by: 'dp', status_id: t.stage('Qualified') });
    expect(t.sent()).toHaveLength(1);
    // The DP action named a sequence and no agent: no agent turn is started for it.
    expect(w.count('SELECT count(*) AS n FROM jobs WHERE queue = ?', 'agents.turn')).toBe(0);
  });
});
