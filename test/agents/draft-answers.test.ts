/**
 * What a draft answers: the client's messages that started its turn; and when the price guardrail replaced
 * the model's reply, the original and the reason, with the safe reply in the client's language. The
 * playground shows the same. The real pipeline with the simulator; only the model is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_PRICE_REPLIES } from '../../server/modules/agents/turn.guardrails.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from './helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

describe('what a draft answers', () => {
  it("shows the client's message, and for a replaced reply the original, the rule and the reason; the safe reply is in the client's language", async () => {
    w = await startAgentWorld();
    const plain = leadInStage(w, 'Qualified', 0);
    const priced = leadInStage(w, 'Qualified', 1);
    const chat = leadInStage(w, 'Qualified', 2);
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft' });

    llm.reply({ content: 'Sure, I can send you the brochure today.' });
    w.clientWrites(plain, 'Could you send me a brochure?', { salesbot: true });
    await w.drain();
    const [a] = (await w.api('GET', `/api/leads/${plain}/agent`)).body.drafts;
    expect(a).toMatchObject({
      text: 'Sure, I can send you the brochure today.',
      repliesTo: ['Could you send me a brochure?'],
      guardrail: null,
      reach: { via: 'salesbot', why: null },
    });

    llm.reply({ content: 'Тариф стоит $999 в месяц.' });
    w.clientWrites(priced, 'Сколько стоит ваш тариф?', { salesbot: true });
    await w.drain();
    const [b] = (await w.api('GET', `/api/leads/${priced}/agent`)).body.drafts;
    expect(b.repliesTo).toEqual(['Сколько стоит ваш тариф?']);
    expect(b.text).toBe(SAFE_PRICE_REPLIES.ru);
    expect(b.guardrail).toMatchObject({ rule: 'price_not_in_knowledge', original: 'Тариф стоит $999 в месяц.' });
    expect(b.guardrail.reason).toContain('$999');

    // A chat message that came without a Salesbot request, on an account with no Salesbot known: note only.
    llm.reply({ content: 'Hello! How can I help?' });
    w.clientWrites(chat, 'Hi there');
    await w.drain();
    const [c] = (await w.api('GET', `/api/leads/${chat}/agent`)).body.drafts;
    expect(c.reach).toEqual({ via: 'note', why: 'no_channel' });
  });

  it('the playground shows the replaced reply and why, too', async () => {
    w = await startAgentWorld();
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified', { mode: 'draft' });
    llm.reply({ content: 'El plan cuesta $450 al mes.' });
    const r = await w.api('POST', `/api/agents/${agent.id}/playground`, { message: 'Hola, ¿cuánto cuesta el plan?' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.reply).toBe(SAFE_PRICE_REPLIES.es);
    expect(r.body.guardrail).toMatchObject({ rule: 'price_not_in_knowledge', original: 'El plan cuesta $450 al mes.' });
  });
});
