/**
 * Cost and quality in sight, in Chromium against the real backend and the Kommo simulator: seeded turns of one
 * draft-mode agent (a draft sent unchanged, one edited, one discarded with a reason, an action undone, and a
 * draft whose approved move took the lead to the next stage) show in the lead card's panel, in the admin app's
 * table per stage and agent and its 30-day chart, and in the stage's settings (its acceptance rate and the autopilot
 * suggestion an admin confirms), where an admin also switches email replies on for the stage.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { fakeOpenAI, LLM_BASE } from '../agents/helpers.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

describe('the cost and quality panel shows the figures of seeded turns', () => {
  const llm = fakeOpenAI();
  let w: RealWidgetWorld;
  let browser: Browser;
  let leads: number[] = [];

  beforeAll(async () => {
    llm.listen();
    w = await startRealWidgetWorld({
      seed: { leads: 6, contacts: 4 },
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: LLM_BASE,
        OPENAI_TIMEOUT_MS: '5000',
        OPENAI_MODEL: 'gpt-4o-mini',
        WEBHOOK_BURST_WINDOW_MS: '0',
        // Autopilot is suggested here from 4 decided drafts with half of them unchanged (the defaults are 50 and 90%).
        QUALITY_AUTOPILOT_MIN_DRAFTS: '4',
        QUALITY_AUTOPILOT_MIN_UNCHANGED_PCT: '50',
      },
      beforeInstall(sim) {
        const sales = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
        const qualified = sales._embedded.statuses.find((s) => s.name === 'Qualified')!.id;
        leads = [...sim.state.leads.values()].slice(0, 4).map((l) => l.id);
        for (const id of leads) sim.updateLead(id, { pipeline_id: sales.id, status_id: qualified });
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    llm.server.close();
  });

  /** The client writes through the Salesbot; the agent's draft (and the actions proposed with it) comes back. */
  async function draftFor(leadId: number, content: string, toolCalls: { name: string; args: Record<string, unknown> }[] = []) {
    llm.reply({ content, toolCalls });
    await w.salesbotRequest(leadId, 'What does the starter plan include?');
    for (let i = 0; i < 200; i++) {
      await w.world.p.worker.drain();
      const drafts = (await w.must('GET', `/api/leads/${leadId}/agent`)).drafts as { id: number }[];
      if (drafts.length) return drafts[0]!.id;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no draft for lead ${leadId}`);
  }

  it('an accepted, an edited and a discarded draft, an undo, and a lead that advanced a stage', async () => {
    const [a, b, c, d] = leads as [number, number, number, number];
    const qualified = w.stage('Qualified');
    const proposal = w.stage('Proposal sent');
    const agent = await w.agentOnStage(qualified, {
      name: 'Quinn',
      mode: 'draft',
      instructions: 'Qualify the lead.',
      allowedActions: ['add_tags', 'move_to_stage', 'add_note'],
      runWithoutApproval: [],
    });
    const reply = 'The starter plan includes the CRM and two pipelines.';
    const accepted = await draftFor(a, reply);
    const edited = await draftFor(b, reply, [{ name: 'add_tags', args: { tags: ['pricing'] } }]);
    const discarded = await draftFor(c, 'Buy now!!!');
    const advancing = await draftFor(d, 'Great, I have moved you on to a proposal.', [{ name: 'move_to_stage', args: { statusId: proposal.statusId } }]);
    await w.must('POST', `/api/drafts/${accepted}/approve`, {}, 200);
    await w.must('POST', `/api/drafts/${edited}/approve`, { text: 'The starter plan includes the CRM, two pipelines and email support.' }, 200);
    await w.must('POST', `/api/drafts/${discarded}/discard`, { reason: 'wrong_tone' }, 200);
    await w.must('POST', `/api/drafts/${advancing}/approve`, {}, 200);
    expect(w.sim.state.leads.get(d)!.status_id).toBe(proposal.statusId);
    const tag = w.world.p.sqlite.prepare("SELECT id FROM agent_actions WHERE type = 'add_tags' AND status = 'done'").get() as { id: number };
    await w.must('POST', `/api/actions/${tag.id}/undo`, {}, 200);

    const { page, problems, close } = await openPage(browser);
    const figure = (key: string) => page.locator(`[data-testid="kai-lead-quality"] [data-key="${key}"] dd`).innerText();

    // The lead card's panel, one lead at a time: the edited draft with its undone tag…
    await page.goto(`${w.harness.url}/card?lead=${b}`);
    await page.click('[data-testid="kai-lead-quality"] summary');
    await page.waitForSelector('[data-testid="kai-lead-quality"] [data-testid="kai-quality-figures"]');
    await expect(figure('drafts')).resolves.toBe('0 / 1 / 0');
    await expect(figure('undone')).resolves.toBe('1 / 1');
    await expect(figure('edit_ratio')).resolves.toMatch(/^\d+%$/);
    await expect(figure('advanced')).resolves.toBe('0');
    // …and the lead that advanced a stage on the agent's approved move, with no human reply.
    await page.goto(`${w.harness.url}/card?lead=${d}`);
    await page.click('[data-testid="kai-lead-quality"] summary');
    await page.waitForSelector('[data-testid="kai-lead-quality"] [data-testid="kai-quality-figures"]');
    await expect(figure('drafts')).resolves.toBe('1 / 0 / 0');
    await expect(figure('advanced')).resolves.toBe('1');
    await screenshot(page, 'quality-lead-panel');

    // The admin app: the account's figures, the table per stage and agent, and the chart of the last 30 days.
    await page.goto(`${w.harness.url}/settings?kai_tab=quality`);
    const row = page.locator(`[data-testid="kai-quality-stage"][data-status="${qualified.statusId}"]`, { hasText: 'Quinn' });
    await row.waitFor();
    await expect(row.locator('td').first().innerText()).resolves.toBe('Sales › Qualified');
    await expect(row.locator('[data-key="drafts"]').innerText()).resolves.toBe('2 / 1 / 1');
    await expect(row.locator('[data-key="advanced"]').innerText()).resolves.toBe('1');
    await expect(row.innerText()).resolves.toContain('Ready for autopilot');
    const totals = (key: string) => page.locator(`[data-testid="kai-quality"] [data-testid="kai-quality-figures"] [data-key="${key}"] dd`).innerText();
    await expect(totals('drafts')).resolves.toBe('2 / 1 / 1');
    await expect(totals('undone')).resolves.toBe('1 / 2');
    await expect(totals('accepted')).resolves.toBe('50%');
    await expect(totals('discard_reasons')).resolves.toBe('Wrong tone 1');
    await expect(totals('advanced')).resolves.toBe('1');
    expect(await page.locator('[data-testid="kai-quality-chart"] g[data-day]').count()).toBeGreaterThanOrEqual(30);
    await expect(page.locator('[data-testid="kai-quality-chart"] g[data-day]').last().getAttribute('data-advanced')).resolves.toBe('1');
    await expect(page.locator('[data-testid="kai-quality-chart-advanced"]').innerText()).resolves.toContain(': 1');
    await screenshot(page, 'quality-admin');

    // The stage's settings: its acceptance rate and the suggestion, which changes nothing until an admin confirms it;
    // and the email switch an admin turns on for the stage.
    await page.goto(`${w.harness.url}/card?lead=${a}`);
    await page.click('[data-testid="kai-tab-stage"]');
    await page.waitForSelector('[data-testid="kai-stage-editor"][data-state="edit"]');
    await expect(page.locator('[data-testid="kai-stage-acceptance"]').innerText()).resolves.toBe('50% of drafts sent unchanged (4 decided, last 30 days)');
    await expect(page.locator('[data-testid="kai-stage-suggestion"]').innerText()).resolves.toContain('Ready for autopilot');
    expect((await w.must('GET', `/api/agents/${agent.id}`)).mode).toBe('draft');
    await page.click('[data-testid="kai-stage-suggestion-confirm"]');
    await page.waitForSelector('[data-testid="kai-stage-quality"]:not(:has([data-testid="kai-stage-suggestion"]))');
    expect((await w.must('GET', `/api/agents/${agent.id}`)).mode).toBe('autopilot');
    await expect(page.inputValue('[data-testid="kai-stage-agent-mode"]')).resolves.toBe('autopilot');
    await page.check('[data-testid="kai-stage-reply-by-email"]');
    await page.click('[data-testid="kai-stage-save"]');
    await page.waitForSelector('[data-testid="kai-stage-saved"]');
    // "Saved" may still be on screen from the mode switch above: wait for the binding itself.
    await expect
      .poll(async () => (await w.must('GET', '/api/bindings')).items, { timeout: 10_000 })
      .toEqual([expect.objectContaining({ ...qualified, agentId: agent.id, replyByEmail: true })]);
    await expect(page.isChecked('[data-testid="kai-stage-reply-by-email"]')).resolves.toBe(true);
    expect(await harnessErrors(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  }, 120_000);
});
