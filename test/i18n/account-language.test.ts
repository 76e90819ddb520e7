/**
 * The account's language everywhere the server writes: with the Kommo user who installed set to ru, and
 * again to es, the handoff brief written into the simulated Kommo, the notification email received over
 * the real local SMTP server and the safe reply are in that language. An admin's override wins over
 * Kommo's language and is audited. The real pipeline; only the model is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentOnStage, fakeOpenAI, leadInStage, type AgentWorld } from '../agents/helpers.js';
import { TEST_CLIENT_ID } from '../helpers/env.js';
import { startWorld } from '../helpers/world.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld | undefined;
afterEach(async () => {
  llm.reset();
  await w?.stop();
  w = undefined;
});

/** The agents' world with a real SMTP server for the notification emails, and the installing user's Kommo language. */
async function world(kommoLang: string): Promise<AgentWorld> {
  const base = await startWorld({
    llm: 'fake',
    smtp: true,
    seed: { leads: 20, contacts: 20, users: 4 },
    simRps: 50,
    env: { KOMMO_RATE_LIMIT_RPS: '50' },
    beforeBoot: (sim) => {
      const me = sim.state.users.get(sim.state.account.current_user_id)!;
      me.lang = kommoLang;
    },
  });
  const pipeline = [...base.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => pipeline._embedded.statuses.find((s) => s.name === name)!;
  return Object.assign(base, {
    pipeline,
    stage,
    clientWrites(leadId: number, text: string) {
      return base.p.tx(() => {
        const conv = base.m.conversations.services;
        const id = conv.conversations.insertMessage({
          accountId: base.accountId,
          leadId,
          contactId: null,
          direction: 'inbound',
          author: 'client',
          channel: 'salesbot',
          externalId: `ext-${Math.random()}`,
          text,
        })!;
        const returnUrl = `${base.sim.baseUrl}/api/v4/salesbot/12/continue/req-${id}`;
        const salesbot = { returnUrl, requestId: conv.salesbot.insertRequest({ accountId: base.accountId, leadId, returnUrl, data: {} }) };
        base.p.bus.emit('message_received', { accountId: base.accountId, leadId, contactId: null, messageIds: [id], channel: 'salesbot', salesbot });
        return { messageIds: [id], salesbot };
      });
    },
    activity: (type: string) =>
      base.p.sqlite.prepare('SELECT * FROM activity_logs WHERE account_id = ? AND type = ? ORDER BY id').all(base.accountId, type) as any[],
  }) as unknown as AgentWorld;
}

const EXPECTED = {
  ru: {
    brief: 'ИИ-агент «Ava» передал вам эту сделку: клиент написал «менеджер».',
    takeOver: 'Пожалуйста, продолжите разговор.',
    subject: (lead: string) => `Сделка ${lead} ждёт вас`,
    hello: 'Здравствуйте,',
    footer: 'Отключить эти письма можно в виджете ИИ-агента',
    link: '>Уведомления</a>',
    keyword: 'менеджер',
    asks: 'Сколько стоит ваш тариф?',
    priced: 'Тариф стоит $999 в месяц.',
    safe: 'Спасибо! Коллега скоро уточнит для вас точную цену и условия.',
    llmTitle: 'ИИ-агенты не могут отвечать: сервис ИИ отклоняет наши запросы',
    llmProblem: 'Сервис ИИ отклонил запрос: ключ API недействителен или отозван.',
  },
  es: {
    brief: 'El agente de IA "Ava" le pasó este lead: el cliente escribió «gerente».',
    takeOver: 'Por favor, continúe la conversación.',
    subject: (lead: string) => `El lead ${lead} le necesita`,
    hello: 'Hola,',
    footer: 'Desactive estos correos en el widget del Agente de IA',
    link: '>Notificaciones</a>',
    keyword: 'gerente',
    asks: '¿Cuál es el precio del plan?',
    priced: 'El plan cuesta $450 al mes.',
    safe: '¡Gracias! Un colega le confirmará en breve el precio exacto y las condiciones.',
    llmTitle: 'Los agentes de IA no pueden responder: el servicio de IA rechaza nuestras solicitudes',
    llmProblem: 'El servicio de IA rechazó la solicitud: la clave de API no es válida o fue revocada.',
  },
} as const;

describe.each(['ru', 'es'] as const)('with the Kommo user language %s', (lang) => {
  const x = EXPECTED[lang];

  it('the handoff brief in Kommo, the notification email and the safe reply are in that language', async () => {
    w = await world(lang);
    const handed = leadInStage(w, 'Qualified', 0);
    const priced = leadInStage(w, 'Qualified', 1);
    await w.installAndSync();
    expect((await w.api('GET', '/api/account/language')).body).toEqual({ language: lang, override: null, kommo: lang });
    await agentOnStage(w, 'Qualified', { mode: 'draft', handoff: { keywords: [x.keyword] } });

    // The client asks for a person: the brief is a Kommo task for the lead's responsible user.
    w.clientWrites(handed, `Quiero hablar con un ${x.keyword} / ${x.keyword}`);
    await w.drain();
    const tasks = [...w.sim.state.tasks.values()].filter((t) => t.entity_id === handed);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.text).toContain(x.brief);
    expect(tasks[0]!.text).toContain(x.takeOver);

    // The notification email, received by the real SMTP server after the batch window.
    await w.later(61_000);
    const delivered = w.smtp.delivered();
    expect(delivered).toHaveLength(1);
    const mail = await delivered[0]!.parsed();
    const leadName = w.sim.state.leads.get(handed)!.name;
    expect(mail.subject).toBe(x.subject(leadName));
    expect(mail.text).toContain(x.hello);
    expect(mail.text).toContain(x.brief);
    expect(mail.text).toContain(x.footer);
    expect(mail.html).toContain(x.link);
    expect(mail.text).not.toMatch(/Hello|Turn these emails off|need your attention/);

    // The admins' notice that the AI service refuses us, in the same language.
    w.p.tx(() => w!.m.agents.services.budget.notifyUnavailable(w!.accountId, 'invalid_api_key'));
    await w.later(61_000);
    const notice = await w.smtp.delivered()[1]!.parsed();
    expect(notice.subject).toBe(x.llmTitle);
    expect(notice.text).toContain(x.llmProblem);

    // A reply that names a price the knowledge cannot back: the safe reply, in the client's language.
    llm.reply({ content: x.priced });
    w.clientWrites(priced, x.asks);
    await w.drain();
    const [draft] = (await w.api('GET', `/api/leads/${priced}/agent`)).body.drafts;
    expect(draft.text).toBe(x.safe);
    // The draft's note in Kommo is in the account's language too.
    const notes = [...w.sim.state.notes.values()].filter((n) => n.entity_id === priced).map((n) => String(n.params.text));
    expect(notes).toEqual([lang === 'ru' ? `Черновик ответа ИИ: ${x.safe}` : `Borrador de respuesta de IA: ${x.safe}`]);
  });
});

describe('the account language setting', () => {
  it("an admin's override wins over Kommo's language, is audited once per change, and only an admin may set it", async () => {
    w = await world('ru');
    const leadId = leadInStage(w, 'Qualified', 0);
    await w.installAndSync();
    await agentOnStage(w, 'Qualified', { mode: 'draft' });
    const manager = [...w.sim.state.users.values()].find((u) => !u.rights.is_admin)!;
    expect((await w.api('PUT', '/api/account/language', { override: 'pt' }, { userId: manager.id, isAdmin: false })).status).toBe(403);
    const bad = await w.api('PUT', '/api/account/language', { override: 'de' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('override');

    const set = await w.api('PUT', '/api/account/language', { override: 'pt' });
    expect(set.body).toEqual({ language: 'pt', override: 'pt', kommo: 'ru' });
    const languageAudit = () => w!.activity('config.changed').filter((a) => JSON.parse(a.params).entity === 'language');
    const audit = languageAudit();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].params)).toMatchObject({ entity: 'language', action: 'updated', changes: [{ field: 'override', from: null, to: 'pt' }] });

    // The handoff brief follows the override.
    await w.api('POST', `/api/leads/${leadId}/agent/handoff`, { reason: 'cliente importante' });
    const task = [...w.sim.state.tasks.values()].find((t) => t.entity_id === leadId)!;
    expect(task.text).toBe('O agente de IA "Ava" passou este lead para você: cliente importante. Por favor, assuma a conversa.');

    // A reinstall answers with the install page in the chosen language, whatever the browser asks for.
    const page = await w.app.request(`/oauth/callback?code=${w.sim.issueAuthCode()}&referer=${w.sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`, {
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Conectado a ${w.sim.state.account.name}`);

    const back = await w.api('PUT', '/api/account/language', { override: null });
    expect(back.body).toEqual({ language: 'ru', override: null, kommo: 'ru' });
    expect(languageAudit()).toHaveLength(2);
  });
});
