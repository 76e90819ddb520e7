/**
 * The lead card in Chromium against the real backend and the Kommo simulator: the agent's state badge says
 * exactly what is true ("Hand off" creates the task and the notification, "Return to agent" makes it active),
 * and a draft lists the CRM actions proposed with it, one removed before approval and the rest run in Kommo.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { fakeOpenAI, LLM_BASE } from '../agents/helpers.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

describe('lead card: agent state, Hand off / Return, and the actions proposed with a draft', () => {
  const llm = fakeOpenAI();
  let w: RealWidgetWorld;
  let browser: Browser;
  let leadA: number;
  let leadB: number;
  let leadC: number;
  let leadD: number;
  let leadE: number;

  beforeAll(async () => {
    llm.listen();
    w = await startRealWidgetWorld({
      seed: { leads: 10, contacts: 5 },
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: LLM_BASE, OPENAI_TIMEOUT_MS: '5000', OPENAI_MODEL: 'gpt-4o-mini', WEBHOOK_BURST_WINDOW_MS: '0' },
      beforeInstall(sim) {
        const sales = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
        const statusOf = (name: string) => sales._embedded.statuses.find((s) => s.name === name)!.id;
        const [a, b, c, d, e] = [...sim.state.leads.values()];
        sim.updateLead(a!.id, { pipeline_id: sales.id, status_id: statusOf('Qualified') });
        sim.updateLead(b!.id, { pipeline_id: sales.id, status_id: statusOf('Negotiation') });
        leadA = a!.id;
        leadB = b!.id;
        sim.updateLead(c!.id, { pipeline_id: sales.id, status_id: statusOf('Proposal sent') });
        leadC = c!.id;
        sim.updateLead(d!.id, { pipeline_id: sales.id, status_id: statusOf('Proposal sent') });
        leadD = d!.id;
        const partners = [...sim.state.pipelines.values()].find((p) => p.name === 'Partners')!;
        sim.updateLead(e!.id, { pipeline_id: partners.id, status_id: partners._embedded.statuses.find((s) => s.name === 'First contact')!.id });
        leadE = e!.id;
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterEach(() => llm.reset());

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    llm.server.close();
  });

  const db = <T>(sql: string, ...args: unknown[]) => w.world.p.sqlite.prepare(sql).all(...args) as T[];

  it('after "Hand off" the badge says handed off (task and notification made); "Return to agent" restores active', async () => {
    await w.agentOnStage(w.stage('Qualified'), { name: 'Ava', mode: 'autopilot', instructions: 'Qualify the lead.' });
    const responsible = w.sim.state.users.get(w.sim.state.leads.get(leadA)!.responsible_user_id!)!;
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadA}`);
    await page.waitForSelector('[data-testid="kai-state"][data-state="active"]');
    await expect(page.locator('[data-testid="kai-state"] .kai-badge').innerText()).resolves.toBe('Active');

    await page.click('[data-testid="kai-hand-off"]');
    await page.waitForSelector('[data-testid="kai-state"][data-state="handed_off"]');
    await expect(page.locator('[data-testid="kai-state"] .kai-badge').innerText()).resolves.toBe(`Handed off to ${responsible.name}`);
    await expect(page.locator('[data-testid="kai-state-detail"]').innerText()).resolves.toContain('handed it off from the lead card');
    // No "Active" badge beside the handoff any more, and no pause buttons: only "Return to agent".
    expect(await page.locator('[data-testid="kai-pause-1h"]').count()).toBe(0);
    const tasks = [...w.sim.state.tasks.values()].filter((t) => t.entity_id === leadA);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ responsible_user_id: responsible.id, text: expect.stringContaining('AI agent "Ava" handed this lead to you') });
    expect(db("SELECT user_id AS userId FROM mail_notifications WHERE lead_id = ? AND kind = 'agent_handoff'", leadA)).toEqual([{ userId: responsible.id }]);
    await screenshot(page, 'real-lcard-handed-off');

    await page.click('[data-testid="kai-return"]');
    await page.waitForSelector('[data-testid="kai-state"][data-state="active"]');
    await page.waitForSelector('[data-testid="kai-hand-off"]');
    expect(db('SELECT handoff_active AS active FROM lead_agent_state WHERE lead_id = ?', leadA)).toEqual([{ active: 0 }]);
    expect(await harnessErrors(page)).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it('a draft shows its proposed actions; the one removed before approval never runs, the kept one runs with the stage the manager chose', async () => {
    await w.agentOnStage(w.stage('Negotiation'), {
      name: 'Dora',
      mode: 'draft',
      instructions: 'Answer and keep the CRM up to date.',
      allowedActions: ['move_to_stage', 'add_tags', 'update_field'],
    });
    const proposal = w.stage('Proposal sent');
    const priority = [...w.sim.state.customFields.leads.values()].find((f) => f.name === 'Priority')!;
    llm.reply({
      content: 'I will send the proposal today.',
      toolCalls: [
        { name: 'move_to_stage', args: { statusId: proposal.statusId } },
        { name: 'add_tags', args: { tags: ['hot'] } },
        { name: 'update_field', args: { fieldId: priority.id, value: 'Low' } },
      ],
    });
    await w.salesbotRequest(leadB, 'Please send the proposal');
    let drafts: { id: number; actions: unknown[] }[] = [];
    for (let i = 0; i < 100 && drafts.length === 0; i++) {
      await w.world.p.worker.drain();
      drafts = (await w.must('GET', `/api/leads/${leadB}/agent`)).drafts;
      if (!drafts.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(drafts[0]!.actions).toHaveLength(3);
    expect(w.sim.state.leads.get(leadB)!.status_id).toBe(w.stage('Negotiation').statusId);

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadB}`);
    await page.waitForSelector('[data-testid="kai-draft-action"][data-type="add_tags"]');
    await expect(page.locator('[data-testid="kai-draft-actions"]').innerText()).resolves.toContain('Move to Proposal sent (Sales)');
    // A tag longer than Kommo takes: the server refuses the approval, and says so once, beside that action; nothing ran.
    const tags = page.locator('[data-testid="kai-draft-action"][data-type="add_tags"]');
    await tags.locator('[data-testid="kai-draft-action-edit"]').click();
    await tags.locator('[data-testid="kai-action-edit-tags"]').fill('x'.repeat(60));
    await tags.locator('[data-testid="kai-action-edit-done"]').click();
    await page.click('[data-testid="kai-approve"]');
    await tags.locator('[data-testid="kai-draft-action-error"]').waitFor();
    await expect(page.locator('[data-testid="kai-draft"] [data-testid="kai-error"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="kai-draft-action-error"]').count()).resolves.toBe(1);
    expect(w.sim.state.leads.get(leadB)!.status_id).toBe(w.stage('Negotiation').statusId);
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('status of 422')));
    await tags.locator('[data-testid="kai-draft-action-toggle"]').click();
    await page.waitForSelector('[data-testid="kai-draft-action"][data-type="add_tags"][data-removed="true"]');
    // The manager moves the lead back to Qualified instead: a stage picked from the pipeline, not an id typed into JSON.
    const chosen = w.stage('Qualified');
    const move = page.locator('[data-testid="kai-draft-action"][data-type="move_to_stage"]');
    await move.locator('[data-testid="kai-draft-action-edit"]').click();
    await expect.poll(() => move.locator('[data-testid="kai-action-edit-stage"]').inputValue()).toBe(`${proposal.pipelineId}:${proposal.statusId}`);
    await move.locator('[data-testid="kai-action-edit-stage"]').selectOption(`${chosen.pipelineId}:${chosen.statusId}`);
    await move.locator('[data-testid="kai-action-edit-done"]').click();
    await expect(move.locator('[data-testid="kai-draft-action-edited"]').innerText()).resolves.toContain('changed to Sales › Qualified');
    // And sets Priority to High, not the model's Low: the field's own options, by name.
    const field = page.locator('[data-testid="kai-draft-action"][data-type="update_field"]');
    await field.locator('[data-testid="kai-draft-action-edit"]').click();
    await expect.poll(() => field.locator('[data-testid="kai-action-edit-value"] option').allInnerTexts()).toEqual(['Low', 'Medium', 'High']);
    await field.locator('[data-testid="kai-action-edit-value"]').selectOption('High');
    await field.locator('[data-testid="kai-action-edit-done"]').click();
    await expect(field.locator('[data-testid="kai-draft-action-edited"]').innerText()).resolves.toContain('changed to Priority: High');
    await screenshot(page, 'real-lcard-draft-actions');
    await page.click('[data-testid="kai-approve"]');
    await page.waitForSelector('[data-testid="kai-draft-sent"][data-via="salesbot"]');

    // Kommo received the edited stage, not the model's.
    const lead = w.sim.state.leads.get(leadB)!;
    expect(lead.status_id).toBe(chosen.statusId);
    expect(lead.custom_fields_values?.find((f) => f.field_id === priority.id)?.values[0]?.value).toBe('High');
    expect((lead._embedded?.tags ?? []).map((t) => t.name)).not.toContain('hot');
    expect(db('SELECT type, status FROM agent_actions WHERE lead_id = ? ORDER BY seq', leadB)).toEqual([
      { type: 'move_to_stage', status: 'done' },
      { type: 'add_tags', status: 'discarded' },
      { type: 'update_field', status: 'done' },
    ]);
    expect(w.sim.state.salesbotContinues.at(-1)).toMatchObject({ body: { data: { reply: 'I will send the proposal today.' } } });
    expect(problems).toEqual([]);
    await close();
  });

  it('a suggestion is inserted as a draft, approved, and goes out through the waiting Salesbot; Copy says Copied', async () => {
    // Pia (draft mode) drafted her own answer; the Salesbot request is still waiting.
    await w.agentOnStage(w.stage('First contact', 'Partners'), { name: 'Pia', mode: 'draft', instructions: 'Answer partners.' });
    llm.reply({ content: 'Let me check that for you.' });
    await w.salesbotRequest(leadE, 'Can we see a demo?');
    for (let i = 0; i < 100 && !(await w.must('GET', `/api/leads/${leadE}/agent`)).drafts.length; i++) {
      await w.world.p.worker.drain();
      await new Promise((r) => setTimeout(r, 50));
    }
    const { page, problems, close } = await openPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(`${w.harness.url}/card?lead=${leadE}`);
    await page.waitForSelector('[data-testid="kai-draft"]');
    llm.reply({ content: 'We can book a demo on Tuesday at 10:00, if that suits you.' });
    await page.click('[data-testid="kai-suggest-run"]');
    await page.waitForSelector('[data-testid="kai-answer"] >> text=We can book a demo on Tuesday');

    await page.click('[data-testid="kai-suggest-copy"]');
    await page.waitForSelector('[data-testid="kai-suggest-done"][data-done="copied"] >> text=Copied');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('We can book a demo on Tuesday at 10:00, if that suits you.');

    await page.click('[data-testid="kai-suggest-draft"]');
    await page.waitForSelector('[data-testid="kai-suggest-done"][data-done="drafted"]');
    await expect.poll(() => page.locator('[data-testid="kai-draft"]').count()).toBe(2);
    // The newest draft is the suggestion; before the click it says it will go through the waiting Salesbot.
    const inserted = page.locator('[data-testid="kai-draft"]').first();
    await expect(inserted.innerText()).resolves.toContain('We can book a demo on Tuesday at 10:00, if that suits you.');
    await expect(inserted.locator('[data-testid="kai-draft-reach"]').getAttribute('data-via')).resolves.toBe('salesbot');
    await screenshot(page, 'real-lcard-suggestion-draft');
    await inserted.locator('[data-testid="kai-approve"]').click();
    await page.waitForSelector('[data-testid="kai-draft-sent"][data-via="salesbot"]');
    expect(w.sim.state.salesbotContinues.at(-1)).toMatchObject({ body: { data: { reply: 'We can book a demo on Tuesday at 10:00, if that suits you.' } } });
    expect(problems).toEqual([]);
    await close();
  }, 90_000);

  it('a draft shows the client message it answers; a reply the price guardrail replaced shows the original and the reason', async () => {
    await w.agentOnStage(w.stage('Proposal sent'), { name: 'Gail', mode: 'draft', instructions: 'Answer pricing questions.' });
    llm.reply({ content: 'The enterprise plan costs $4,999 a month.' });
    await w.salesbotRequest(leadC, 'How much is the enterprise plan?');
    let drafts: { id: number; text: string }[] = [];
    for (let i = 0; i < 100 && drafts.length === 0; i++) {
      await w.world.p.worker.drain();
      drafts = (await w.must('GET', `/api/leads/${leadC}/agent`)).drafts;
      if (!drafts.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(drafts[0]!.text).toBe('Thank you! A colleague will confirm the exact price and conditions for you shortly.');

    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadC}`);
    await page.waitForSelector('[data-testid="kai-draft-replies-to"]');
    await expect(page.locator('[data-testid="kai-draft-replies-to"]').innerText()).resolves.toContain('How much is the enterprise plan?');
    await expect(page.locator('[data-testid="kai-guardrail"]').innerText()).resolves.toContain('$4,999');
    await page.click('[data-testid="kai-guardrail"] summary');
    await expect(page.locator('[data-testid="kai-guardrail-original"]').innerText()).resolves.toBe('The enterprise plan costs $4,999 a month.');
    // Before the click, the card says how the draft will reach the client: this one through the waiting Salesbot.
    await expect(page.getAttribute('[data-testid="kai-draft-reach"]', 'data-via')).resolves.toBe('salesbot');
    await screenshot(page, 'real-lcard-draft-guardrail');

    // A chat lead whose message came only as a webhook (no Salesbot with our step): the draft says "note only", and why.
    llm.reply({ content: 'Yes, we are here. How can I help?' });
    const wrote = await w.sim.clientWrites(leadD, 'Is anyone there?');
    expect(wrote.salesbots).toEqual([]);
    let noteOnly: { id: number }[] = [];
    for (let i = 0; i < 100 && noteOnly.length === 0; i++) {
      await w.world.p.worker.drain();
      noteOnly = (await w.must('GET', `/api/leads/${leadD}/agent`)).drafts;
      if (!noteOnly.length) await new Promise((r) => setTimeout(r, 50));
    }
    await page.goto(`${w.harness.url}/card?lead=${leadD}`);
    await page.waitForSelector('[data-testid="kai-draft-reach"][data-via="note"]');
    await expect(page.locator('[data-testid="kai-draft-reach"]').innerText()).resolves.toContain('Note only');
    await expect(page.locator('[data-testid="kai-draft-reach"]').innerText()).resolves.toContain('no Salesbot with our widget step');

    // Discarding asks once, with a reason from a picker, which the quality figures count.
    await page.click('[data-testid="kai-discard"]');
    await page.selectOption('[data-testid="kai-discard-reason"]', 'handled_myself');
    await page.click('[data-testid="kai-discard-confirm"]');
    await page.waitForSelector('[data-testid="kai-draft"]', { state: 'detached' });
    expect(
      db<{ reason: string }>(
        "SELECT json_extract(metadata, '$.reason') AS reason FROM activity_logs WHERE type = 'agent.draft_discarded' AND lead_id = ?",
        leadD,
      ),
    ).toEqual([{ reason: 'handled_myself' }]);

    // The card's cost and quality panel, asked for when opened: this lead's one discarded draft.
    await page.click('[data-testid="kai-lead-quality"] summary');
    await page.waitForSelector('[data-testid="kai-lead-quality"] [data-testid="kai-quality-figures"]');
    await expect(page.locator('[data-testid="kai-quality-figures"] [data-key="drafts"] dd').innerText()).resolves.toBe('0 / 0 / 1');

    // The admin app's table per agent: Gail with the guardrail draft still pending and this one discarded.
    await page.goto(`${w.harness.url}/settings?kai_tab=quality`);
    await page.waitForSelector('[data-testid="kai-quality-agent"] >> text=Gail');
    await expect(page.locator('[data-testid="kai-quality-agent"]', { hasText: 'Gail' }).innerText()).resolves.toContain('0 / 0 / 1');
    expect(problems).toEqual([]);
    await close();
  }, 90_000);

  it('admin app: an action kind ticked "Runs at once in draft mode" is saved on the agent', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=connection`);
    await page.waitForSelector('[data-testid="kai-connection"]');
    await tab(page, 'agents');
    await page.click('[data-testid="kai-agent-new"]');
    await page.fill('[data-testid="kai-agent-name"]', 'Nina — tags at once');
    await page.check('input[aria-label="Add tags: Runs at once in draft mode"]');
    await page.check('input[aria-label="Add note: Runs at once in draft mode"]');
    expect(await page.locator('input[aria-label="Hand off to a person: Runs at once in draft mode"]').count()).toBe(0);
    await page.click('[data-testid="kai-agent-save"]');
    await page.waitForSelector('[data-testid="kai-agent-row"] >> text=Nina — tags at once');
    const nina = ((await w.must('GET', '/api/agents')).items as any[]).find((a) => a.name === 'Nina — tags at once');
    expect(nina).toMatchObject({ mode: 'draft', runWithoutApproval: ['add_note', 'add_tags'] });
    expect(problems).toEqual([]);
    await close();
  });
});

async function tab(page: Page, key: string) {
  await page.click(`[data-testid="kai-tab-${key}"]`);
  await page.waitForSelector(`[data-testid="kai-tab-${key}"][aria-selected="true"]`);
}
