import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

describe('/api/agents and /api/bindings', () => {
  it('creates with defaults, reads, patches partially, lists per account and deletes', async () => {
    w = await startAgentWorld();
    const created = await w.api('POST', '/api/agents', { name: 'Ava', accountId: 1 });
    expect(created.status).toBe(422); // the account comes from the token, never the body
    expect(created.body.errors[0].field).toBe('(body)');
    const ok = await w.api('POST', '/api/agents', { name: 'Ava', handoff: { keywords: ['human'] } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      name: 'Ava',
      model: 'gpt-4o-mini',
      mode: 'draft',
      language: 'auto',
      workingHours: null,
      handoff: { keywords: ['human'], afterTurns: null, onToolFailure: 'handoff' },
      approvalRequired: ['move_to_won', 'move_to_lost', 'assign_user'],
    });
    const id = ok.body.id;
    const patched = await w.api('PATCH', `/api/agents/${id}`, { temperature: 0.9, handoff: { afterTurns: 5 } });
    expect(patched.body).toMatchObject({ temperature: 0.9, name: 'Ava', handoff: { keywords: ['human'], afterTurns: 5 } });
    const bad = await w.api('PATCH', `/api/agents/${id}`, { allowedActions: ['delete_lead'], temperature: 7 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['allowedActions.0', 'temperature']);
    expect((await w.api('GET', '/api/agents')).body.items).toHaveLength(1);
    expect((await w.api('GET', '/api/agents', undefined, { accountId: 999 })).body.items).toHaveLength(0);
    expect((await w.api('GET', `/api/agents/${id}`, undefined, { accountId: 999 })).status).toBe(404);
    expect((await w.api('DELETE', `/api/agents/${id}`)).status).toBe(204);
    expect((await w.api('GET', `/api/agents/${id}`)).status).toBe(404);
  });

  it('binds a stage to one agent, checked against the synced pipelines; unknown stages are 422 naming the field', async () => {
    w = await startAgentWorld();
    await w.installAndSync();
    const a = (await w.api('POST', '/api/agents', { name: 'A' })).body;
    const b = (await w.api('POST', '/api/agents', { name: 'B' })).body;
    const q = w.stage('Qualified');
    expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: a.id })).body.items).toEqual([
      { pipelineId: w.pipeline.id, statusId: q.id, agentId: a.id, onStageEnter: 'off', replyByEmail: false },
    ]);
    // one agent per stage: rebinding replaces; the stage-entry setting and the email switch are kept unless given
    expect(
      (await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: b.id, onStageEnter: 'greet', replyByEmail: true })).body.items,
    ).toEqual([{ pipelineId: w.pipeline.id, statusId: q.id, agentId: b.id, onStageEnter: 'greet', replyByEmail: true }]);
    expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: b.id })).body.items).toEqual([
      { pipelineId: w.pipeline.id, statusId: q.id, agentId: b.id, onStageEnter: 'greet', replyByEmail: true },
    ]);
    const notABool = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: b.id, replyByEmail: 'yes' });
    expect(notABool.status).toBe(422);
    expect(JSON.stringify(notABool.body)).toContain('replyByEmail');
    const unknownStage = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: 123, agentId: a.id });
    expect(unknownStage.status).toBe(422);
    expect(unknownStage.body.errors).toEqual([{ field: 'statusId', message: expect.stringContaining('does not exist') }]);
    const unknownPipe = await w.api('PUT', '/api/bindings', { pipelineId: 5, statusId: q.id, agentId: a.id });
    expect(unknownPipe.body.errors[0].field).toBe('pipelineId');
    const foreignAgent = await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: a.id }, { accountId: 999 });
    expect(foreignAgent.body.errors[0].field).toBe('agentId');
    // a stage deleted in Kommo (and marked so by the sync) cannot be bound
    const doomed = w.sim.addPipelineStatus(w.pipeline.id, 'Temporary');
    await w.api('POST', '/api/integrations/sync');
    await w.drain();
    expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: doomed.id, agentId: a.id })).status).toBe(200);
    w.sim.deletePipelineStatus(w.pipeline.id, doomed.id);
    await w.api('POST', '/api/integrations/sync');
    await w.drain();
    expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: doomed.id, agentId: a.id })).status).toBe(422);
    expect((await w.api('PUT', '/api/bindings', { pipelineId: w.pipeline.id, statusId: q.id, agentId: null })).body.items).toEqual([
      { pipelineId: w.pipeline.id, statusId: doomed.id, agentId: a.id, onStageEnter: 'off', replyByEmail: false },
    ]);
    // deleting an agent removes its bindings
    await w.api('DELETE', `/api/agents/${a.id}`);
    expect((await w.api('GET', '/api/bindings')).body.items).toEqual([]);
  });
});

describe('/api/scripts', () => {
  it('renders variables from the synced lead, contact, user, fields and account; refuses unknown variables at save', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    const product = [...w.sim.state.customFields.leads.values()].find((f) => f.name === 'Product')!;
    const contact = [...w.sim.state.contacts.values()][0]!;
    w.sim.updateLead(leadId, {
      name: 'Big deal',
      price: 4200,
      custom_fields_values: [{ field_id: product.id, field_name: 'Product', field_code: null, field_type: 'text', values: [{ value: 'Mobile app' }] }],
      _embedded: { tags: [], contacts: [{ id: contact.id, is_main: true }], companies: [] },
    });
    await w.installAndSync();
    const user = w.sim.state.users.get(w.sim.state.leads.get(leadId)!.responsible_user_id)!;

    const vars = await w.api('GET', '/api/scripts/variables');
    expect(vars.body.variables).toEqual(
      expect.arrayContaining([
        { key: 'lead.name', label: 'Lead name' },
        { key: `lead.cf.${product.id}`, label: 'Lead field: Product' },
      ]),
    );

    const refused = await w.api('POST', '/api/scripts', { name: 'S', body: 'Hi {{contact.first_name}}, about {{lead.cf.999}} and {{lead.secret}}' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('{{lead.cf.999}}');
    expect(refused.body.detail).toContain('{{lead.name}}'); // lists the valid ones
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['body', 'body']);
    expect(refused.body.validVariables).toContain(`lead.cf.${product.id}`);

    const body =
      'Hello {{contact.first_name}} ({{contact.name}})! {{user.name}} from {{account.name}} here about "{{lead.name}}" ({{lead.price}}) for {{ lead.cf.' +
      product.id +
      ' }}.';
    const preview = await w.api('POST', '/api/scripts/preview', { body, leadId });
    expect(preview.body.rendered).toBe(
      `Hello ${contact.first_name} (${contact.name})! ${user.name} from ${w.sim.state.account.name} here about "Big deal" (4200) for Mobile app.`,
    );

    const agent = await agentOnStage(w, 'Qualified');
    const created = await w.api('POST', '/api/scripts', {
      agentId: agent.id,
      name: 'Qualify',
      body,
      stages: [{ pipelineId: w.pipeline.id, statusId: w.stage('Qualified').id }],
    });
    expect(created.status).toBe(201);
    expect((await w.api('POST', '/api/scripts', { name: 'X', body: 'ok', stages: [{ pipelineId: w.pipeline.id, statusId: 1 }] })).body.errors[0].field).toBe(
      'stages.0.statusId',
    );
    expect((await w.api('GET', `/api/scripts?agentId=${agent.id}`)).body.items).toEqual([
      { id: created.body.id, agentId: agent.id, name: 'Qualify', body, stages: [{ pipelineId: w.pipeline.id, statusId: w.stage('Qualified').id }] },
    ]);
    expect((await w.api('PATCH', `/api/scripts/${created.body.id}`, { body: '{{nope}}' })).status).toBe(422);

    // the lead's stage script goes into the agent's context as the company wrote it; the values of its
    // variables are CRM data, so they travel in the data message, never in the system instructions
    llm.reply({ content: 'Hi!' });
    w.clientWrites(leadId, 'Hello');
    await w.drain();
    const [system, data] = llm.requests[0].messages;
    expect(system.content).toContain(`<sales_script>\n${body}\n</sales_script>`);
    expect(system.content).not.toContain(contact.name);
    expect(data.role).toBe('user');
    const values = JSON.parse(data.content.replace(/^<crm_data>\n|\n<\/crm_data>$/g, '')).script_variables;
    expect(values).toEqual({
      'contact.first_name': contact.first_name,
      'contact.name': contact.name,
      'user.name': user.name,
      'account.name': w.sim.state.account.name,
      'lead.name': 'Big deal',
      'lead.price': 4200,
      [`lead.cf.${product.id}`]: 'Mobile app',
    });
    expect((await w.api('DELETE', `/api/scripts/${created.body.id}`)).status).toBe(204);
  });
});

describe('knowledge base', () => {
  it('chunks entries, retrieves the relevant ones with FTS5 and deletes them from the index', async () => {
    w = await startAgentWorld();
    const agent = (await w.api('POST', '/api/agents', { name: 'K' })).body;
    const long = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: our onboarding includes training session number ${i} for the whole team.`).join('\n\n');
    const e1 = await w.api('POST', `/api/agents/${agent.id}/knowledge`, { kind: 'markdown', title: 'Onboarding', content: `# Onboarding\n\n${long}` });
    expect(e1.status).toBe(201);
    await w.api('POST', `/api/agents/${agent.id}/knowledge`, {
      kind: 'faq',
      title: 'Refunds',
      question: 'Can I get a refund?',
      answer: 'Yes, within 30 days of purchase.',
    });
    await w.api('POST', `/api/agents/${agent.id}/knowledge`, { kind: 'text', title: 'Shipping', content: 'We ship hardware worldwide in 5 days.' });
    const bad = await w.api('POST', `/api/agents/${agent.id}/knowledge`, { kind: 'faq', title: 'x', content: 'no question' });
    expect(bad.status).toBe(422);
    expect(w.count('SELECT count(*) n FROM knowledge_chunks WHERE entry_id = ?', e1.body.id)).toBeGreaterThan(1);
    for (const c of w.p.sqlite.prepare('SELECT text FROM knowledge_chunks').all() as { text: string }[]) expect(c.text.length).toBeLessThanOrEqual(800);

    const hits = w.m.knowledge.services.knowledge.search(w.accountId, agent.id, 'how do refunds work? can I get my money back');
    expect(hits[0]).toMatchObject({ title: 'Refunds' });
    expect(w.m.knowledge.services.knowledge.search(w.accountId, agent.id, 'shipping time')[0]).toMatchObject({ title: 'Shipping' });
    expect(w.m.knowledge.services.knowledge.search(w.accountId, agent.id, 'NEAR("x" OR) * ^')).toEqual([]); // client text is never FTS syntax
    expect(w.m.knowledge.services.knowledge.search(999, agent.id, 'refund')).toEqual([]);

    const list = await w.api('GET', `/api/agents/${agent.id}/knowledge`);
    expect(list.body.items.map((i: any) => [i.kind, i.title])).toEqual([
      ['markdown', 'Onboarding'],
      ['faq', 'Refunds'],
      ['text', 'Shipping'],
    ]);
    const refund = list.body.items[1];
    expect((await w.api('DELETE', `/api/knowledge/${refund.id}`, undefined, { accountId: 999 })).status).toBe(404);
    expect((await w.api('DELETE', `/api/knowledge/${refund.id}`)).status).toBe(204);
    expect(w.m.knowledge.services.knowledge.search(w.accountId, agent.id, 'refund')).toEqual([]);
  });
});

describe('playground', () => {
  it('answers with the reply, validated actions and citations, and writes nothing to Kommo', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified');
    await w.api('POST', `/api/agents/${agent.id}/knowledge`, {
      kind: 'faq',
      title: 'Demo',
      question: 'Can I get a demo?',
      answer: 'Yes, demos are on Tuesdays.',
    });
    const proposal = w.stage('Proposal sent');
    llm.reply(
      {
        content: 'Sure!',
        toolCalls: [
          { name: 'move_to_stage', args: { statusId: proposal.id } },
          { name: 'assign_user', args: { userId: 1 } },
        ],
      },
      { content: 'Sure, demos are on Tuesdays!' }, // after the invalid call went back to the model
    );
    const writes = w.kommoWrites().length;
    const requests = w.sim.requests.length;
    const r = await w.api('POST', `/api/agents/${agent.id}/playground`, { message: 'Can I get a demo?', leadId });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      reply: 'Sure, demos are on Tuesdays!',
      actions: [
        {
          type: 'move_to_stage',
          args: { pipelineId: w.pipeline.id, statusId: proposal.id, stageName: 'Proposal sent' },
          valid: true,
          summary: 'Move to Proposal sent (Sales)',
        },
        { type: 'assign_user', args: { userId: 1 }, valid: false, error: expect.stringContaining('not available') },
      ],
      citations: [{ entryId: expect.any(Number), title: 'Demo' }],
      // the chunks the model was given, so the admin sees what the answer rests on
      retrieved: [{ chunkId: expect.any(Number), entryId: expect.any(Number), title: 'Demo', text: 'Q: Can I get a demo?\nA: Yes, demos are on Tuesdays.' }],
    });
    // a made-up lead works too
    llm.reply({ content: 'Hello Maria!' });
    const fake = await w.api('POST', `/api/agents/${agent.id}/playground`, {
      message: 'hi',
      lead: { name: 'Maria', price: 100, fields: { Product: 'Website' } },
    });
    expect(fake.body.reply).toBe('Hello Maria!');
    // the test lead's fields are web-form values: data in the user role, not in the system instructions
    expect(llm.requests[2].messages[0].content).not.toMatch(/Product\W+Website/);
    expect(llm.requests[2].messages[1]).toMatchObject({ role: 'user', content: expect.stringContaining('"web_form": {\n  "Product": "Website"') });
    expect(w.kommoWrites().length).toBe(writes);
    expect(w.sim.requests.length).toBe(requests);
    expect(
      w.count('SELECT count(*) n FROM agent_actions') + w.count('SELECT count(*) n FROM agent_turns') + w.count('SELECT count(*) n FROM agent_drafts'),
    ).toBe(0);
  });
});

describe('other triggers', () => {
  it('a Digital Pipeline stage entry and a missed call start a turn; a webhook-sourced stage change does not', async () => {
    w = await startAgentWorld();
    const leadId = leadInStage(w, 'Qualified');
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft' });
    const q = w.stage('Qualified');
    llm.reply({ content: 'Welcome! Shall we book a call?' }, { content: 'Sorry we missed your call!' });
    w.p.tx(() => w.p.bus.emit('lead_stage_entered', { accountId: w.accountId, leadId, pipelineId: w.pipeline.id, statusId: q.id, source: 'webhook' }));
    await w.drain();
    expect(llm.requests).toHaveLength(0);
    w.p.tx(() => w.p.bus.emit('lead_stage_entered', { accountId: w.accountId, leadId, pipelineId: w.pipeline.id, statusId: q.id, source: 'dp' }));
    await w.drain();
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0].messages.at(-1).content).toContain('entered the stage "Qualified"');
    w.p.tx(() => w.p.bus.emit('call_missed', { accountId: w.accountId, leadId, contactId: null, callId: 77, phone: '+5511999990000' }));
    w.p.tx(() => w.p.bus.emit('call_missed', { accountId: w.accountId, leadId, contactId: null, callId: 77, phone: '+5511999990000' }));
    await w.drain();
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1].messages.at(-1).content).toContain('+5511999990000');
    const drafts = (await w.api('GET', `/api/leads/${leadId}/agent`)).body.drafts.map((d: any) => d.text);
    expect(drafts).toEqual(['Sorry we missed your call!', 'Welcome! Shall we book a call?']);
  });
});
