/**
 * The activity feed in the viewer's language: entries the real pipeline writes (a draft with a proposed
 * "Add tags" action, the agent's autopilot action, a handoff, a configuration change) are read from the
 * feed API and worded by the widget's renderer with Kommo's ru, and again es, locale file. An entry written
 * before entries carried parameters keeps its stored title. The type filter's labels are translated too.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activityDetail, activityTitle } from '../../widget/src/ui/activity-text.js';
import { createTranslate, labelOf, type Translate } from '../../widget/src/i18n.js';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from '../agents/helpers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());
let w: AgentWorld;
afterEach(async () => {
  llm.reset();
  await w?.stop();
});

/** The widget's translate as Kommo gives it: `self.i18n('ui')` from the user's locale file. */
function kommoTranslate(lang: string): Translate {
  const file = JSON.parse(readFileSync(new URL(`../../widget/i18n/${lang}.json`, import.meta.url), 'utf8'));
  return createTranslate({ i18n: (key: string) => file[key], langs: undefined } as never);
}

const EXPECTED = {
  ru: {
    draft: 'Ava подготовил черновик ответа',
    proposed: 'Действие агента предложено вместе с черновиком: Добавить теги: vip, trial',
    done: 'Действие агента: Задача: Позвонить клиенту',
    handoff: 'Ava передал сделку человеку',
    created: 'Агент "Ava": создано — автор: пользователь №1001',
    updated: 'Агент "Ava": изменено — автор: пользователь №1001',
    changes: 'mode: draft → autopilot',
    typeLabel: 'Действие агента',
    synced: 'Синхронизация с Kommo завершена',
    syncDetail: /^Сделки: изменено \d+ из \d+; контакты: \d+ из \d+\.$/,
    notified: 'Уведомление: передача человеку — ',
  },
  es: {
    draft: 'Ava redactó un borrador de respuesta',
    proposed: 'Acción del agente propuesta con su borrador: Añadir etiquetas: vip, trial',
    done: 'Acción del agente: Tarea: Llamar al cliente',
    handoff: 'Ava pasó el lead a una persona',
    created: 'Agente "Ava": creado — por usuario n.º 1001',
    updated: 'Agente "Ava": modificado — por usuario n.º 1001',
    changes: 'mode: draft → autopilot',
    typeLabel: 'Acción del agente',
    synced: 'Sincronización con Kommo completada',
    syncDetail: /^Leads: \d+ cambiados de \d+ leídos; contactos: \d+ de \d+\.$/,
    notified: 'Notificación: paso a una persona — ',
  },
} as const;

describe.each(['ru', 'es'] as const)('the activity feed read in %s', (lang) => {
  const x = EXPECTED[lang];

  it('words every entry the pipeline wrote in that language, and keeps an old entry as it was', async () => {
    w = await startAgentWorld();
    const drafted = leadInStage(w, 'Qualified', 0);
    await w.installAndSync();
    const agent = await agentOnStage(w, 'Qualified', { mode: 'draft', allowedActions: ['add_tags', 'create_task'] });

    // Draft mode: a reply with a proposed "Add tags" action.
    llm.reply({ content: 'We will send the offer today.', toolCalls: [{ name: 'add_tags', args: { tags: ['vip', 'trial'] } }] });
    w.clientWrites(drafted, 'Send me the offer', { salesbot: true });
    await w.drain();

    // Autopilot: the action runs at once. Then the client asks for a person (the handoff keyword).
    const patched = await w.api('PATCH', `/api/agents/${agent.id}`, { mode: 'autopilot', handoff: { keywords: ['operator'] } });
    expect(patched.status).toBe(200);
    const task = lang === 'ru' ? 'Позвонить клиенту' : 'Llamar al cliente';
    llm.reply({ content: 'Sure.', toolCalls: [{ name: 'create_task', args: { text: task } }] });
    w.clientWrites(drafted, 'Please call me', { salesbot: true });
    await w.drain();
    w.clientWrites(drafted, 'operator please', { salesbot: true });
    await w.drain();

    // An entry from before entries carried parameters.
    w.m.activity.services.activity.write({ accountId: w.accountId, leadId: drafted, type: 'agent.reply', title: 'Ava replied by Salesbot (old)' });

    const feed = (await w.api('GET', '/api/dashboard/updates?limit=100')).body.items as any[];
    const t = kommoTranslate(lang);
    const titles = feed.map((i) => activityTitle(t, i));
    expect(titles).toEqual(expect.arrayContaining([x.draft, x.proposed, x.done, x.handoff, x.created, x.updated, 'Ava replied by Salesbot (old)']));
    const update = feed.find((i) => i.type === 'config.changed' && i.params?.action === 'updated' && i.params?.entity === 'agent');
    expect(activityDetail(t, update)).toContain(x.changes);
    const synced = feed.find((i) => i.type === 'sync.completed');
    expect(activityTitle(t, synced)).toBe(x.synced);
    expect(activityDetail(t, synced)).toMatch(x.syncDetail);
    // A notification keeps the title it was emailed with (the account's language), its kind named in the viewer's.
    expect(titles.find((s) => s.startsWith(x.notified))).toBeDefined();

    // Nothing the pipeline wrote with parameters is left in English.
    const english = feed
      .filter((i) => i.params)
      .map((i) => activityTitle(t, i))
      .filter((s) => /\b(the|drafted|replied|action|handed|created|changed)\b/i.test(s));
    expect(english).toEqual([]);

    // The type filter's labels.
    expect(labelOf(t, 'activity.types', 'agent.action')).toBe(x.typeLabel);
  });
});
