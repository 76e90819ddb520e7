import { describe, expect, it } from 'vitest';
import { toolsFor } from '../modules/actions/actions.tools.js';
import { validateToolCall } from '../modules/actions/actions.validate.js';
import type { CrmCatalog } from '../modules/mirror/mirror-read.repo.js';
import { buildTurnMessages, type TurnContextInput } from '../modules/agents/turn.context.js';
import type { LlmMessage } from './llm.types.js';
import { createDemoModel, DEMO_LABEL, DEMO_MODEL } from './demo-model.js';

const catalog: CrmCatalog = {
  stages: [{ pipelineId: 1, statusId: 11, name: 'Qualified', pipelineName: 'Sales' } as CrmCatalog['stages'][number]],
  leadFields: [
    { id: 801, name: 'Source', code: null, type: 'select', enums: ['Website', 'Referral'].map((value, i) => ({ id: 900 + i, value })) },
    { id: 802, name: 'Priority', code: null, type: 'select', enums: ['Low', 'Medium', 'High'].map((value, i) => ({ id: 910 + i, value })) },
    { id: 803, name: 'Deal notes', code: null, type: 'textarea', enums: null },
  ],
  users: [{ id: 5, name: 'Olga Petrova' }],
  taskTypes: [
    { id: 1, name: 'Follow-up' },
    { id: 3, name: 'Call' },
  ],
};
// 'Hand off to a person' ticked, as the default agent has it (without it the tool is not offered).
const allowed = ['create_task', 'update_field', 'add_note', 'handoff_to_human'];

function prompt(history: TurnContextInput['history']): LlmMessage[] {
  return buildTurnMessages({
    agent: { name: 'Ava', instructions: 'Qualify the lead.', tone: 'friendly', language: 'en', allowedActions: allowed, maxReplyChars: 600 },
    accountName: 'Simco',
    lead: { id: 42, name: 'CRM rollout', price: 1200, tags: [], customFields: [] },
    stage: { pipelineName: 'Sales', name: 'Qualified' },
    contact: { id: 7, name: 'Maria Lopez', firstName: 'Maria', lastName: 'Lopez', emails: [], phones: [], customFields: [] } as never,
    responsibleUser: 'Olga Petrova',
    script:
      '1. Answer from the knowledge base. Say: "How many people will use the CRM?"\n2. Book the call. Say: "Our manager will call you to confirm the time."',
    knowledge: [
      { chunkId: 1, entryId: 3, title: 'Pricing', text: 'Q: How much does it cost?\nA: The Team plan costs $25 per user per month. Setup is free.', score: -2 },
      { chunkId: 2, entryId: 4, title: 'Onboarding', text: 'Onboarding takes two weeks with a dedicated manager.', score: -1 },
    ],
    catalog,
    history,
  }).messages;
}

const model = createDemoModel();
const ask = (messages: LlmMessage[]) => model.chat({ model: 'gpt-4o-mini', temperature: 0.3, messages, tools: toolsFor(allowed) });

describe('demo model', () => {
  it('answers from the knowledge and the script, labelled, with no tool call for a plain question', async () => {
    const r = await ask(prompt([{ direction: 'inbound', author: 'client', channel: 'telegram', text: 'Hello! How much does the Team plan cost?' }]));
    expect(r.model).toBe(DEMO_MODEL);
    expect(r.content).toBe(`${DEMO_LABEL} Hi Maria! The Team plan costs $25 per user per month. Setup is free. How many people will use the CRM?`);
    expect(r.toolCalls).toEqual([]);
    expect(r.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
  });

  it('answers a second question from a second excerpt, and quotes nothing that shares under two words', async () => {
    const two = await ask(
      prompt([{ direction: 'inbound', author: 'client', channel: 'telegram', text: 'What does the Team plan cost, and does onboarding come with a manager?' }]),
    );
    expect(two.content).toBe(
      `${DEMO_LABEL} Hi Maria! The Team plan costs $25 per user per month. Setup is free. Onboarding takes two weeks with a dedicated manager. How many people will use the CRM?`,
    );
    const none = await ask(prompt([{ direction: 'inbound', author: 'client', channel: 'telegram', text: 'Good morning, who is this?' }]));
    expect(none.content).toBe(`${DEMO_LABEL} Hi Maria! How many people will use the CRM?`);
  });

  it('calls create_task and update_field with arguments the real validator accepts, and is deterministic', async () => {
    const messages = prompt([
      { direction: 'inbound', author: 'client', channel: 'telegram', text: 'Hello! How much does the Team plan cost?' },
      { direction: 'outbound', author: 'agent', channel: 'telegram', text: `${DEMO_LABEL} Hi Maria!` },
      { direction: 'inbound', author: 'client', channel: 'telegram', text: 'About 12 people. It is a high priority for us: can we book a call tomorrow?' },
    ]);
    const r = await ask(messages);
    expect(await ask(messages)).toEqual(r);
    expect(r.content).toBe(`${DEMO_LABEL} Our manager will call you to confirm the time.`);
    const ctx = { catalog, lead: { pipelineId: 1, statusId: 11, responsibleUserId: 5 }, allowed, approvalRequired: [] };
    const checked = r.toolCalls.map((c) => validateToolCall(c.name, c.arguments, ctx));
    expect(checked.map((v) => (v.ok ? v.action.type : v.error))).toEqual(['create_task', 'update_field']);
    expect(JSON.parse(r.toolCalls[0]!.arguments)).toMatchObject({ text: expect.stringContaining(DEMO_LABEL), taskTypeId: 3, dueInHours: 24 });
    expect(JSON.parse(r.toolCalls[1]!.arguments)).toEqual({ fieldId: 802, value: 'High' });
  });

  it('hands off when the client asks for a person, and continues without tools after a tool error', async () => {
    const r = await ask(prompt([{ direction: 'inbound', author: 'client', channel: 'telegram', text: 'Can I talk to a human please?' }]));
    expect(r.toolCalls.map((c) => c.name)).toEqual(['handoff_to_human']);
    const retry = await ask([
      ...prompt([{ direction: 'inbound', author: 'client', channel: 'telegram', text: 'Book a call tomorrow' }]),
      { role: 'tool', toolCallId: 'demo_call_1', content: 'Error: no' },
    ]);
    expect(retry.toolCalls).toEqual([]);
    expect(retry.content).toMatch(/^\[demo model\] /);
  });
});
