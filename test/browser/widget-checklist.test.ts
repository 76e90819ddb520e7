/**
 * The first-run checklist, in Chromium against the REAL backend and the Kommo simulator: on a fresh account
 * the Salesbot check is ✗ with its instructions; once the account's Salesbot with our widget step has
 * carried a client message to us, it is ✓. The same checklist shows in the settings modal.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_SECRET, startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

describe('the first-run checklist, against the real backend', () => {
  let w: RealWidgetWorld;
  let browser: Browser;

  beforeAll(async () => {
    w = await startRealWidgetWorld({ seed: { leads: 5, contacts: 5 } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  const check = (key: string) => `[data-testid="kai-check-${key}"]`;

  it('shows the Salesbot check ✗ on a fresh account and ✓ once the account has our bot', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=connection`);
    await page.waitForSelector('[data-testid="kai-checklist"]');
    expect(await harnessErrors(page)).toEqual([]);
    await expect(page.getAttribute(check('connection'), 'data-ok')).resolves.toBe('yes');
    await expect(page.getAttribute(check('agent'), 'data-ok')).resolves.toBe('no');
    await expect(page.getAttribute(check('channels'), 'data-ok')).resolves.toBe('no');
    await page.waitForSelector('[data-testid="kai-salesbot-howto"]');
    await screenshot(page, 'real-checklist-fresh');

    // The account's Salesbot with our widget step; a client writes, and the bot's widget_request reaches us.
    const bot = w.sim.addSalesbot({
      name: 'AI agent',
      widgetRequest: { url: `${w.backendUrl}/salesbot/${HOOK_SECRET}`, data: { lead_id: '{{lead.id}}', message: '{{message_text}}' } },
    });
    const lead = [...w.sim.state.leads.values()][0]!;
    const wrote = await w.sim.clientWrites(lead.id, 'Hello, anyone there?');
    expect(wrote.salesbots).toEqual([expect.objectContaining({ status: 200 })]);
    await expect.poll(() => w.world.m.accounts.services.accounts.settings(w.accountId).salesbotBotId, { timeout: 15_000 }).toBe(bot.id);
    // An agent on a stage makes the second check green as well.
    await w.agentOnStage(w.stage('Qualified'), { name: 'Ava', instructions: 'Qualify leads.' });

    await page.click('[data-testid="kai-checklist-refresh"]');
    await page.waitForSelector(`${check('channels')}[data-ok="yes"]`);
    await expect(page.getAttribute(check('agent'), 'data-ok')).resolves.toBe('yes');
    await expect(page.locator('[data-testid="kai-salesbot-howto"]').count()).resolves.toBe(0);
    await screenshot(page, 'real-checklist-bot');

    // The settings modal shows the same checklist, without the long instructions.
    await page.goto(`${w.harness.url}/modal`);
    await page.waitForSelector(`[data-testid="kai-settings"] ${check('channels')}[data-ok="yes"]`);
    expect(problems).toEqual([]);
    await close();
  }, 60_000);
});
