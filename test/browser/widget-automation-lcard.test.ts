import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetHarness } from '../../scripts/widget/harness.js';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

describe('lead-card automation and the role-aware widget, against the real backend', () => {
  let w: RealWidgetWorld;
  let browser: Browser;
  /** The same built widget, with the tokens of a salesperson who is not an account admin. */
  let repHarness: WidgetHarness;
  let repUserId: number;
  /** A lead in Sales/Qualified, put there before the first sync. */
  let leadId: number;

  beforeAll(async () => {
    w = await startRealWidgetWorld({
      seed: { leads: 10, contacts: 5 },
      beforeInstall(sim) {
        const sales = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
        const qualified = sales._embedded.statuses.find((s) => s.name === 'Qualified')!.id;
        const lead = [...sim.state.leads.values()][0]!;
        sim.updateLead(lead.id, { pipeline_id: sales.id, status_id: qualified });
        leadId = lead.id;
      },
    });
    const rep = [...w.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    repUserId = rep.id;
    repHarness = await w.harnessFor(rep.id, { isAdmin: false });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  const db = <T>(sql: string, ...args: unknown[]) => w.world.p.sqlite.prepare(sql).all(...args) as T[];

  /** A sequence scoped to Sales/Qualified whose first step waits a day: an enrollment stays active while the test looks at it. */
  const seedSequence = (name: string, extra: Record<string, unknown> = {}) =>
    w.must('POST', '/api/sequences', {
      name,
      ...w.stage('Qualified'),
      definition: {
        steps: [
          { type: 'wait', amount: 1, unit: 'days' },
          { type: 'add_note', text: 'Following up on our call' },
        ],
      },
      ...extra,
    }) as Promise<{ id: number; name: string }>;

  const seedRule = (name: string, scope: Record<string, unknown>) =>
    w.must('POST', '/api/rules', {
      name,
      ...scope,
      definition: { trigger: { type: 'stage_entered' }, actions: [{ type: 'add_note', text: 'Entered the stage' }] },
    }) as Promise<{ id: number; name: string; enabled: boolean }>;

  it("enrolls the lead from the card, shows the refusal of a second enrollment in the user's language, and stops it there", async () => {
    const seq = await seedSequence('Qualified follow-up');
    const off = await seedSequence('Old nurture (off)', { enabled: false });
    const stageRule = await seedRule('Note on entering Qualified', w.stage('Qualified'));
    const accountRule = await seedRule('Note on every stage', {});
    const otherRule = await seedRule('Negotiation only', w.stage('Negotiation'));

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadId}&lang=es`);
    await page.waitForSelector(`[data-testid="kai-automation-rule"][data-id="${stageRule.id}"]`);
    expect(await harnessErrors(page)).toEqual([]);
    // What applies to the lead's stage: its own rule and the account-wide one, not another stage's.
    const ruleIds = await page.locator('[data-testid="kai-automation-rule"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
    expect(ruleIds).toEqual([stageRule.id, accountRule.id]);
    expect(ruleIds).not.toContain(otherRule.id);
    await expect(page.locator('[data-testid="kai-automation"]').innerText()).resolves.toContain('Reglas de esta etapa');
    // Only enabled sequences are offered for enrollment.
    const offered = await page.locator('[data-testid="kai-enroll-select"] option').evaluateAll((els) => els.map((e) => e.textContent));
    expect(offered).toContain(seq.name);
    expect(offered).not.toContain(off.name);

    await page.selectOption('[data-testid="kai-enroll-select"]', { label: seq.name });
    await page.click('[data-testid="kai-enroll-submit"]');
    const enrollment = page.locator('[data-testid="kai-enrollment"][data-status="active"]');
    await enrollment.waitFor();
    await expect(enrollment.innerText()).resolves.toContain(seq.name);
    const enrolled = (await w.must('GET', `/api/leads/${leadId}/enrollments`)).items as { id: number; status: string; sequenceId: number }[];
    expect(enrolled).toEqual([expect.objectContaining({ sequenceId: seq.id, status: 'active' })]);
    const enrollmentId = enrolled[0]!.id;
    await expect(enrollment.getAttribute('data-id')).resolves.toBe(String(enrollmentId));
    // The first step (wait a day) runs in the worker; the card then names the next one and when it is due.
    await expect
      .poll(async () => {
        await w.world.p.worker.drain();
        return db<{ step: number }>('SELECT step FROM sequence_enrollments WHERE id = ?', enrollmentId)[0]?.step;
      })
      .toBe(1);
    await page.click('[data-testid="kai-refresh"]');
    await page.waitForSelector('[data-testid="kai-enrollment"] >> text=Paso 2 de 2');
    await screenshot(page, 'real-automation-lcard-enrolled');

    // A second enrollment in the same sequence is refused: our own title in Spanish, the server's reason below it.
    await page.selectOption('[data-testid="kai-enroll-select"]', { label: seq.name });
    await page.click('[data-testid="kai-enroll-submit"]');
    const refusal = page.locator('[data-testid="kai-enroll"] [data-testid="kai-error"]');
    await refusal.waitFor();
    const refusalText = await refusal.innerText();
    expect(refusalText).toContain('No se puede inscribir este lead en esta secuencia');
    expect(refusalText).toContain('already in sequence');
    await screenshot(page, 'real-automation-lcard-refused');

    // Stopping asks once: the first click only asks, in the user's language; the second stops it.
    await page.click('[data-testid="kai-enrollment-stop"]');
    await expect(page.locator('[data-testid="kai-enrollment"] [data-testid="kai-confirm-yes"]').innerText()).resolves.toBe('Sí, detener');
    expect(db('SELECT status FROM sequence_enrollments WHERE id = ?', enrollmentId)).toEqual([{ status: 'active' }]);
    await page.click('[data-testid="kai-enrollment"] [data-testid="kai-confirm-yes"]');
    await page.waitForSelector(`[data-testid="kai-enrollment"][data-id="${enrollmentId}"][data-status="stopped"]`);
    await page.waitForSelector('[data-testid="kai-enrollment"] >> text=Detenida por un usuario');
    expect(db('SELECT status, stop_reason AS reason FROM sequence_enrollments WHERE id = ?', enrollmentId)).toEqual([
      { status: 'stopped', reason: 'stopped_by_user' },
    ]);
    expect((await w.must('GET', `/api/leads/${leadId}/enrollments`)).items).toEqual([expect.objectContaining({ id: enrollmentId, status: 'stopped' })]);
    await screenshot(page, 'real-automation-lcard-stopped');
    expect(problems.filter((p) => !isRefusalLog(p))).toEqual([]);
    await close();
  }, 60_000);

  it('pauses and resumes an enrollment, and an admin switches a rule off from the card and has a link to it in the builder', async () => {
    const seq = await seedSequence('Pause me');
    const rule = await seedRule('Switch me off', w.stage('Qualified'));
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadId}`);
    await page.waitForSelector('[data-testid="kai-enroll-select"]');
    await page.selectOption('[data-testid="kai-enroll-select"]', { label: seq.name });
    await page.click('[data-testid="kai-enroll-submit"]');
    const row = page.locator('[data-testid="kai-enrollment"]', { hasText: seq.name });
    await row.locator('[data-testid="kai-enrollment-pause"]').click();
    await page.waitForSelector('[data-testid="kai-enrollment"][data-status="paused"]');
    expect(db('SELECT status FROM sequence_enrollments WHERE sequence_id = ?', seq.id)).toEqual([{ status: 'paused' }]);
    await row.locator('[data-testid="kai-enrollment-resume"]').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('active');
    expect(db('SELECT status FROM sequence_enrollments WHERE sequence_id = ?', seq.id)).toEqual([{ status: 'active' }]);

    const item = page.locator(`[data-testid="kai-automation-rule"][data-id="${rule.id}"]`);
    await expect(item.getAttribute('data-enabled')).resolves.toBe('true');
    await expect(item.locator('[data-testid="kai-automation-rule-open"]').getAttribute('href')).resolves.toBe(
      `/settings/widgets/kai_agent/?kai_tab=rules#kai-rule-${rule.id}`,
    );
    await item.locator('[data-testid="kai-automation-rule-toggle"]').click();
    await expect.poll(() => item.getAttribute('data-enabled')).toBe('false');
    expect(((await w.must('GET', `/api/rules/${rule.id}`)) as { enabled: boolean }).enabled).toBe(false);
    await screenshot(page, 'real-automation-lcard-admin');
    expect(problems).toEqual([]);
    await close();
  });

  it('a non-admin sees the automation but no admin control in the card, and admin screens explain why they are closed; the admin sees them', async () => {
    expect(await fetchMe(w.backendUrl, repHarness)).toMatchObject({ userId: repUserId, isAdmin: false });
    const rule = await seedRule('Visible to everyone', w.stage('Qualified'));

    // Lead card, as the salesperson: the rule with its state, no switch and no builder link; enrolling is theirs to do.
    const rep = await openPage(browser);
    await rep.page.goto(`${repHarness.url}/card?lead=${leadId}`);
    const item = rep.page.locator(`[data-testid="kai-automation-rule"][data-id="${rule.id}"]`);
    await item.waitFor();
    expect(await harnessErrors(rep.page)).toEqual([]);
    await expect(item.innerText()).resolves.toContain('On');
    await expect(rep.page.locator('[data-testid="kai-automation-rule-toggle"]').count()).resolves.toBe(0);
    await expect(rep.page.locator('[data-testid="kai-automation-rule-open"]').count()).resolves.toBe(0);
    await expect(rep.page.locator('[data-testid="kai-enroll-submit"]').count()).resolves.toBe(1);
    await screenshot(rep.page, 'real-automation-lcard-nonadmin');

    // Admin app, as the salesperson: the connection status without the sync button; configuration tabs say why they are closed.
    await rep.page.goto(`${repHarness.url}/settings`);
    await rep.page.waitForSelector('[data-testid="kai-connection"] >> text=Connected');
    await expect(rep.page.locator('[data-testid="kai-sync"]').count()).resolves.toBe(0);
    for (const key of ['board', 'agents', 'scripts', 'knowledge', 'playground', 'usage', 'activity']) {
      await tab(rep.page, key);
      await rep.page.waitForSelector('[data-testid="kai-admin-only"] >> text=Only account administrators can do this');
    }
    await tab(rep.page, 'agents');
    await expect(rep.page.locator('[data-testid="kai-agent-new"]').count()).resolves.toBe(0);
    await screenshot(rep.page, 'real-automation-admin-nonadmin');
    expect(rep.problems).toEqual([]);
    await rep.close();

    // The same screens with the admin's token: the controls are there.
    const admin = await openPage(browser);
    await admin.page.goto(`${w.harness.url}/settings?kai_tab=connection`);
    await admin.page.waitForSelector('[data-testid="kai-sync"]');
    await tab(admin.page, 'agents');
    await admin.page.waitForSelector('[data-testid="kai-agent-new"]');
    await expect(admin.page.locator('[data-testid="kai-admin-only"]').count()).resolves.toBe(0);
    await admin.page.goto(`${w.harness.url}/card?lead=${leadId}`);
    await admin.page.waitForSelector(`[data-testid="kai-automation-rule"][data-id="${rule.id}"] [data-testid="kai-automation-rule-toggle"]`);
    expect(admin.problems).toEqual([]);
    await admin.close();

    // The hidden controls are ones the server refuses this user anyway.
    const asRep = await fetch(`${w.backendUrl}/api/agents`, {
      method: 'POST',
      headers: { 'x-auth-token': repHarness.mintToken(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Not allowed' }),
    });
    expect(asRep.status).toBe(403);
  });
});

/** Chromium logs every 4xx answer as a console error; the 409 of the refused enrollment is one the test provoked. */
const isRefusalLog = (line: string) => line.includes('status of 409');

/** `GET /api/me` with a token of this harness's user. */
async function fetchMe(backendUrl: string, h: WidgetHarness): Promise<{ userId: number; isAdmin: boolean }> {
  const res = await fetch(`${backendUrl}/api/me`, { headers: { 'x-auth-token': h.mintToken() } });
  return (await res.json()) as { userId: number; isAdmin: boolean };
}

async function tab(page: Page, key: string) {
  await page.click(`[data-testid="kai-tab-${key}"]`);
  await page.waitForSelector(`[data-testid="kai-tab-${key}"][aria-selected="true"]`);
}
