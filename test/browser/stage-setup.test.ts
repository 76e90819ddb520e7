import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetHarness } from '../../scripts/widget/harness.js';
import { startRealWidgetWorld, type RealWidgetWorld } from '../../scripts/widget/real-world.js';
import { fakeOpenAI, LLM_BASE } from '../agents/helpers.js';
import { harnessErrors, launchChromium, openPage, screenshot } from './browser.js';

const SCRIPT_START = 'Greet ';
const SCRIPT_END = ' and offer the Basic plan before anything else.';
const ENTRY = { title: 'Basic plan price', content: 'The Basic plan price is 49 USD per month, billed monthly.' };

describe('"This stage": a stage set up from the lead card, read-only for a salesperson, the same on the pipeline board', () => {
  const llm = fakeOpenAI();
  let w: RealWidgetWorld;
  let browser: Browser;
  let repHarness: WidgetHarness;
  /** Two leads in Sales/Qualified (no agent there yet), one in Sales/Negotiation (no agent either). */
  let leadA: number;
  let leadB: number;
  let leadC: number;
  let leadAName: string;
  /** Set by the first case: the stage it set up, for the two that look at it. */
  let setUp: { agentId: number; scriptBody: string } | null = null;

  beforeAll(async () => {
    llm.listen();
    w = await startRealWidgetWorld({
      seed: { leads: 10, contacts: 5 },
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: LLM_BASE, OPENAI_TIMEOUT_MS: '5000', OPENAI_MODEL: 'gpt-4o-mini' },
      beforeInstall(sim) {
        const sales = [...sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
        const statusOf = (name: string) => sales._embedded.statuses.find((s) => s.name === name)!.id;
        const [a, b, c] = [...sim.state.leads.values()];
        sim.updateLead(a!.id, { pipeline_id: sales.id, status_id: statusOf('Qualified') });
        sim.updateLead(b!.id, { pipeline_id: sales.id, status_id: statusOf('Qualified') });
        sim.updateLead(c!.id, { pipeline_id: sales.id, status_id: statusOf('Negotiation') });
        [leadA, leadB, leadC, leadAName] = [a!.id, b!.id, c!.id, a!.name];
      },
    });
    const rep = [...w.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    repHarness = await w.harnessFor(rep.id, { isAdmin: false });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await w?.close();
    llm.server.close();
  });

  const stagePath = () => `/api/stages/${w.stage('Qualified').pipelineId}/${w.stage('Qualified').statusId}`;

  it('an admin sets up the stage from a lead card; the next client message on another lead of the stage is answered with its script', async () => {
    expect((await w.must('GET', stagePath())).agent).toBeNull();
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadA}`);
    await page.waitForSelector('[data-testid="kai-agent"] >> text=No AI agent works this lead\'s stage');
    expect(await harnessErrors(page)).toEqual([]);

    // Every click, fill and choice the admin makes, counted.
    let actions = 0;
    const act = async (fn: () => Promise<unknown>) => {
      actions++;
      await fn();
    };
    // The dead end is gone: the card offers the admin to set the stage up, and that opens "This stage" ready for it.
    await expect(page.locator('[data-testid="kai-setup-stage"]').innerText()).resolves.toBe('Set up an agent for Qualified');
    await act(() => page.click('[data-testid="kai-setup-stage"]'));
    await page.waitForSelector('[data-testid="kai-tab-stage"][aria-selected="true"]');
    await page.waitForSelector('[data-testid="kai-stage-editor"][data-state="edit"]');
    await expect(page.inputValue('[data-testid="kai-stage-agent"]')).resolves.toBe('new');
    // Model, temperature and the length cap are out of sight until "Advanced" is opened.
    await expect(page.locator('[data-testid="kai-stage-editor"] details').getAttribute('open')).resolves.toBeNull();

    await act(() => page.fill('[data-testid="kai-stage-agent-name"]', 'Quinn — qualified'));
    await act(() => page.fill('[data-testid="kai-stage-agent-instructions"]', 'Qualify the lead and propose a plan.'));
    await act(() => page.selectOption('[data-testid="kai-stage-agent-mode"]', 'autopilot'));
    // The script: text, then a variable inserted at the cursor from the picker, then more text.
    await act(() => page.fill('[data-testid="kai-stage-script-body"]', SCRIPT_START));
    await page.focus('[data-testid="kai-stage-script-body"]');
    await page.press('[data-testid="kai-stage-script-body"]', 'End');
    await act(() => page.click('[data-testid="kai-stage-variables"] button >> text=Lead name'));
    // The cursor is back in the text, after the variable: typing goes on from there.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'kai-stage-script-body');
    await act(() => page.keyboard.type(SCRIPT_END));
    const scriptBody = `${SCRIPT_START}{{lead.name}}${SCRIPT_END}`;
    await expect(page.inputValue('[data-testid="kai-stage-script-body"]')).resolves.toBe(scriptBody);
    // The live preview renders it on this lead.
    await page.waitForSelector(`[data-testid="kai-stage-preview"] >> text=${SCRIPT_START}${leadAName}${SCRIPT_END}`);

    await act(() => page.fill('[data-testid="kai-stage-entry-title"]', ENTRY.title));
    await act(() => page.fill('[data-testid="kai-stage-entry-content"]', ENTRY.content));
    await act(() => page.click('[data-testid="kai-stage-entry-add"]'));
    await page.waitForSelector(`[data-testid="kai-stage-entry"] >> text=${ENTRY.title}`);
    await expect(page.locator('[data-testid="kai-stage-applies"]').innerText()).resolves.toBe('Applies to every lead in Qualified.');
    await screenshot(page, 'stage-lcard-setup');
    await act(() => page.click('[data-testid="kai-stage-save"]'));
    await page.waitForSelector('[data-testid="kai-stage-saved"]');
    // The editor shows the saved stage: the agent picked, the script and the entry its own.
    await expect(page.locator('[data-testid="kai-stage-agent"] option:checked').innerText()).resolves.toBe('Quinn — qualified');
    await expect(page.inputValue('[data-testid="kai-stage-script-body"]')).resolves.toBe(scriptBody);
    await page.waitForSelector(`[data-testid="kai-stage-entry"] >> text=${ENTRY.title}`);
    await screenshot(page, 'stage-lcard-saved');
    // The admin path from the card to a working stage, counted: this is the number to keep small.
    expect(actions).toBe(11);
    // The lead's own tab follows: the stage's agent now works this lead.
    await tab(page, 'lead');
    await page.waitForSelector('[data-testid="kai-agent"] >> text=Quinn — qualified');
    await expect(page.locator('[data-testid="kai-setup-stage"]').count()).resolves.toBe(0);

    // What the backend now holds for the stage, through the ordinary APIs.
    const stage = await w.must('GET', stagePath());
    expect(stage).toMatchObject({
      agent: { name: 'Quinn — qualified', mode: 'autopilot' },
      script: { body: scriptBody, agentId: null, stages: [w.stage('Qualified')] },
      knowledge: { count: 1, items: [{ title: ENTRY.title }] },
    });
    const agent = await w.must('GET', `/api/agents/${stage.agent.id}`);
    expect(agent).toMatchObject({ instructions: 'Qualify the lead and propose a plan.', mode: 'autopilot' });
    expect(agent.allowedActions).toContain('handoff_to_human');
    setUp = { agentId: stage.agent.id, scriptBody };

    // A client writes on lead B, in the same stage: the agent answers, and its model was given the stage's script.
    llm.reply({ content: 'Hi! The Basic plan is 49 USD per month.' });
    const { continueId } = await w.salesbotRequest(leadB, 'What is the price of the Basic plan?');
    for (let i = 0; i < 100 && w.sim.state.salesbotContinues.length === 0; i++) {
      await w.world.p.worker.drain();
      if (!w.sim.state.salesbotContinues.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(llm.requests).toHaveLength(1);
    const prompt = (llm.requests[0].messages as { role: string; content: string }[]).map((m) => m.content).join('\n');
    expect(prompt).toContain(scriptBody);
    expect(prompt).toContain('Qualify the lead and propose a plan.');
    expect(prompt).toContain(ENTRY.content);
    expect(w.sim.state.salesbotContinues).toEqual([
      expect.objectContaining({
        continueId,
        body: expect.objectContaining({ data: expect.objectContaining({ reply: 'Hi! The Basic plan is 49 USD per month.' }) }),
      }),
    ]);
    expect(problems).toEqual([]);
    await close();
  }, 90_000);

  it('a salesperson sees the tab read-only, and no setup button on a stage without an agent', async () => {
    expect(setUp).not.toBeNull();
    const rep = await openPage(browser);
    await rep.page.goto(`${repHarness.url}/card?lead=${leadA}`);
    await rep.page.waitForSelector('[data-testid="kai-agent"] >> text=Quinn — qualified');
    expect(await harnessErrors(rep.page)).toEqual([]);
    await tab(rep.page, 'stage');
    const editor = rep.page.locator('[data-testid="kai-stage-editor"][data-state="read-only"]');
    await editor.waitFor();
    await expect(editor.innerText()).resolves.toContain("Only account administrators can change this stage's setup.");
    await expect(rep.page.inputValue('[data-testid="kai-stage-agent-name"]')).resolves.toBe('Quinn — qualified');
    await expect(rep.page.inputValue('[data-testid="kai-stage-script-body"]')).resolves.toBe(setUp!.scriptBody);
    await rep.page.waitForSelector(`[data-testid="kai-stage-entry"] >> text=${ENTRY.title}`);
    // Every control is disabled, and there is nothing to save, add or share.
    await expect(
      rep.page
        .locator('[data-testid="kai-stage-editor"] fieldset')
        .first()
        .evaluate((el) => (el as HTMLFieldSetElement).disabled),
    ).resolves.toBe(true);
    await expect(rep.page.locator('[data-testid="kai-stage-agent-name"]').isEditable()).resolves.toBe(false);
    await expect(rep.page.locator('[data-testid="kai-stage-script-body"]').isEditable()).resolves.toBe(false);
    for (const id of ['kai-stage-save', 'kai-stage-entry-add', 'kai-stage-share', 'kai-stage-variables', 'kai-stage-preview']) {
      await expect(rep.page.locator(`[data-testid="${id}"]`).count(), id).resolves.toBe(0);
    }
    await screenshot(rep.page, 'stage-lcard-nonadmin');

    // Lead C's stage has no agent: the salesperson is told so, without the admin's setup button.
    await rep.page.goto(`${repHarness.url}/card?lead=${leadC}`);
    await rep.page.waitForSelector('[data-testid="kai-agent"] >> text=No AI agent works this lead\'s stage');
    await expect(rep.page.locator('[data-testid="kai-setup-stage"]').count()).resolves.toBe(0);
    await tab(rep.page, 'stage');
    await rep.page.waitForSelector('[data-testid="kai-stage-editor"][data-state="no-agent"] >> text=No AI agent works Negotiation.');
    await expect(rep.page.locator('[data-testid="kai-stage-setup"]').count()).resolves.toBe(0);
    expect(rep.problems).toEqual([]);
    await rep.close();
  });

  it('the pipeline board shows the same setup and opens the same editor, previewing on a lead of the stage chosen by name', async () => {
    expect(setUp).not.toBeNull();
    const { page, problems, close } = await openPage(browser);
    // The admin app opens on the board: setup starts from the stages (no separate bindings tab exists any more).
    await page.goto(`${w.harness.url}/settings`);
    await page.waitForSelector('[data-testid="kai-tab-board"][aria-selected="true"]');
    await expect(page.locator('[data-testid="kai-tab-bindings"]').count()).resolves.toBe(0);
    const q = w.stage('Qualified');
    const col = page.locator(`[data-testid="kai-board-col"][data-stage="${q.pipelineId}:${q.statusId}"]`);
    await col.waitFor();
    await expect(col.locator('[data-testid="kai-board-agent"]').innerText()).resolves.toMatch(/Quinn — qualified\s*Autopilot/);
    await expect(col.locator('[data-testid="kai-board-script"]').innerText()).resolves.toBe('Qualified');
    await expect(col.locator('[data-testid="kai-board-counts"]').innerText()).resolves.toBe('Knowledge: 1 · Rules: 0 · Sequences: 0');
    // The stage's hours, how a reply reaches the client (the first case's Salesbot request told us the bot), and today.
    await expect(col.locator('[data-testid="kai-board-hours"]').innerText()).resolves.toMatch(/^(Answers around the clock|.+\(.+\))$/);
    await expect(col.locator('[data-testid="kai-board-channels"]').getAttribute('data-reach')).resolves.toBe('salesbot');
    await expect(col.locator('[data-testid="kai-board-channels"]').innerText()).resolves.toMatch(/✓ Chats \(Salesbot\)\s+✗ Email/);
    await expect(col.locator('[data-testid="kai-board-today"]').innerText()).resolves.toBe('Today — replies: 1 · drafts waiting: 0 · handoffs: 0');
    const n = w.stage('Negotiation');
    await expect(page.locator(`[data-testid="kai-board-col"][data-stage="${n.pipelineId}:${n.statusId}"]`).innerText()).resolves.toContain('No agent');
    await screenshot(page, 'stage-board');

    await col.click();
    await page.waitForSelector('[data-testid="kai-stage-editor"][data-state="edit"]');
    await expect(page.locator('[data-testid="kai-stage-agent"] option:checked').innerText()).resolves.toBe('Quinn — qualified');
    await expect(page.inputValue('[data-testid="kai-stage-agent-mode"]')).resolves.toBe('autopilot');
    await expect(page.inputValue('[data-testid="kai-stage-script-body"]')).resolves.toBe(setUp!.scriptBody);
    await page.waitForSelector(`[data-testid="kai-stage-entry"] >> text=${ENTRY.title}`);
    // The preview lead is chosen by name among the stage's open leads.
    const names = await page.locator('[data-testid="kai-stage-preview-lead"] option').allInnerTexts();
    expect(names).toContain(leadAName);
    await page.selectOption('[data-testid="kai-stage-preview-lead"]', { label: leadAName });
    await page.waitForSelector(`[data-testid="kai-stage-preview"] >> text=${SCRIPT_START}${leadAName}${SCRIPT_END}`);
    await screenshot(page, 'stage-board-editor');
    expect(problems).toEqual([]);
    await close();
  });

  it('a bad variable is shown once, next to the script; the retry does not create the agent twice; an existing entry is shared with it', async () => {
    expect(setUp).not.toBeNull();
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/card?lead=${leadC}`);
    await page.click('[data-testid="kai-setup-stage"]');
    await page.waitForSelector('[data-testid="kai-stage-editor"][data-state="edit"]');
    await page.fill('[data-testid="kai-stage-agent-name"]', 'Nora — negotiation');
    await page.fill('[data-testid="kai-stage-script-body"]', 'Confirm {{lead.nope}} before the contract.');
    await page.selectOption('[data-testid="kai-stage-share"]', { label: ENTRY.title });
    await page.waitForSelector(`[data-testid="kai-stage-entry"] >> text=${ENTRY.title}`);
    await page.click('[data-testid="kai-stage-save"]');
    // The server's word on the body, once, under the script field: the live preview said it there already, the
    // save says it in the same place, and there is no second report in a box with a request id.
    const scriptError = page.locator('[data-testid="kai-stage-script"] .kai-field__error');
    await scriptError.waitFor();
    await expect(page.locator('.kai-field__error').count()).resolves.toBe(1);
    await expect(scriptError.innerText()).resolves.toBe('unknown variable {{lead.nope}}');
    await expect(page.locator('[data-testid="kai-stage-editor"] [data-testid="kai-error"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="kai-stage-saved"]').count()).resolves.toBe(0);
    await screenshot(page, 'stage-lcard-bad-variable');
    // The agent was made before the script failed: the form now edits it.
    await expect(page.locator('[data-testid="kai-stage-agent"] option:checked').innerText()).resolves.toBe('Nora — negotiation');

    await page.fill('[data-testid="kai-stage-script-body"]', 'Confirm the budget of {{lead.name}} before the contract.');
    await page.click('[data-testid="kai-stage-save"]');
    await page.waitForSelector('[data-testid="kai-stage-saved"]');
    const agents = ((await w.must('GET', '/api/agents')).items as { id: number; name: string }[]).filter((a) => a.name === 'Nora — negotiation');
    expect(agents).toHaveLength(1);
    const n = w.stage('Negotiation');
    const stage = await w.must('GET', `/api/stages/${n.pipelineId}/${n.statusId}`);
    expect(stage).toMatchObject({
      agent: { id: agents[0]!.id, name: 'Nora — negotiation', mode: 'draft' },
      script: { body: 'Confirm the budget of {{lead.name}} before the contract.', stages: [n] },
      knowledge: { count: 1, items: [{ title: ENTRY.title }] },
    });
    // The entry is shared: Quinn keeps it, Nora has it too.
    const entry = ((await w.must('GET', '/api/knowledge')).items as { title: string; agentIds: number[] }[]).find((e) => e.title === ENTRY.title)!;
    expect([...entry.agentIds].sort((a, b) => a - b)).toEqual([setUp!.agentId, agents[0]!.id].sort((a, b) => a - b));
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    await close();
  });

  it('the script library: a bad variable is said once, beside the field; a save says Saved; deleting asks once', async () => {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${w.harness.url}/settings?kai_tab=scripts`);
    await page.click('[data-testid="kai-script-new"]');
    await page.fill('[data-testid="kai-script-name"]', 'Library opener');
    await page.fill('[data-testid="kai-script-body"]', 'Hi {{lead.nope}}');
    await page.click('[data-testid="kai-script-save"]');
    const editor = page.locator('[data-testid="kai-script-editor"]');
    await editor.locator('.kai-field__error').waitFor();
    await expect(editor.locator('.kai-field__error').count()).resolves.toBe(1);
    await expect(editor.locator('.kai-field__error').innerText()).resolves.toBe('unknown variable {{lead.nope}}');
    await expect(editor.locator('[data-testid="kai-error"]').count()).resolves.toBe(0);

    await page.fill('[data-testid="kai-script-body"]', 'Hi {{lead.name}}');
    await page.click('[data-testid="kai-script-save"]');
    await page.waitForSelector('[data-testid="kai-scripts"] [data-testid="kai-saved"] >> text=Saved');
    const id = ((await w.must('GET', '/api/scripts')).items as { id: number; name: string }[]).find((x) => x.name === 'Library opener')!.id;

    await page.click('[data-testid="kai-script-row"]:has-text("Library opener") >> text=Edit');
    await page.click('[data-testid="kai-script-delete"]');
    // The first click only asks.
    await page.waitForSelector('[data-testid="kai-confirm-yes"] >> text=Yes, delete');
    expect(((await w.must('GET', '/api/scripts')).items as { id: number }[]).some((x) => x.id === id)).toBe(true);
    await page.click('[data-testid="kai-confirm-yes"]');
    await page.waitForSelector('[data-testid="kai-scripts"]');
    expect(((await w.must('GET', '/api/scripts')).items as { id: number }[]).some((x) => x.id === id)).toBe(false);
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    await close();
  });
});

async function tab(page: Page, key: string) {
  await page.click(`[data-testid="kai-tab-${key}"]`);
  await page.waitForSelector(`[data-testid="kai-tab-${key}"][aria-selected="true"]`);
}
