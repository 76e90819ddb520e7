/**
 * The knowledge screen in Chromium against the real backend: a CSV price list uploaded from the file input,
 * a web page imported by URL (from a loopback server, with the operator's private-host switch) that shows
 * "Importing…" until its job has run, and an entry edited in place and shared with a second agent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

describe('knowledge sources in the admin app', () => {
  let w: RealWidgetWorld;
  let browser: Browser;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = createServer((req, res) => {
      if (req.url !== '/delivery') return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><head><title>Delivery FAQ</title></head><body><p>Pallets are delivered by freight within 7 business days.</p></body></html>');
    });
    await new Promise<void>((ok) => site.listen(0, '127.0.0.1', ok));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/delivery`;
    w = await startRealWidgetWorld({ seed: { leads: 5, contacts: 5 }, env: { KNOWLEDGE_ALLOW_PRIVATE_HOSTS: '1' } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    await new Promise((ok) => site?.close(ok));
  });

  const db = <T>(sql: string, ...args: unknown[]) => w.world.p.sqlite.prepare(sql).all(...args) as T[];
  const row = (page: Page, title: string) => page.locator('[data-testid="kai-knowledge-row"]', { hasText: title });

  it('uploads a price list, imports a page by URL, and edits and shares an entry in place', async () => {
    const ava = await w.must('POST', '/api/agents', { name: 'Ava' });
    const bob = await w.must('POST', '/api/agents', { name: 'Bob' });
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings`);
    await page.click('[data-testid="kai-tab-knowledge"]');
    await page.waitForSelector('[data-testid="kai-knowledge-add"]');

    // A CSV price list: read on the server, one retrievable row per product.
    await page.selectOption('[data-testid="kai-knowledge-add"] select', 'upload');
    await page.setInputFiles('[data-testid="kai-knowledge-add"] input[type=file]', resolve(import.meta.dirname, '../fixtures/knowledge/price-list.csv'));
    await page.click('[data-testid="kai-knowledge-save"]');
    await row(page, 'price-list').waitFor();
    await expect(row(page, 'price-list').innerText()).resolves.toContain('Table / price list');
    const [list] = db<{ id: number; kind: string }>("SELECT id, kind FROM knowledge_entries WHERE title = 'price-list'");
    expect(list).toMatchObject({ kind: 'table' });
    expect(db('SELECT count(*) n FROM knowledge_chunks WHERE entry_id = ?', list!.id)).toEqual([{ n: 6 }]);

    // A web page: queued, then filled in by the job; the screen looks again until it is done.
    await page.fill('[data-testid="kai-knowledge-import"] input', siteUrl);
    await page.click('[data-testid="kai-knowledge-import-save"]');
    await row(page, 'Delivery FAQ').waitFor({ timeout: 20_000 });
    await expect(row(page, 'Delivery FAQ').innerText()).resolves.toContain('Pallets are delivered by freight');
    await expect(row(page, 'Delivery FAQ').innerText()).resolves.toContain(`Source: ${siteUrl}`);

    // Edit in place and share with Bob.
    await row(page, 'price-list').locator('[data-testid="kai-knowledge-edit"]').click();
    const editor = page.locator('[data-testid="kai-knowledge-editor"]');
    await editor.locator('input.kai-input').first().fill('Prices 2026');
    await editor.getByLabel('Bob').check();
    await screenshot(page, 'real-admin-knowledge-sources');
    await page.click('[data-testid="kai-knowledge-edit-save"]');
    await row(page, 'Prices 2026').waitFor();
    await expect(row(page, 'Prices 2026').innerText()).resolves.toContain('2 agents');
    expect(db('SELECT agent_id FROM knowledge_entry_agents WHERE entry_id = ? ORDER BY agent_id', list!.id)).toEqual([
      { agent_id: ava.id },
      { agent_id: bob.id },
    ]);
    const bobHits = w.world.m.knowledge.services.knowledge.search(w.accountId, bob.id, 'How much is the Red Gadget?');
    expect(bobHits[0]).toMatchObject({ entryId: list!.id, title: 'Prices 2026', text: expect.stringMatching(/^Product: Red Gadget; Price: 249\.00/) });

    // The whole library: every entry of the account, and one added there belongs to no agent until shared.
    await page.selectOption('[data-testid="kai-agent-picker"]', '');
    await row(page, 'Delivery FAQ').waitFor();
    await page.selectOption('[data-testid="kai-knowledge-add"] select', 'text');
    const add = page.locator('[data-testid="kai-knowledge-add"]');
    await add.locator('input.kai-input').first().fill('Opening hours');
    await add.locator('textarea').fill('The showroom is open from 9 to 18 on weekdays.');
    await page.click('[data-testid="kai-knowledge-save"]');
    await row(page, 'Opening hours').waitFor();
    expect(db("SELECT count(*) n FROM knowledge_entry_agents l JOIN knowledge_entries e ON e.id = l.entry_id WHERE e.title = 'Opening hours'")).toEqual([
      { n: 0 },
    ]);
    await expect(page.locator('[data-testid="kai-knowledge-row"]').count()).resolves.toBe(3);

    expect(await harnessErrors(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
    // A browser on a machine shared by several test runs: room beyond vitest's 30 s default.
  }, 90_000);
});
