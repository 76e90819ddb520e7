/**
 * The demo lead's card in real Chromium: the built widget inside the emulated Kommo page, calling the real
 * backend with Kommo-style tokens. Checks what a manager would look at, and optionally saves a screenshot.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { harnessErrors, launchChromium, openPage } from '../../test/browser/browser.js';

export interface CardExpectations {
  /** Texts that must appear among the panel's replies. */
  replies: string[];
  /** Undo buttons the actions list must offer. */
  undo: number;
  /** The "demo model" badge must show (the turns were answered by the demo model). */
  demoBadge: boolean;
}

export async function renderLeadCard(url: string, expect: CardExpectations, screenshotPath?: string) {
  const browser = await launchChromium();
  try {
    const watched = await openPage(browser, { viewport: { width: 860, height: 900 } });
    const { page } = watched;
    // Seconds on a loaded machine at worst; a missing element fails the step naming what it waited for.
    page.setDefaultTimeout(15_000);
    await page.goto(url);
    const hostErrors = await harnessErrors(page);
    if (hostErrors.length) throw new Error(`the emulated Kommo page reported: ${hostErrors.join('; ')}`);
    await page.waitForSelector('[data-testid="kai-lcard"]');
    const replies = page.locator('[data-testid="kai-replies"]');
    const wait = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch {
        throw new Error(`the lead card never showed ${what}`);
      }
    };
    if (expect.replies.length === 0) {
      const head = (await page.locator('[data-testid="kai-agent"]').innerText()).replace(/\s+/g, ' ');
      throw new Error(`no reply was delivered, and the card says: "${head}"`);
    }
    for (const text of expect.replies) {
      await wait(`the reply ${JSON.stringify(text.slice(0, 40))}`, () => replies.getByText(text.slice(0, 40), { exact: false }).first().waitFor());
    }
    await wait(`${expect.undo} Undo buttons`, () =>
      page.waitForFunction((n) => document.querySelectorAll('[data-testid="kai-undo"]').length >= n, expect.undo),
    );
    await wait('any activity', () => page.waitForFunction(() => document.querySelectorAll('[data-testid="kai-lead-activity"] li').length > 0));
    const badges = await replies.locator('.kai-badge', { hasText: 'demo model' }).count();
    if (expect.demoBadge && badges === 0) throw new Error('the replies carry no "demo model" badge');
    const activity = await page.locator('[data-testid="kai-lead-activity"] li').count();
    const undo = await page.locator('[data-testid="kai-undo"]').count();
    if (watched.problems.length) throw new Error(`the page logged errors: ${watched.problems.join('; ')}`);
    let saved: string | null = null;
    if (screenshotPath) {
      saved = resolve(screenshotPath);
      mkdirSync(dirname(saved), { recursive: true });
      await page.screenshot({ path: saved, fullPage: true });
    }
    await watched.close();
    return { undo, badges, activity, saved };
  } finally {
    await browser.close();
  }
}
