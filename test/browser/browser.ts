import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { chromiumExecutable } from './chromium-executable.js';

export const SCREENSHOT_DIR = resolve('test-results/screenshots');

/**
 * Headless Chromium from npm (@sparticuz/chromium) or CHROMIUM_PATH. A browser suite never skips for a
 * missing binary: when Chromium cannot start, this throws why, and the suite's beforeAll fails with it.
 */
export async function launchChromium(): Promise<Browser> {
  const exe = await chromiumExecutable();
  try {
    return await chromium.launch({
      executablePath: exe.path,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Chromium did not start (${exe.path}, from ${exe.source}; set CHROMIUM_PATH to use another): ${why}`);
  }
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh context and page that records every console error and page error. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  // A missing element fails the step that waits for it, with its selector, before the test's own timeout.
  // 30 s: CI runs these beside the rest of the suite on two cores, where Chromium can be slow to paint.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, problems, close: () => context.close() };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Wait until the emulated host has run the widget's callbacks; return the host's own error list. */
export async function harnessErrors(page: Page): Promise<string[]> {
  await page.waitForFunction(() => (window as unknown as { __harness?: { ready: boolean } }).__harness?.ready === true);
  return page.evaluate(() => (window as unknown as { __harness: { errors: string[] } }).__harness.errors);
}
