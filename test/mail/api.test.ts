import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtp } from '../helpers/mail-servers.js';
import { authHeaders } from '../helpers/tokens.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;
let own: TestSmtp | undefined;
afterEach(async () => {
  await own?.close();
  own = undefined;
  await world?.stop();
});

const call = async (accountId: number, method: string, path: string, body?: unknown) => {
  const res = await world.app.request(path, {
    method,
    headers: { ...authHeaders(accountId), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
};

/** A problem body without its random request id (a UUID can hold any digits, such as an SMTP code). */
const withoutRequestId = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;

describe('mail settings and the test email', () => {
  it("keeps mailbox passwords encrypted and never returns them; the test email goes to the user's own address and reports only a category", async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    const [admin] = [...world.sim.state.users.values()];
    own = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
    const smtp = { host: '127.0.0.1', port: own.port, secure: false, user: 'sales@company.test' };
    const put = await call(accountId, 'PUT', '/api/mail/settings', {
      smtp: { ...smtp, password: 'smtp-secret' },
      fromName: 'Acme Sales',
      fromAddress: 'Sales@Company.test',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      smtp: { ...smtp, passwordSet: true },
      imap: null,
      fromName: 'Acme Sales',
      fromAddress: 'sales@company.test',
      notifications: { enabled: true },
    });
    const get = await call(accountId, 'GET', '/api/mail/settings');
    expect(get.body).toEqual(put.body);
    expect(JSON.stringify(get.body)).not.toContain('smtp-secret');
    const stored = world.p.sqlite.prepare('SELECT smtp FROM mail_settings WHERE account_id = ?').get(accountId) as { smtp: string };
    expect(stored.smtp).not.toContain('smtp-secret');
    expect(world.p.encryptor.decrypt(JSON.parse(stored.smtp).passwordEnc)).toBe('smtp-secret');

    const test = (body: unknown = {}) => world.api('POST', '/api/mail/test', body, { userId: admin!.id });
    const ok = await test();
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, to: admin!.email.toLowerCase(), via: 'account', from: 'sales@company.test', messageId: expect.any(String) });
    expect(own.delivered().map((m) => m.to)).toEqual([[admin!.email.toLowerCase()]]);
    expect(world.smtp.messages).toHaveLength(0); // the account's mailbox, not the system one
    expect((await own.delivered()[0]!.parsed()).subject).toBe('AI Agent: test email');
    // It is written in the account's language (here the admin's override).
    expect((await call(accountId, 'PUT', '/api/account/language', { override: 'ru' })).status).toBe(200);
    expect((await test()).status).toBe(200);
    const ru = await own.delivered()[1]!.parsed();
    expect(ru.subject).toBe('ИИ-агент: тестовое письмо');
    expect(ru.text).toContain('через ваш почтовый ящик');
    await call(accountId, 'PUT', '/api/account/language', { override: null });

    // A recipient in the body is refused, never used.
    const elsewhere = await test({ to: 'victim@elsewhere.test' });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    expect(own.messages).toHaveLength(2);

    // The server's own words are not reflected: a category and a generic text.
    own.refuse('rcpt', 550, '5.7.1 Relaying denied by banner-host.internal');
    const refused = await test();
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ code: 'UPSTREAM_FAILED', hint: 'rejected', via: 'account' });
    expect(JSON.stringify(withoutRequestId(refused.body))).not.toMatch(/Relaying|banner-host|5\.7\.1|550/);

    // Saving without a password keeps the stored one; a wrong one is reported as a category.
    expect((await call(accountId, 'PUT', '/api/mail/settings', { smtp, fromAddress: 'sales@company.test' })).status).toBe(200);
    expect((await test()).status).toBe(200);
    await call(accountId, 'PUT', '/api/mail/settings', { smtp: { ...smtp, password: 'wrong' }, fromAddress: 'sales@company.test' });
    const denied = await test();
    expect(denied.status).toBe(502);
    expect(denied.body.hint).toBe('auth');
    expect(JSON.stringify(withoutRequestId(denied.body))).not.toMatch(/wrong|535|Authentication failed/);
    const newServer = await call(accountId, 'PUT', '/api/mail/settings', { smtp: { ...smtp, host: 'mail.example.org' }, fromAddress: 'sales@company.test' });
    expect(newServer.status).toBe(422);
    expect(newServer.body.errors).toEqual([expect.objectContaining({ field: 'smtp.password' })]);

    // A user without an email address in Kommo gets a clear 409, and nothing is sent.
    world.p.sqlite.prepare('UPDATE kommo_users SET email = NULL WHERE account_id = ? AND id = ?').run(accountId, admin!.id);
    const nowhere = await test();
    expect(nowhere.status).toBe(409);
    expect(nowhere.body.reason).toBe('no_user_email');
    expect(world.activity('email.refused').map((a) => JSON.parse(a.metadata).reason)).toEqual(['no_user_email']);
  });
});

describe('bad addresses and header injection', () => {
  it('are refused with a 422 naming the field, at the API and in the outbox writer, and nothing is queued or sent', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const send = (patch: Record<string, unknown>) =>
      call(accountId, 'POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject: 'Hello', text: 'Body', ...patch });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ to: ['not-an-address'] }, 'to.0', /not a valid email address/],
      [{ to: [`${email}\r\nBcc: victim@evil.test`] }, 'to.0', /line breaks/],
      [{ to: [`${email}, victim@evil.test`] }, 'to.0', /not a valid email address/],
      [{ cc: ['ok@client.test', 'x@client.test\nBcc: victim@evil.test'] }, 'cc.1', /line breaks/],
      [{ subject: 'Hello\r\nBcc: victim@evil.test' }, 'subject', /line breaks/],
      [{ subject: 'Hello\nX-Injected: 1' }, 'subject', /line breaks/],
      [{ inReplyTo: '<a@client.test>\r\nBcc: victim@evil.test' }, 'inReplyTo', /line breaks/],
    ];
    for (const [patch, field, message] of cases) {
      const res = await send(patch);
      expect(res.status, JSON.stringify(patch)).toBe(422);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
      expect(res.body.detail).toContain(field);
    }
    const name = await call(accountId, 'PUT', '/api/mail/settings', { smtp: null, fromName: 'Acme\r\nBcc: victim@evil.test' });
    expect(name.status).toBe(422);
    expect(name.body.errors[0].field).toBe('fromName');

    // The writer checks again: the agent pipeline and rules call it directly.
    const base = { accountId, leadId: lead.id, to: [email], subject: 'Hi', text: 'x', idempotencyKey: 'w' };
    const writerCases: Array<[Partial<typeof base> & { references?: string[] }, string]> = [
      [{ subject: 'Hi\r\nBcc: victim@evil.test' }, 'subject'],
      [{ to: ['bad@@client.test'] }, 'to.0'],
      [{ references: ['<a@b.test>\nBcc: victim@evil.test'] }, 'references.0'],
    ];
    for (const [patch, field] of writerCases) {
      let error: any;
      try {
        world.m.mail.services.clientMail.queue({ ...base, ...patch });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
      expect(error.extra.errors).toEqual([expect.objectContaining({ field })]);
    }
    await world.drain();
    expect(world.p.sqlite.prepare('SELECT count(*) n FROM mail_outbox').get()).toEqual({ n: 0 });
    expect(world.mailbox.messages).toHaveLength(0);

    const good = await send({ idempotencyKey: 'ui-1' });
    expect(good.status).toBe(202);
    expect(good.body).toMatchObject({ status: 'queued', to: [email] });
    await world.drain();
    expect(world.mailbox.delivered()).toHaveLength(1);
  });
});

describe('email templates', () => {
  it('render with HTML-escaped values, a one-line subject and always a text part, and send through the outbox', async () => {
    world = await startMailWorld();
    const accountId = await world.install();
    const { lead, email } = world.leadWithContact();
    const created = await call(accountId, 'POST', '/api/mail/templates', {
      name: 'Quote',
      subject: 'Quote for {{ lead.name }}',
      html: '<p>Hello {{contact.name}},</p><p>Your price: {{lead.price}}</p>',
    });
    expect(created.status).toBe(201);
    expect((await call(accountId, 'POST', '/api/mail/templates', { name: 'Quote', subject: 's', text: 't' })).status).toBe(409);
    expect((await call(accountId, 'POST', '/api/mail/templates', { name: 'Empty', subject: 's' })).status).toBe(422);
    const variables = { 'contact.name': '<script>alert(1)</script> & Co', 'lead.name': 'ACME\r\nBcc: victim@evil.test', 'lead.price': 100 };
    const preview = await call(accountId, 'POST', `/api/mail/templates/${created.body.id}/preview`, { variables });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('Quote for ACME Bcc: victim@evil.test');
    expect(preview.body.html).toBe('<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co,</p><p>Your price: 100</p>');
    expect(preview.body.text).toBe('Hello <script>alert(1)</script> & Co,\nYour price: 100');

    const queued = await call(accountId, 'POST', '/api/mail/outbox', { leadId: lead.id, to: [email], templateId: created.body.id, variables });
    expect(queued.status).toBe(202);
    await world.drain();
    const mail = await world.mailbox.messages[0]!.parsed();
    expect(mail.subject).toBe('Quote for ACME Bcc: victim@evil.test');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(world.mailbox.messages[0]!.to).toEqual([email]);
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.text).toContain('Your price: 100');

    const list = await call(accountId, 'GET', '/api/mail/templates');
    expect(list.body.items.map((t: any) => t.name)).toEqual(['Quote']);
    expect((await call(accountId, 'DELETE', `/api/mail/templates/${created.body.id}`)).status).toBe(204);
    expect((await call(accountId, 'GET', `/api/mail/templates/${created.body.id}`)).status).toBe(404);
    expect((await call(accountId + 1, 'GET', '/api/mail/templates')).body.items).toEqual([]);
  });
});
