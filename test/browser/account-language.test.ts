/**
 * The user's language in the admin app, in real Chromium against the real backend and the Kommo simulator:
 * the account language (Kommo's, here ru) can be overridden from the Connection tab, saved with "Saved" in
 * the viewer's language, and the activity feed words each entry in the viewer's language: a Russian-speaking
 * admin reads it in Russian, a Spanish-speaking one in Spanish, from the same stored entries.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { harnessErrors, launchChromium, openPage } from './browser.js';

describe('the account language and the activity feed in the viewer’s language', () => {
  let w: RealWidgetWorld;
  let browser: Browser;

  beforeAll(async () => {
    w = await startRealWidgetWorld({
      seed: { leads: 10, contacts: 5 },
      beforeInstall(sim) {
        sim.state.users.get(sim.state.account.current_user_id)!.lang = 'ru';
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  async function tab(page: Page, key: string) {
    await page.click(`[data-testid="kai-tab-${key}"]`);
    await page.waitForSelector(`[data-testid="kai-tab-${key}"][aria-selected="true"]`);
  }
  const feedText = (page: Page) => page.locator('[data-testid="kai-feed"]').innerText();

  it('an admin overrides the language from the Connection tab, and each viewer reads the feed in their own language', async () => {
    const ru = await openPage(browser);
    await ru.page.goto(`${w.harness.url}/settings?lang=ru`);
    await ru.page.waitForSelector('[data-testid="kai-tab-connection"]');
    await tab(ru.page, 'connection');
    await ru.page.waitForSelector('[data-testid="kai-account-language-select"]');
    expect(await harnessErrors(ru.page)).toEqual([]);
    // Kommo's language is offered as the default choice, named in the viewer's language.
    expect(await ru.page.locator('[data-testid="kai-account-language-select"] option[value=""]').innerText()).toBe('Как в Kommo (Русский)');
    await ru.page.selectOption('[data-testid="kai-account-language-select"]', 'es');
    await ru.page.click('[data-testid="kai-account-language-save"]');
    await ru.page.waitForSelector('[data-testid="kai-account-language-saved"] >> text=Сохранено');
    expect((await w.api('GET', '/api/account/language')).body).toEqual({ language: 'es', override: 'es', kommo: 'ru' });

    await tab(ru.page, 'activity');
    await ru.page.waitForSelector('[data-testid="kai-feed-item"] >> text=Язык аккаунта: изменено');
    const inRussian = await feedText(ru.page);
    expect(inRussian).toContain('Аккаунт Kommo подключён');
    expect(inRussian).toContain('Синхронизация с Kommo завершена');
    expect(inRussian).toContain('override: — → es');
    expect(inRussian).not.toMatch(/Kommo sync completed|Kommo account installed|changed by/);
    // The type filter's labels too.
    const types = await ru.page.locator('[data-testid="kai-activity-type"] option').allInnerTexts();
    expect(types).toEqual(expect.arrayContaining(['Изменение настроек', 'Синхронизация завершена']));
    expect(ru.problems).toEqual([]);
    await ru.close();

    const es = await openPage(browser);
    await es.page.goto(`${w.harness.url}/settings?lang=es`);
    await es.page.waitForSelector('[data-testid="kai-tab-activity"]');
    await tab(es.page, 'activity');
    await es.page.waitForSelector('[data-testid="kai-feed-item"] >> text=Idioma de la cuenta: modificado');
    const inSpanish = await feedText(es.page);
    expect(inSpanish).toContain('Cuenta de Kommo instalada');
    expect(inSpanish).toContain('Sincronización con Kommo completada');
    expect(inSpanish).not.toMatch(/Kommo sync completed|Kommo account installed|Синхронизация/);
    expect(es.problems).toEqual([]);
    await es.close();
  });
});
