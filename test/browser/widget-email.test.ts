import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetHarness } from '../../scripts/widget/harness.js';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { bounceReport, startImapServer, startSmtpServer, type TestImap, type TestSmtp } from '../helpers/mail-servers.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

const MAILBOX = 'sales@company.test';
const SMTP_PASSWORD = 'smtp-secret';
const IMAP_PASSWORD = 'imap-secret';
/** How long a wait for the worker or the mailbox may take on a loaded machine (the default second is too short). */
const POLL_MS = 15_000;

describe('email screens against the real backend and real mail servers', () => {
  let w: RealWidgetWorld;
  let browser: Browser;
  let smtp: TestSmtp;
  let imap: TestImap;
  let repHarness: WidgetHarness;

  beforeAll(async () => {
    smtp = await startSmtpServer({ user: MAILBOX, password: SMTP_PASSWORD });
    imap = await startImapServer(MAILBOX, IMAP_PASSWORD);
    w = await startRealWidgetWorld({
      seed: { leads: 10, contacts: 5 },
      env: { MAIL_ALLOW_PRIVATE_HOSTS: '1', NOTIFY_BATCH_WINDOW_MS: '0' },
    });
    const rep = [...w.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    repHarness = await w.harnessFor(rep.id, { isAdmin: false });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    await smtp?.close();
    await imap?.stop();
  });

  /** An open lead whose main contact has an email address, from the simulator. */
  const leadWithEmail = () => {
    for (const lead of w.sim.state.leads.values()) {
      if (lead.status_id === 142 || lead.status_id === 143) continue;
      const contact = w.sim.state.contacts.get(lead._embedded?.contacts?.[0]?.id ?? -1);
      const email = contact?.custom_fields_values?.find((f) => f.field_code === 'EMAIL')?.values[0]?.value;
      if (typeof email === 'string') return { lead, email: email.toLowerCase() };
    }
    throw new Error('the seed has no open lead with a contact email');
  };
  const outboxRow = (subject: string) =>
    w.world.p.sqlite.prepare('SELECT id, status, last_error AS lastError FROM mail_outbox WHERE subject = ? ORDER BY id DESC').get(subject) as
      | { id: number; status: string; lastError: string | null }
      | undefined;

  /** The mailbox (a) sets up through the UI, saved through the API when a test runs on its own. */
  const ensureMailbox = async () => {
    if ((await w.must('GET', '/api/mail/settings')).smtp) return;
    await w.must('PUT', '/api/mail/settings', {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: MAILBOX, password: SMTP_PASSWORD },
      imap: { host: '127.0.0.1', port: imap.port, secure: false, user: MAILBOX, password: IMAP_PASSWORD },
      fromName: 'Acme Sales',
      fromAddress: MAILBOX,
    });
  };

  /** Until the worker has nothing left to run (the send and the note jobs). */
  const settle = async (done: () => boolean) => {
    await expect
      .poll(
        async () => {
          await w.world.p.worker.drain();
          return done();
        },
        { timeout: POLL_MS },
      )
      .toBe(true);
  };

  it('(a) an admin sets up the mailbox against the local SMTP and IMAP servers: both tests pass, then a wrong password fails with a clear hint', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=mailbox`);
    await page.waitForSelector('[data-testid="kai-mailbox"]');
    expect(await harnessErrors(page)).toEqual([]);
    await expect(page.getAttribute('[data-testid="kai-tab-mailbox"]', 'aria-selected')).resolves.toBe('true');

    // A preset fills the servers; the local test servers are a custom one.
    await page.selectOption('[data-testid="kai-mail-preset"]', 'gmail');
    await expect(page.inputValue('[data-testid="kai-smtp-host"]')).resolves.toBe('smtp.gmail.com');
    await expect(page.locator('[data-testid="kai-imap-host"]').count()).resolves.toBe(0); // IMAP is off until ticked
    await page.selectOption('[data-testid="kai-mail-preset"]', 'custom');

    await page.fill('[data-testid="kai-mail-from-name"]', 'Acme Sales');
    await page.fill('[data-testid="kai-mail-from-address"]', MAILBOX);
    await page.fill('[data-testid="kai-smtp-host"]', '127.0.0.1');
    await page.fill('[data-testid="kai-smtp-port"]', String(smtp.port));
    await page.uncheck('[data-testid="kai-smtp-secure"]');
    await page.fill('[data-testid="kai-smtp-user"]', MAILBOX);
    await page.fill('[data-testid="kai-smtp-password"]', SMTP_PASSWORD);
    await page.click('[data-testid="kai-smtp-test"]');
    const smtpResult = page.locator('[data-testid="kai-smtp-result"]');
    await smtpResult.waitFor();
    await expect(smtpResult.getAttribute('data-ok')).resolves.toBe('true');
    await expect(smtpResult.innerText()).resolves.toContain('the server accepted the login');

    await page.check('[data-testid="kai-imap-enabled"]');
    await page.fill('[data-testid="kai-imap-host"]', '127.0.0.1');
    await page.fill('[data-testid="kai-imap-port"]', String(imap.port));
    await page.uncheck('[data-testid="kai-imap-secure"]');
    await page.fill('[data-testid="kai-imap-user"]', MAILBOX);
    await page.fill('[data-testid="kai-imap-password"]', IMAP_PASSWORD);
    await page.click('[data-testid="kai-imap-test"]');
    const imapResult = page.locator('[data-testid="kai-imap-result"]');
    await imapResult.waitFor();
    await expect(imapResult.getAttribute('data-ok')).resolves.toBe('true');
    // The folder picker lists the mailbox's folders.
    const folders = await page.locator('[data-testid="kai-imap-folder"] option').evaluateAll((els) => els.map((e) => e.textContent));
    expect(folders).toEqual(['INBOX', 'Sent']);
    await screenshot(page, 'email-mailbox-tested');

    await page.click('[data-testid="kai-mail-save"]');
    await page.waitForSelector('[data-testid="kai-mail-saved"]');
    const saved = await w.must('GET', '/api/mail/settings');
    expect(saved).toMatchObject({
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: MAILBOX, passwordSet: true },
      imap: { host: '127.0.0.1', port: imap.port, secure: false, user: MAILBOX, passwordSet: true, mailbox: 'INBOX' },
      fromName: 'Acme Sales',
      fromAddress: MAILBOX,
    });
    expect(JSON.stringify(saved)).not.toContain(SMTP_PASSWORD);
    // Nothing was sent by the tests: they only log in.
    expect(smtp.messages).toHaveLength(0);

    // A wrong password: a clear failure with the hint, and none of the server's own words.
    await page.fill('[data-testid="kai-smtp-password"]', 'not-the-password');
    await page.click('[data-testid="kai-smtp-test"]');
    await page.waitForSelector('[data-testid="kai-smtp-result"][data-ok="false"]');
    const failure = page.locator('[data-testid="kai-smtp-result"]');
    await expect(failure.getAttribute('data-hint')).resolves.toBe('auth');
    const failureText = await failure.innerText();
    expect(failureText).toContain('The connection failed.');
    expect(failureText).toContain('The server refused the user name or password.');
    expect(failureText).not.toMatch(/535|Authentication failed/);
    await screenshot(page, 'email-mailbox-wrong-password');
    // The saved password is untouched by a test.
    await page.fill('[data-testid="kai-smtp-password"]', '');
    await page.click('[data-testid="kai-smtp-test"]');
    await page.waitForSelector('[data-testid="kai-smtp-result"][data-ok="true"]');
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it('(b) a salesperson emails the client from the lead card; the email goes out and its note appears in Kommo', async () => {
    await ensureMailbox();
    const { lead, email } = leadWithEmail();
    const before = smtp.messages.length;

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${repHarness.url}/card?lead=${lead.id}`);
    await page.click('[data-testid="kai-email-compose"]');
    await expect(page.locator('[data-testid="kai-email-to"] option').evaluateAll((els) => els.map((e) => e.textContent))).resolves.toEqual([email]);
    await page.fill('[data-testid="kai-email-subject"]', 'Your quote from Acme');
    await page.fill('[data-testid="kai-email-text"]', 'Hello,\nthe quote is attached as promised.\nBest regards');
    await page.click('[data-testid="kai-email-send"]');
    await page.waitForSelector('[data-testid="kai-email-item"][data-direction="outbound"] >> text=Your quote from Acme');
    expect(await harnessErrors(page)).toEqual([]);

    await settle(
      () =>
        smtp.messages.length > before &&
        [...w.sim.state.notes.values()].some((n) => n.entity_id === lead.id && String(n.params?.text ?? '').includes('Your quote from Acme')),
    );
    const mail = smtp.messages[smtp.messages.length - 1]!;
    expect(mail.to).toEqual([email]);
    expect((await mail.parsed()).text).toContain('the quote is attached as promised.');
    const note = [...w.sim.state.notes.values()].find(
      (n) => n.entity_type === 'leads' && n.entity_id === lead.id && String(n.params?.text ?? '').includes('Your quote from Acme'),
    )!;
    expect(String(note.params.text)).toContain(`To: ${email}`);

    // The card's thread shows it sent.
    await page.click('[data-testid="kai-refresh"]');
    await page.waitForSelector('[data-testid="kai-email-item"][data-direction="outbound"] >> text=Sent');
    await screenshot(page, 'email-lcard-sent');
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it("(c) the link in a notification email opens the Notifications screen in the user's language, where the user turns one kind off, then all", async () => {
    await ensureMailbox();
    const admin = w.sim.state.users.get(w.sim.state.account.current_user_id)!;
    const before = smtp.messages.length;
    w.world.m.notifications.services.notifier.notify({
      accountId: w.accountId,
      userId: admin.id,
      kind: 'agent_handoff',
      title: 'A client asks for a person',
      body: 'The client wants to talk to a manager.',
      dedupeKey: `browser-email-${Date.now()}`,
    });
    await settle(() => smtp.messages.length > before);
    const mail = smtp.messages[smtp.messages.length - 1]!;
    expect(mail.to).toEqual([admin.email.toLowerCase()]);
    const html = (await mail.parsed()).html as string;
    const href = /<a href="([^"]+)">Notifications<\/a>/.exec(html)?.[1];
    expect(href).toBeDefined();
    const link = new URL(href!);
    // The link names the account's own Kommo host and the widget's advanced settings page.
    expect(link.host).toBe(w.world.p.sqlite.prepare('SELECT host FROM accounts WHERE id = ?').pluck().get(w.accountId));
    expect(link.pathname).toBe('/settings/widgets/kai_agent/');
    expect(link.searchParams.get('kai_tab')).toBe('notifications');

    // The harness plays the Kommo host: the same page and query there, with the user's language set to Russian.
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}${link.pathname}${link.search}&lang=ru`);
    await page.waitForSelector('[data-testid="kai-notifications"][data-enabled="true"]');
    await expect(page.getAttribute('[data-testid="kai-tab-notifications"]', 'aria-selected')).resolves.toBe('true');
    await expect(page.locator('[data-testid="kai-notifications"]').innerText()).resolves.toContain('Письма-уведомления включены.');
    // One kind off (the others stay on), then all of them.
    await expect(page.locator('[data-testid="kai-notifications"]').innerText()).resolves.toContain('мне назначена задача');
    await page.uncheck('[data-testid="kai-notifications-kind"][data-kind="task_assigned"]');
    await expect
      .poll(async () => (await w.must('GET', '/api/mail/notifications')).kinds, { timeout: POLL_MS })
      .toMatchObject({ task_assigned: false, agent_handoff: true });
    await screenshot(page, 'email-notifications-ru');
    await page.click('[data-testid="kai-notifications-toggle"]');
    await page.waitForSelector('[data-testid="kai-notifications"][data-enabled="false"]');
    await expect(page.locator('[data-testid="kai-notifications-state"]').innerText()).resolves.toBe('Письма-уведомления выключены.');
    expect(await w.must('GET', '/api/mail/notifications')).toMatchObject({ enabled: false, kinds: { task_assigned: false } });
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it("(d) an admin writes a template with variables, previews it filled from a lead, and a manager sends it from the lead card with the lead's values", async () => {
    await ensureMailbox();
    const { lead, email } = leadWithEmail();
    const contactName = w.sim.state.contacts.get(lead._embedded!.contacts![0]!.id)!.name;
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=templates`);
    await page.click('[data-testid="kai-template-new"]');
    await page.fill('[data-testid="kai-template-name"]', 'Offer');
    await page.fill('[data-testid="kai-template-subject"]', 'Your offer, {{contact.name}}');
    await page.fill('[data-testid="kai-template-text"]', 'Hello {{contact.name}} ({{contact.email}}),\nhere is the offer for request ');
    // The variable chips: the lead's catalogue and what the card adds.
    await page.waitForSelector('[data-testid="kai-template-variables"] >> text={{lead.name}}');
    await page.click('button.kai-chip >> text={{lead.id}}');
    await expect(page.inputValue('[data-testid="kai-template-text"]')).resolves.toBe(
      'Hello {{contact.name}} ({{contact.email}}),\nhere is the offer for request {{lead.id}}',
    );
    // The preview: the lead's own values, and a typed value where the lead has none (or over its own).
    await page.fill('[data-testid="kai-template-lead"]', String(lead.id));
    await page.fill('[data-testid="kai-template-editor"] label:has-text("contact.email") input', 'ana@example.com');
    await page.click('[data-testid="kai-template-preview"]');
    const out = page.locator('[data-testid="kai-template-preview-out"]');
    await out.waitFor();
    await expect(out.innerText()).resolves.toContain(`Your offer, ${contactName}`);
    await expect(out.innerText()).resolves.toContain(`Hello ${contactName} (ana@example.com),\nhere is the offer for request ${lead.id}`);
    await screenshot(page, 'email-template-preview');
    await page.click('[data-testid="kai-template-save"]');
    await page.waitForSelector('[data-testid="kai-template"] >> text=Offer');
    const [template] = (await w.must('GET', '/api/mail/templates')).items as { id: number; name: string; subject: string }[];
    expect(template).toMatchObject({ name: 'Offer', subject: 'Your offer, {{contact.name}}' });

    const before = smtp.messages.length;
    await page.goto(`${repHarness.url}/card?lead=${lead.id}`);
    await page.click('[data-testid="kai-email-compose"]');
    await page.selectOption('[data-testid="kai-email-template"]', { label: 'Offer' });
    await expect(page.locator('[data-testid="kai-email-subject"]').count()).resolves.toBe(0);
    await page.click('[data-testid="kai-email-send"]');
    await page.waitForSelector(`[data-testid="kai-email-item"] >> text=Your offer, ${contactName}`);
    await settle(() => smtp.messages.length > before);
    const mail = await smtp.messages[smtp.messages.length - 1]!.parsed();
    expect(mail.subject).toBe(`Your offer, ${contactName}`);
    expect(mail.text).toContain(`Hello ${contactName} (${email}),`);
    expect(mail.text).toContain(`here is the offer for request ${lead.id}`);
    expect(problems).toEqual([]);
    await close();
  }, 60_000);

  it('(e) the outbox shows each email with its status and reason, retries a failed one, cancels one still queued and shows a bounce, filtered by lead and status', async () => {
    await ensureMailbox();
    const { lead, email } = leadWithEmail();
    const queue = (subject: string) => w.must('POST', '/api/mail/outbox', { leadId: lead.id, to: [email], subject, text: 'Hello' }, 202);
    // Refused for good at RCPT: failed, with the server's reason kept for the admin.
    smtp.refuse('rcpt', 550, '5.1.1 No such mailbox here');
    await queue('Bounced offer');
    await settle(() => outboxRow('Bounced offer')?.status === 'failed');

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=outbox`);
    await page.fill('[data-testid="kai-outbox-lead"]', String(lead.id));
    const failed = page.locator('[data-testid="kai-outbox-row"][data-status="failed"]', { hasText: 'Bounced offer' });
    await failed.waitFor();
    await expect(failed.innerText()).resolves.toContain('No such mailbox');
    // Filtered by lead: every row is this lead's (once the filtered list has replaced the whole outbox).
    const rowLeads = async () =>
      new Set(await page.locator('[data-testid="kai-outbox-row"] td:nth-child(4)').evaluateAll((els) => els.map((e) => e.textContent)));
    await expect.poll(rowLeads, { timeout: POLL_MS }).toEqual(new Set([String(lead.id)]));
    await page.fill('[data-testid="kai-outbox-lead"]', '999999999');
    await page.waitForSelector('[data-testid="kai-outbox"] .kai-empty');
    await page.fill('[data-testid="kai-outbox-lead"]', String(lead.id));
    await failed.waitFor();
    await screenshot(page, 'email-outbox-failed');

    await failed.locator('[data-testid="kai-outbox-retry"]').click();
    await settle(() => outboxRow('Bounced offer')?.status === 'sent');
    await page.click('[data-testid="kai-outbox-refresh"]');
    await page.waitForSelector('[data-testid="kai-outbox-row"][data-status="sent"] >> text=Bounced offer');

    // A bounce read from the mailbox: the sent email shows as bounced, with the DSN status.
    await queue('Returned offer');
    await settle(() => outboxRow('Returned offer')?.status === 'sent');
    const messageId = w.world.p.sqlite.prepare("SELECT message_id FROM mail_outbox WHERE subject = 'Returned offer'").pluck().get() as string;
    await imap.deliver(bounceReport(messageId, email));
    await expect
      .poll(
        async () => {
          await w.world.m.mail.services.watcher.pollOnce(w.accountId);
          return outboxRow('Returned offer')?.status;
        },
        { timeout: POLL_MS },
      )
      .toBe('bounced');
    await page.selectOption('[data-testid="kai-outbox-status"]', 'bounced');
    const bounced = page.locator('[data-testid="kai-outbox-row"][data-status="bounced"]', { hasText: 'Returned offer' });
    await bounced.waitFor();
    await expect(bounced.innerText()).resolves.toContain('status 5.1.1');
    await expect(page.locator('[data-testid="kai-outbox-row"]').count()).resolves.toBe(1);
    await screenshot(page, 'email-outbox-bounced');
    await page.selectOption('[data-testid="kai-outbox-status"]', '');

    // Refused for now (4xx) every time: it stays queued between attempts, with the reason, until cancelled.
    smtp.refuse('rcpt', 451, '4.3.0 Try again later', 6);
    await queue('Held offer');
    await settle(() => outboxRow('Held offer')?.lastError !== null && outboxRow('Held offer')?.status === 'queued');
    await page.click('[data-testid="kai-outbox-refresh"]');
    const held = page.locator('[data-testid="kai-outbox-row"][data-status="queued"]', { hasText: 'Held offer' });
    await held.waitFor();
    // Cancelling asks once: the first click only asks; the email is cancelled on the second.
    await held.locator('[data-testid="kai-outbox-cancel"]').click();
    expect(outboxRow('Held offer')?.status).toBe('queued');
    await held.locator('[data-testid="kai-confirm-yes"]').click();
    await page.waitForSelector('[data-testid="kai-outbox-row"][data-status="cancelled"] >> text=Held offer');
    expect(outboxRow('Held offer')).toMatchObject({ status: 'cancelled', lastError: 'cancelled by a user' });
    await screenshot(page, 'email-outbox-cancelled');

    expect(problems).toEqual([]);
    await close();
  }, 90_000);
});
