/**
 * The operator's front page in real Chromium against the real app served over HTTP: it renders, shows each
 * integration and what to configure next, and its screenshot is written to docs/ for the README.
 */
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount } from '../helpers/seeds.js';
import { startWorld, type World } from '../helpers/world.js';
import { launchChromium, openPage } from './browser.js';

describe('front page in Chromium', () => {
  let world: World;
  let browser: Browser;

  beforeAll(async () => {
    world = await startWorld({ sim: false, http: true, env: { OPENAI_API_KEY: '', SMTP_URL: '', MAIL_FROM: '', WIDGET_HOOK_SECRET: 'hook-secret-xyz' } });
    seedAccount(world, { id: 5, subdomain: 'acme', webhookSecret: 'front-page-webhook-secret' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  it('renders the status, the integrations and what to configure next', async () => {
    const { page, problems, close } = await openPage(browser, { viewport: { width: 1000, height: 800 } });
    try {
      const res = await page.goto(`${world.baseUrl}/`);
      expect(res?.status()).toBe(200);
      await expect.poll(() => page.textContent('h1')).toBe('AI sales agent for Kommo');
      expect(await page.textContent('[data-testid=accounts]')).toBe('1');
      const rows = await page.$$eval('table tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => (td.textContent ?? '').trim())),
      );
      expect(rows).toEqual([
        ['Kommo credentials', 'ready'],
        ['Language model', 'not set'],
        ['System email (SMTP)', 'not set'],
        ['Public URL', 'ready'],
        ['Widget hook secret', 'ready'],
      ]);
      expect(await page.textContent('ol')).toContain('OPENAI_API_KEY');
      const html = await page.content();
      expect(html).not.toContain('hook-secret-xyz');
      expect(html).not.toContain('front-page-webhook-secret');
      expect(problems).toEqual([]);
      await page.screenshot({ path: resolve('docs/front-page.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
