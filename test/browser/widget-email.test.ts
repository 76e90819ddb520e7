/**
 * The email screens in Chromium against the REAL backend, the Kommo simulator and real SMTP and IMAP servers
 * on loopback (the world of widget-automation-lcard.test.ts, with MAIL_ALLOW_PRIVATE_HOSTS so the account's
 * mailbox may be on 127.0.0.1):
 * (a) an admin sets up the mailbox, each side's "Test connection" succeeds, then fails clearly on a wrong password;
 * (b) a salesperson (not an admin) emails the client from the lead card: SMTP gets it and the note is in Kommo;
 * (c) the link in a notification email opens the Notifications screen, in the user's language.
 * Screenshots go to test-results/screenshots/email-*.png.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWidgetHarness, type WidgetHarness } from '../../scripts/widget/harness.js';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { startImapServer, startSmtpServer, type TestImap, type TestSmtp } from '../helpers/mail-servers.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

const MAILBOX = 'sales@company.test';
const SMTP_PASSWORD = 'smtp-secret';
const IMAP_PASSWORD = 'imap-secret';

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
    repHarness = await startWidgetHarness({
      backendUrl: w.backendUrl,
      clientId: TEST_CLIENT_ID,
      clientSecret: TEST_CLIENT_SECRET,
      accountId: w.accountId,
      userId: rep.id,
      subdomain: w.sim.subdomain,
      widgetDir: join(w.tmp, 'widget'),
      isAdmin: false,
    });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await repHarness?.close();
    await w?.close();
    await smtp?.close();
    await imap?.stop();
  });

  /** Until the worker has nothing left to run (the send and the note jobs). */
  const settle = async (done: () => boolean) => {
    await expect
      .poll(async () => {
        await w.world.p.worker.drain();
        return done();
      })
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
    // (a) saved the mailbox; a lead whose contact has an email.
    const found = [...w.sim.state.leads.values()]
      .filter((l) => l.status_id !== 142 && l.status_id !== 143)
      .map((lead) => {
        const contact = w.sim.state.contacts.get(lead._embedded?.contacts?.[0]?.id ?? -1);
        const email = contact?.custom_fields_values?.find((f) => f.field_code === 'EMAIL')?.values[0]?.value;
        return { lead, email: typeof email === 'string' ? email.toLowerCase() : null };
      })
      .find((x) => x.email);
    if (!found?.email) throw new Error('the seed has no open lead with a contact email');
    const { lead, email } = found;
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

  it("(c) the link in a notification email opens the Notifications screen in the user's language, where the user turns them off", async () => {
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
    await page.click('[data-testid="kai-notifications-toggle"]');
    await page.waitForSelector('[data-testid="kai-notifications"][data-enabled="false"]');
    await expect(page.locator('[data-testid="kai-notifications-state"]').innerText()).resolves.toBe('Письма-уведомления выключены.');
    await screenshot(page, 'email-notifications-ru');
    expect((await w.must('GET', '/api/mail/notifications')).enabled).toBe(false);
    expect(problems).toEqual([]);
    await close();
  }, 60_000);
});
