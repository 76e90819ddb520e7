/**
 * The real built script.js in real Chromium, inside the emulated Kommo host, against a small in-test
 * fake of the backend's widget API (fake-backend.ts, shaped like the real routes). It covers what is hard to
 * provoke in the real backend: a 503 and its Retry, request counts, pagination, dark theme. The same flows
 * against the real app and the Kommo simulator are in widget-real-*.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/widget/build.js';
import { startWidgetHarness, type WidgetHarness } from '../../scripts/widget/harness.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';
import { BUDGET_SPENT_LEAD, startFakeBackend, type FakeBackend } from './fake-backend.js';

const CLIENT = { clientId: 'b6a5c1e2-0000-4000-8000-000000000001', clientSecret: 'widget-smoke-secret' };
const ACCOUNT = { accountId: 31_000_001, userId: 8_001, subdomain: 'acme' };
/** First render of the lead-card panel after its data arrived, up to the frame after paint. */
const LCARD_RENDER_BUDGET_MS = 250;

describe('widget in Chromium against the emulated Kommo host', () => {
  let tmp: string;
  let backend: FakeBackend;
  let harness: WidgetHarness;
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kai-smoke-'));
    backend = await startFakeBackend({ ...CLIENT, failingLeads: [500] });
    await buildWidget({ publicUrl: backend.url, outDir: join(tmp, 'widget') });
    harness = await startWidgetHarness({ backendUrl: backend.url, ...CLIENT, ...ACCOUNT, widgetDir: join(tmp, 'widget') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await backend?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const requestsSince = (n: number) => backend.requests.slice(n).map((r) => `${r.method} ${r.path}`);

  it('renders the lead-card panel from one batch of requests, quickly, each with a fresh valid X-Auth-Token', async () => {
    const before = backend.requests.length;
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${harness.url}/card?lead=42`);
    await page.waitForSelector('[data-testid="kai-lcard"]');
    await page.waitForSelector('[data-testid="kai-lead-activity"] li');
    expect(await harnessErrors(page)).toEqual([]);

    const timing = await page.evaluate(() => {
      const m = performance.measure('kai:lcard:first-render', 'kai:lcard:data', 'kai:lcard:rendered');
      const rendered = performance.getEntriesByName('kai:lcard:rendered')[0];
      return { dataToRenderMs: m.duration, navigationToRenderMs: rendered?.startTime ?? -1 };
    });
    mkdirSync(resolve('test-results'), { recursive: true });
    writeFileSync(resolve('test-results/widget-lcard-timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    expect(timing.dataToRenderMs).toBeGreaterThanOrEqual(0);
    expect(timing.dataToRenderMs).toBeLessThan(LCARD_RENDER_BUDGET_MS);

    const panel = page.locator('[data-testid="kai-lcard"]');
    await expect(panel.locator('[data-testid="kai-agent"]').innerText()).resolves.toContain('Sofia — qualification');
    await expect.poll(() => panel.locator('[data-testid="kai-draft"]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => panel.locator('[data-testid="kai-replies"] li').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => panel.locator('[data-testid="kai-action"]').count(), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => panel.locator('[data-testid="kai-undo"]').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('[data-testid="kai-lead-activity"] li').count(), { timeout: 30_000 }).toBe(5);
    await screenshot(page, 'lcard');

    // The automation block: the stage's rule and the account-wide one (not the other pipeline's), the stage's sequence.
    await page.waitForSelector('[data-testid="kai-automation-rule"][data-id="31"]');
    await expect(page.locator('[data-testid="kai-automation-rule"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).resolves.toEqual([
      '31',
      '32',
    ]);
    await expect(page.locator('[data-testid="kai-automation-sequence"]').count()).resolves.toBe(1);

    // One batch: the panel, its activity, its automation, its email thread, and who the user is (asked once, not per item); each token verified and used once.
    const calls = backend.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/dashboard/updates',
      'GET /api/leads/42/agent',
      'GET /api/leads/42/emails',
      'GET /api/leads/42/enrollments',
      'GET /api/me',
      'GET /api/rules',
      'GET /api/sequences',
    ]);
    expect(calls.find((r) => r.path === '/api/dashboard/updates')?.query).toMatchObject({ leadId: '42', limit: '5' });
    for (const r of calls) {
      expect(r.claims).toMatchObject({
        account_id: ACCOUNT.accountId,
        user_id: ACCOUNT.userId,
        subdomain: 'acme',
        client_uuid: CLIENT.clientId,
        aud: backend.url,
        iss: 'https://acme.kommo.com',
      });
      expect((r.claims?.exp as number) - (r.claims?.iat as number)).toBe(1800);
    }
    expect(new Set(calls.map((r) => r.claims?.jti)).size).toBe(calls.length);
    expect(problems).toEqual([]);
    await close();
  });

  it('lets a manager undo, edit-and-approve a draft, pause/resume and ask for a suggestion', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${harness.url}/card?lead=43`);
    await page.waitForSelector('[data-testid="kai-lcard"]');

    await page.click('[data-testid="kai-undo"]');
    await page.waitForSelector('[data-testid="kai-action"] >> text=Undone');
    expect(backend.requests.some((r) => r.method === 'POST' && r.path === '/api/actions/701/undo')).toBe(true);
    // An action waiting for approval gets an Approve button that executes it.
    await page.click('[data-testid="kai-action-approve"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="kai-action-approve"]').length === 0);
    expect(backend.requests.some((r) => r.method === 'POST' && r.path === '/api/actions/703/approve')).toBe(true);

    await page.click('[data-testid="kai-edit"]');
    await page.fill('[data-testid="kai-draft"] textarea', 'Hi Anna! Does Wednesday 11 am suit you?');
    await page.click('[data-testid="kai-approve"]');
    await page.waitForSelector('[data-testid="kai-replies"] >> text=Does Wednesday 11 am suit you?');
    await expect.poll(() => page.locator('[data-testid="kai-draft"]').count(), { timeout: 30_000 }).toBe(0);
    await expect(page.getAttribute('[data-testid="kai-draft-sent"]', 'data-via')).resolves.toBe('salesbot');
    await expect(page.innerText('[data-testid="kai-draft-sent"]')).resolves.toContain('through Salesbot');
    const approve = backend.requests.find((r) => r.path === '/api/drafts/501/approve');
    expect(approve?.body).toEqual({ text: 'Hi Anna! Does Wednesday 11 am suit you?' });

    await page.click('[data-testid="kai-pause-1h"]');
    await page.waitForSelector('[data-testid="kai-resume"]');
    expect(backend.requests.find((r) => r.path === '/api/leads/43/agent/pause')?.body).toEqual({ minutes: 60 });
    await page.click('[data-testid="kai-resume"]');
    await page.waitForSelector('[data-testid="kai-pause-1h"]');

    await page.fill('[data-testid="kai-suggest"] textarea', 'How much is it?');
    await page.click('[data-testid="kai-suggest-run"]');
    await page.waitForSelector('[data-testid="kai-answer"]');
    const answer = await page.locator('[data-testid="kai-answer"]').innerText();
    expect(answer).toContain('Our plan starts at $20 per seat.');
    expect(answer).toContain('Invalid');
    expect(backend.requests.find((r) => r.path === '/api/agents/1/playground')?.body).toEqual({ message: 'How much is it?', leadId: 43 });
    await screenshot(page, 'lcard-after-actions');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows a user who is not an account admin no admin-only control: no Approve of a risky action, no suggestion, no rule switch, closed admin tabs', async () => {
    const rep = await startWidgetHarness({ backendUrl: backend.url, ...CLIENT, ...ACCOUNT, userId: 8_002, isAdmin: false, widgetDir: join(tmp, 'widget') });
    const { page, problems, close } = await openPage(browser);
    try {
      const before = backend.requests.length;
      await page.goto(`${rep.url}/card?lead=45`);
      await page.waitForSelector('[data-testid="kai-action-awaits-admin"] >> text=Waits for an administrator to approve');
      await page.waitForSelector('[data-testid="kai-automation-rule"][data-id="31"]');
      await expect(page.locator('[data-testid="kai-action-approve"]').count()).resolves.toBe(0);
      await expect(page.locator('[data-testid="kai-suggest"]').count()).resolves.toBe(0);
      await expect(page.locator('[data-testid="kai-automation-rule-toggle"]').count()).resolves.toBe(0);
      await expect(page.locator('[data-testid="kai-automation-sequence-open"]').count()).resolves.toBe(0);
      // Managing the lead stays theirs: undo, drafts, pause and enrolling are there.
      await page.waitForSelector('[data-testid="kai-undo"]');
      await page.waitForSelector('[data-testid="kai-pause-1h"]');
      await page.waitForSelector('[data-testid="kai-enroll-submit"]');
      await screenshot(page, 'lcard-nonadmin');

      await page.goto(`${rep.url}/settings?kai_tab=agents`);
      await page.waitForSelector('[data-testid="kai-admin-only"] >> text=Only account administrators can do this');
      await expect(page.locator('[data-testid="kai-agent-new"]').count()).resolves.toBe(0);
      await tab(page, 'connection');
      await page.waitForSelector('[data-testid="kai-connection"]');
      await expect(page.locator('[data-testid="kai-sync"]').count()).resolves.toBe(0);
      // Nothing an admin-only route would refuse was even asked for (the DP token included).
      const asked = requestsSince(before);
      for (const path of ['/api/integrations/dp-token', '/api/models', '/api/usage', '/api/agents/1/playground']) expect(asked.join('\n')).not.toContain(path);
      expect(backend.requests.slice(before).filter((r) => r.path === '/api/me')).toHaveLength(2);
      expect(problems).toEqual([]);
    } finally {
      await close();
      await rep.close();
    }
  });

  it("shows a backend error in the user's language with a Retry that recovers", async () => {
    const { page, close } = await openPage(browser);
    await page.goto(`${harness.url}/card?lead=500&lang=es`);
    const error = page.locator('[data-testid="kai-lcard-pending"] [data-testid="kai-error"]');
    await error.waitFor();
    const text = await error.innerText();
    expect(text).toContain('El servicio no está disponible temporalmente');
    expect(text).toContain('The agent service is restarting');
    expect(text).toContain('req-503-UNAVAILABLE');
    await screenshot(page, 'lcard-error-es');
    backend.healLead(500);
    await page.click('[data-testid="kai-lcard-pending"] [data-testid="kai-retry"]');
    await page.waitForSelector('[data-testid="kai-lcard"]');
    await expect(page.locator('[data-testid="kai-replies"]').innerText()).resolves.toContain('Últimas respuestas del agente');
    await close();
  });

  it('stays readable in the dark theme', async () => {
    const { page, close } = await openPage(browser, { colorScheme: 'dark' });
    await page.goto(`${harness.url}/card?lead=44&theme=dark`);
    await page.waitForSelector('[data-testid="kai-lcard"]');
    const ratio = await page.evaluate(() => {
      const rgb = (s: string) => (s.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: number[]) => {
        const [r, g, b] = c.map((v) => {
          const x = v / 255;
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
      };
      const fg = lum(rgb(getComputedStyle(document.querySelector('.kai-text')!).color));
      const bg = lum(rgb(getComputedStyle(document.querySelector('#card-widgets')!).backgroundColor));
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });
    expect(ratio).toBeGreaterThan(4.5);
    await screenshot(page, 'lcard-dark');
    await close();
  });

  it('runs the admin app: sync with progress, agents, the script library, knowledge, playground, activity (stages are bound on the pipeline board: stage-setup and real-backend tests)', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${harness.url}/settings?kai_tab=connection`);
    await page.waitForSelector('[data-testid="kai-connection"]');
    expect(await harnessErrors(page)).toEqual([]);
    await expect(page.locator('[data-testid="kai-connection"]').innerText()).resolves.toContain('ACME Inc.');

    await page.click('[data-testid="kai-sync"]');
    await page.waitForSelector('[data-testid="kai-sync-progress"] [role="progressbar"]');
    await screenshot(page, 'admin-connection-syncing');
    await page.waitForSelector('[data-testid="kai-connection"] >> text=Completed', { timeout: 15_000 });
    const polls = backend.requests.filter((r) => r.path === '/api/integrations/status').length;
    expect(polls).toBeGreaterThanOrEqual(3);

    await tab(page, 'agents');
    await expect.poll(() => page.locator('[data-testid="kai-agent-row"]').count(), { timeout: 30_000 }).toBe(2);
    await page.click('[data-testid="kai-agent-new"]');
    await page.click('[data-testid="kai-agent-save"]');
    await page.waitForSelector('[data-testid="kai-agent-editor"] .kai-field__error >> text=Required');
    await page.fill('[data-testid="kai-agent-name"]', 'Mia — reactivation');
    await page.selectOption('[data-testid="kai-agent-tool-failure"]', 'notify');
    await page.fill('[data-testid="kai-agent-max-chars"]', '600');
    await page.uncheck('input[aria-label="Move to Won: Needs approval"]');
    await screenshot(page, 'admin-agent-editor');
    await page.click('[data-testid="kai-agent-save"]');
    await page.waitForSelector('[data-testid="kai-agent-row"] >> text=Mia — reactivation');
    const created = backend.requests.find((r) => r.method === 'POST' && r.path === '/api/agents')?.body as Record<string, unknown>;
    expect(created).toMatchObject({
      name: 'Mia — reactivation',
      mode: 'draft',
      workingHours: null,
      approvalRequired: ['move_to_lost'],
      handoff: { keywords: [], afterTurns: null, onToolFailure: 'notify' },
      humanReplyPauseMinutes: 60,
      maxReplyChars: 600,
    });

    await tab(page, 'scripts');
    await page.click('[data-testid="kai-script-row"] >> text=Edit');
    await page.fill('[data-testid="kai-script-body"]', 'Hello ');
    await page.click('[data-testid="kai-variables"] >> text=Lead name');
    await expect(page.inputValue('[data-testid="kai-script-body"]')).resolves.toBe('Hello {{lead.name}}');
    await page.fill('[data-testid="kai-script-preview"] input', '42');
    await page.waitForSelector('[data-testid="kai-script-preview"] >> text=Hello ACME deal');
    await screenshot(page, 'admin-script-editor');
    await page.click('[data-testid="kai-script-save"]');
    await page.waitForSelector('[data-testid="kai-scripts"]');
    expect(backend.requests.find((r) => r.method === 'PATCH' && r.path === '/api/scripts/1')?.body).toMatchObject({ body: 'Hello {{lead.name}}' });

    await tab(page, 'knowledge');
    await page.waitForSelector('[data-testid="kai-knowledge-row"] >> text=Pricing');
    await page.selectOption('[data-testid="kai-knowledge-add"] select', 'upload');
    await page.setInputFiles('[data-testid="kai-knowledge-add"] input[type=file]', {
      name: 'returns.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Returns\nFull refund within 30 days.\n'),
    });
    await page.click('[data-testid="kai-knowledge-save"]');
    await page.waitForSelector('[data-testid="kai-knowledge-row"] >> text=returns.md');
    expect(backend.requests.find((r) => r.method === 'POST' && r.path === '/api/agents/1/knowledge')?.body).toEqual({
      kind: 'upload',
      title: 'returns.md',
      content: '# Returns\nFull refund within 30 days.\n',
    });
    await screenshot(page, 'admin-knowledge');

    await tab(page, 'playground');
    await page.fill('[data-testid="kai-chat-input"]', 'Do you have a free trial?');
    await page.click('[data-testid="kai-chat-send"]');
    await page.waitForSelector('[data-testid="kai-chat"] >> text=Our plan starts at $20 per seat.');
    await screenshot(page, 'admin-playground');

    await tab(page, 'activity');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="kai-feed-item"]').length === 20);
    // Each scroll to the sentinel loads exactly the next page (cursor from the previous one).
    for (const expected of [40, 45]) {
      await page.locator('[data-testid="kai-feed-more"]').scrollIntoViewIfNeeded();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="kai-feed-item"]').length === n, expected);
    }
    await page.waitForSelector("text=That's everything");
    const pages = backend.requests.filter((r) => r.path === '/api/dashboard/updates' && !r.query.leadId).map((r) => r.query.cursor ?? '');
    expect(pages.slice(-3)).toEqual(['', '20', '40']);
    await page.selectOption('[data-testid="kai-activity-type"]', 'agent.draft');
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('[data-testid="kai-feed-item"]')];
      return items.length > 0 && items.every((el) => el.textContent?.includes('AI draft'));
    });
    expect(backend.requests.at(-1)?.query).toMatchObject({ type: 'agent.draft', limit: '20' });
    await screenshot(page, 'admin-activity');
    expect(problems).toEqual([]);
    await close();
  }, 90_000);

  it('tells the card when the AI budget is spent or the model retired; the admin sees usage and sets a lower limit', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${harness.url}/card?lead=${BUDGET_SPENT_LEAD}`);
    await page.waitForSelector('[data-testid="kai-lcard"]');
    await expect(page.innerText('[data-testid="kai-budget-exhausted"]')).resolves.toContain("This month's AI budget is used up");
    await expect(page.innerText('[data-testid="kai-model-fallback"]')).resolves.toBe('Model gpt-4-retired is no longer offered: gpt-4o-mini answers instead.');
    await screenshot(page, 'lcard-budget-spent');

    await page.goto(`${harness.url}/settings?kai_tab=connection`);
    await page.waitForSelector('[data-testid="kai-admin"]');
    await tab(page, 'agents');
    await page.click('[data-testid="kai-agent-new"]');
    // The editor offers the operator's models only (a select once GET /api/models has answered).
    await page.waitForSelector('[data-testid="kai-agent-model"] option', { state: 'attached' });
    const options = await page.locator('[data-testid="kai-agent-model"] option').allInnerTexts();
    expect(options).toEqual(['gpt-4o-mini', 'gpt-4.1']);
    await tab(page, 'usage');
    await page.waitForSelector('[data-testid="kai-usage"]');
    await expect(page.innerText('[data-testid="kai-usage-cost"]')).resolves.toBe('$37.50 of $50.00');
    await page.fill('[data-testid="kai-usage-limit-usd"]', '-3');
    await page.click('[data-testid="kai-usage-save"]');
    await page.waitForSelector('[data-testid="kai-usage"] .kai-field__error >> text=A number above 0');
    await page.fill('[data-testid="kai-usage-limit-usd"]', '40');
    await page.click('[data-testid="kai-usage-save"]');
    await page.waitForSelector('[data-testid="kai-usage-cost"] >> text=$37.50 of $40.00');
    expect(backend.requests.filter((r) => r.path === '/api/usage/budget').map((r) => r.body)).toEqual([{ monthlyUsd: 40, monthlyTokens: null }]);
    await screenshot(page, 'admin-usage');
    expect(problems).toEqual([]);
    await close();
  });

  it('draws the settings modal intro, the DP agent picker and the Salesbot step', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${harness.url}/modal`);
    await page.waitForSelector('[data-testid="kai-settings"]');
    expect(await harnessErrors(page)).toEqual([]);
    await expect(page.getAttribute('[data-testid="kai-settings-link"]', 'href')).resolves.toBe('/settings/widgets/kai_agent/');
    // Kommo's Save button stays below our block.
    const order = await page.evaluate(() => {
      const ours = document.querySelector('[data-testid="kai-settings"]')!;
      const save = document.querySelector('#harness-save')!;
      return ours.compareDocumentPosition(save) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    await screenshot(page, 'settings-modal');

    const before = backend.requests.length;
    await page.goto(`${harness.url}/dp?pipeline=1&status=13`);
    await page.waitForSelector('[data-testid="kai-dp-agent"] option >> nth=2', { state: 'attached' });
    await page.selectOption('[data-testid="kai-dp-agent"]', { label: 'Leo — follow-ups' });
    await page.waitForSelector('[data-testid="kai-dp"] >> text=Saved');
    await expect(page.inputValue('input[name="agent_id"]')).resolves.toBe('2');
    // The action is signed with the account's Digital Pipeline token, which Kommo sends back with each trigger.
    await page.waitForSelector('[data-testid="kai-dp-token"]');
    await expect(page.inputValue('input[name="kai_dp_token"]')).resolves.toBe('dp-token-of-account-1');
    // The follow-up sequence: a picker of the account's sequences; the choice goes into Kommo's own field.
    await expect(page.locator('[data-testid="kai-dp-sequence"] option').allInnerTexts()).resolves.toEqual([expect.any(String), 'Qualified follow-up']);
    await page.selectOption('[data-testid="kai-dp-sequence"]', { label: 'Qualified follow-up' });
    await expect(page.inputValue('input[name="sequence_id"]')).resolves.toBe('41');
    expect(requestsSince(before).sort()).toEqual(['GET /api/agents', 'GET /api/integrations/dp-token', 'GET /api/sequences', 'PUT /api/bindings']);
    expect(backend.requests.findLast((r) => r.path === '/api/bindings')?.body).toEqual({ pipelineId: 1, statusId: 13, agentId: 2 });
    await screenshot(page, 'dp-settings');

    await page.goto(`${harness.url}/salesbot`);
    await page.waitForSelector('#salesbot-out:not(:empty)');
    const steps = JSON.parse(await page.innerText('#salesbot-out')) as { question: { handler: string; params: { url: string } }[] }[];
    expect(steps[0]?.question[0]).toMatchObject({ handler: 'widget_request', params: { url: `${backend.url}/salesbot/dev` } });
    expect(problems).toEqual([]);
    await close();
  });
});

async function tab(page: Page, key: string) {
  await page.click(`[data-testid="kai-tab-${key}"]`);
  await page.waitForSelector(`[data-testid="kai-tab-${key}"][aria-selected="true"]`);
}
