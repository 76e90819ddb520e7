/**
 * The operator's SMTP is not an open relay, and an account's mailbox is not a bulk mailer: client email needs
 * the account's own mailbox, goes to the lead's contacts (unless an admin writes), and stays within the
 * account's daily recipient cap and per-minute rate. Every refusal is a 4xx and an activity entry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
afterEach(async () => world?.stop());

const refusals = () => world.activity('email.refused').map((a) => JSON.parse(a.metadata).reason as string);

describe('client email needs the account mailbox', () => {
  it('a tenant with no mailbox cannot send client mail through the system SMTP: nothing reaches the SMTP server', async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();

    // The widget API: a clear 409 saying what is missing, and an activity entry.
    const api = await world.api('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject: 'Offer', html: '<p>Buy now</p>' });
    expect(api.status).toBe(409);
    expect(api.body).toMatchObject({ code: 'CONFLICT', reason: 'no_mailbox' });
    expect(api.body.detail).toMatch(/own mailbox/);
    expect(refusals()).toEqual(['no_mailbox']);

    // The agents' port: NOT_CONFIGURED (the agent drafts instead), no system fallback.
    expect(() =>
      world.m.mail.services.clientMail.queue({ accountId, leadId: lead.id, to: [email], subject: 'Re: hi', text: 'Hello', idempotencyKey: 'agent-1' }),
    ).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED' }));

    // An email queued while the mailbox existed, which was then removed, is not sent through the system either.
    const mailbox = { host: '127.0.0.1', port: 2525, secure: false, user: 'sales@company.test', password: 'pw' };
    expect((await world.api('PUT', '/api/mail/settings', { smtp: mailbox, fromAddress: 'sales@company.test' })).status).toBe(200);
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Quote',
      text: 'Q',
      idempotencyKey: 'q-1',
    });
    expect((await world.api('PUT', '/api/mail/settings', { smtp: null })).status).toBe(200);
    await world.drain();
    expect(world.outbox(outboxId)).toMatchObject({ status: 'failed' });
    expect(world.outbox(outboxId).last_error).toMatch(/own mailbox/);

    await world.later(60 * 60_000);
    expect(world.smtp.messages).toHaveLength(0);
    expect(world.count('SELECT count(*) n FROM mail_outbox WHERE status = ?', 'sent')).toBe(0);
  });
});

describe('recipients', () => {
  it("a salesperson writes only to the lead's contacts; an admin may write to any address", async () => {
    world = await startMailWorld();
    await world.install();
    const { lead, email } = world.leadWithContact();
    const [admin, rep] = [...world.sim.state.users.values()];
    const send = (to: string[], as: { userId: number; isAdmin: boolean }, cc?: string[]) =>
      world.api('POST', '/api/mail/outbox', { leadId: lead.id, to, ...(cc ? { cc } : {}), subject: 'Hello', text: 'Body' }, as);

    const stranger = await send([email, 'victim@elsewhere.test'], { userId: rep!.id, isAdmin: false });
    expect(stranger.status).toBe(422);
    expect(stranger.body).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'not_lead_contact' });
    expect(stranger.body.errors).toEqual([{ field: 'to.1', message: expect.stringMatching(/not an email address of this lead's contacts/) }]);
    const ccStranger = await send([email], { userId: rep!.id, isAdmin: false }, ['victim@elsewhere.test']);
    expect(ccStranger.status).toBe(422);
    expect(ccStranger.body.errors).toEqual([expect.objectContaining({ field: 'cc.0' })]);
    expect(refusals()).toEqual(['not_lead_contact', 'not_lead_contact']);

    expect((await send([email.toUpperCase()], { userId: rep!.id, isAdmin: false })).status).toBe(202);
    expect((await send(['partner@elsewhere.test'], { userId: admin!.id, isAdmin: true })).status).toBe(202);
    // Without a lead, only an admin may send (and to any address).
    const noLead = { leadId: null, to: ['partner@elsewhere.test'], subject: 'Hi', text: 'x' };
    expect((await world.api('POST', '/api/mail/outbox', noLead, { userId: rep!.id, isAdmin: false })).status).toBe(403);
    expect((await world.api('POST', '/api/mail/outbox', noLead, { userId: admin!.id, isAdmin: true })).status).toBe(202);
    await world.drain();
    expect(
      world.mailbox
        .delivered()
        .map((m) => m.to.join())
        .sort(),
    ).toEqual([email, 'partner@elsewhere.test', 'partner@elsewhere.test'].sort());
    expect(world.smtp.messages).toHaveLength(0);
  });

  it('notifications go only to Kommo users of the account, whichever transport carries them', async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    const [user] = [...world.sim.state.users.values()];
    const notify = (to: string) =>
      world.m.mail.services.writer.queue({ accountId, leadId: null, to: [to], subject: 'Note', text: 'x', idempotencyKey: `n:${to}`, kind: 'notification' });
    expect(() => notify('victim@elsewhere.test')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    notify(user!.email.toLowerCase());
    await world.drain();
    expect(world.smtp.delivered().map((m) => m.to)).toEqual([[user!.email.toLowerCase()]]);
  });
});

describe('daily cap and per-minute rate', () => {
  it('over the daily recipient cap a person gets a 429 and an activity entry; 24 hours later it goes again', async () => {
    world = await startMailWorld({ env: { MAIL_DAILY_RECIPIENT_CAP: '3', MAIL_RECIPIENTS_PER_MINUTE: '100' } });
    await world.install();
    const { lead, email } = world.leadWithContact();
    const send = (i: number) => world.api('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject: `Mail ${i}`, text: 'Body' });
    for (let i = 1; i <= 3; i++) expect((await send(i)).status).toBe(202);
    const over = await send(4);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'RATE_LIMITED', reason: 'daily_cap' });
    expect(over.body.detail).toMatch(/limit of 3 email recipients in 24 hours/);
    expect(refusals()).toEqual(['daily_cap']);
    expect(world.count("SELECT count(*) n FROM mail_outbox WHERE status = 'queued'")).toBe(3);

    await world.later(24 * 60 * 60_000 + 1);
    expect((await send(5)).status).toBe(202);
    await world.drain();
    expect(world.mailbox.delivered()).toHaveLength(4);
  });

  it('over the per-minute rate a person gets a 429; the agents are held at sending, without losing a mail', async () => {
    world = await startMailWorld({ env: { MAIL_DAILY_RECIPIENT_CAP: '100', MAIL_RECIPIENTS_PER_MINUTE: '2' } });
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const send = (i: number) => world.api('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject: `Mail ${i}`, text: 'Body' });
    expect((await send(1)).status).toBe(202);
    expect((await send(2)).status).toBe(202);
    const fast = await send(3);
    expect(fast.status).toBe(429);
    expect(fast.body).toMatchObject({ code: 'RATE_LIMITED', reason: 'per_minute' });
    expect(refusals()).toEqual(['per_minute']);
    await world.drain();
    expect(world.mailbox.delivered()).toHaveLength(2);

    // An agent's reply in the same minute is queued, and goes out when the minute allows.
    const { outboxId } = world.m.mail.services.clientMail.queue({
      accountId,
      leadId: lead.id,
      to: [email],
      subject: 'Re: x',
      text: 'Hi',
      idempotencyKey: 'a-1',
    });
    await world.drain();
    expect(world.outbox(outboxId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(world.mailbox.delivered()).toHaveLength(2);
    await world.later(61_000);
    expect(world.outbox(outboxId)).toMatchObject({ status: 'sent' });
    expect(world.mailbox.delivered()).toHaveLength(3);
  });

  it("an agent's reply over the daily cap is held (visible, with an activity entry) and can be retried once the cap allows", async () => {
    world = await startMailWorld({ env: { MAIL_DAILY_RECIPIENT_CAP: '1' } });
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const reply = (key: string) =>
      world.m.mail.services.clientMail.queue({ accountId, leadId: lead.id, to: [email], subject: 'Re: x', text: 'Hi', idempotencyKey: key }).outboxId;
    const first = reply('r-1');
    const held = reply('r-2');
    expect(world.outbox(held)).toMatchObject({ status: 'refused' });
    expect(world.outbox(held).last_error).toMatch(/limit of 1 email recipients/);
    expect(refusals()).toEqual(['daily_cap']);
    await world.drain();
    expect(world.outbox(first).status).toBe('sent');
    expect(world.mailbox.delivered()).toHaveLength(1);

    const early = await world.api('POST', `/api/mail/outbox/${held}/retry`);
    expect(early.status).toBe(429);
    await world.later(24 * 60 * 60_000 + 1);
    const retried = await world.api('POST', `/api/mail/outbox/${held}/retry`);
    expect(retried.status).toBe(202);
    await world.drain();
    expect(world.outbox(held).status).toBe('sent');
    expect(world.mailbox.delivered()).toHaveLength(2);
  });
});
