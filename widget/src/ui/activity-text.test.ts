import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTranslate, type Translate } from '../i18n.js';
import { actionText, activityDetail, activityTitle } from './activity-text.js';

/** The widget's translate as Kommo gives it: `self.i18n('ui')` from the user's locale file. */
function translate(lang: string): Translate {
  const file = JSON.parse(readFileSync(new URL(`../../i18n/${lang}.json`, import.meta.url), 'utf8'));
  return createTranslate({ i18n: (key: string) => file[key], langs: undefined } as never);
}
const entry = (type: string, params: Record<string, unknown> | null, title = 'stored English title') => ({ type, title, description: 'stored detail', params });

describe('activity entries in the viewer’s language', () => {
  const ru = translate('ru');
  const es = translate('es');

  it('words each action from its type and arguments, and falls back to the stored summary for a type it does not know', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ action: 'add_tags', tags: 'vip, trial' }, 'Добавить теги: vip, trial', 'Añadir etiquetas: vip, trial'],
      [{ action: 'remove_tags', tags: 'cold' }, 'Убрать теги: cold', 'Quitar etiquetas: cold'],
      [{ action: 'move_to_stage', stage: 'Переговоры' }, 'Перевести на этап Переговоры', 'Mover a Переговоры'],
      [{ action: 'update_field', field: 'Budget', values: '5000' }, 'Поле Budget = 5000', 'Poner Budget = 5000'],
      [{ action: 'assign_user', user: 'Ana' }, 'Назначить: Ana', 'Asignar a Ana'],
      [{ action: 'create_task', text: 'Call' }, 'Задача: Call', 'Tarea: Call'],
      [{ action: 'schedule_followup', text: 'Ping', hours: '24' }, 'Напомнить через 24 ч: Ping', 'Seguimiento en 24 h: Ping'],
      [{ action: 'add_note', text: 'Hi' }, 'Примечание: Hi', 'Nota: Hi'],
      [{ action: 'handoff_to_human', reason: 'VIP' }, 'Передать человеку: VIP', 'Pasar a una persona: VIP'],
      [{ action: 'send_email', summary: 'Email: Welcome' }, 'Email: Welcome', 'Email: Welcome'],
    ];
    for (const [p, inRu, inEs] of cases) {
      expect(actionText(ru, p)).toBe(inRu);
      expect(actionText(es, p)).toBe(inEs);
    }
    expect(activityTitle(ru, entry('rule.action', { action: 'add_tags', tags: 'vip', variant: 'done' }))).toBe('Действие правила: Добавить теги: vip');
    expect(activityTitle(es, entry('sequence.error', { action: 'add_note', text: 'x', variant: 'failed' }))).toBe('Falló una acción de secuencia: Nota: x');
  });

  it("words the rules engine's entries from {rules: [{name, version, reason}], on}", () => {
    const fired = entry('rule.fired', {
      rules: [
        { name: 'VIP tag', version: 3 },
        { name: 'Ping', version: 1 },
      ],
      on: 'stage_entered',
    });
    expect(activityTitle(ru, fired)).toBe('Правила сработали на «сделка попала на этап»: VIP tag (в3), Ping (в1)');
    expect(activityTitle(es, fired)).toBe('Reglas ejecutadas en «el lead entra en una etapa»: VIP tag (v3), Ping (v1)');
    const notFired = entry('rule.not_fired', { rules: [{ name: 'VIP tag', version: 3, reason: 'conditions_fail' }], on: 'tag_added' });
    expect(activityTitle(ru, notFired)).toMatch(/^Правила не сработали на «.+»: VIP tag \(в3\) — .+$/);
    expect(activityTitle(ru, notFired)).not.toContain('conditions_fail');
    // One entry per event may mix outcomes: a rule whose own status differs from the entry's says so.
    const mixed = entry('rule.fired', {
      on: 'tag_added',
      rules: [
        { name: 'A', version: 2, status: 'fired' },
        { name: 'B', version: 1, status: 'skipped', reason: 'out_of_scope' },
      ],
    });
    expect(activityTitle(ru, mixed)).toMatch(/: A \(в2\), B \(в1\) — Правила не сработали: .+$/);
    expect(activityTitle(es, entry('rule.depth_limited', { rules: [{ name: 'A', version: 1 }], on: 'field_changed' }))).toMatch(/^Reglas detenidas en «.+»/);
    expect(activityTitle(ru, entry('rule.rate_limited', { rules: [{ name: 'A', version: 1 }], on: 'message_received' }))).toMatch(
      /^Правила придержаны на «.+»/,
    );
  });

  it('keeps the stored title of an entry without params or of a type the locale has no text for', () => {
    expect(activityTitle(ru, entry('agent.reply', null, 'Ava replied by Salesbot'))).toBe('Ava replied by Salesbot');
    expect(activityTitle(ru, entry('custom.kind', { some: 'thing' }, 'Something happened'))).toBe('Something happened');
    // Parameters that do not fill the type's text keep the stored title rather than show "{name}".
    expect(activityTitle(ru, entry('lead.status', { some: 'thing' }, 'Lead moved'))).toBe('Lead moved');
    expect(activityTitle(ru, entry('lead.status', { name: 'Deal #1', stage: 'Переговоры' }))).toBe('Deal #1: переход на этап Переговоры');
    expect(activityTitle(es, entry('task.add', { who: 'Ana', text: 'Llamar', at: '2026-01-02 10:00', variant: 'due' }))).toBe(
      'Tarea para Ana: Llamar (vence el 2026-01-02 10:00 UTC)',
    );
    expect(activityDetail(ru, entry('agent.draft', { agent: 'Ava' }))).toBe('stored detail');
  });

  it('words a configuration change and its fields, never showing a secret', () => {
    const changed = entry('config.changed', {
      entity: 'mail_settings',
      action: 'updated',
      name: null,
      id: null,
      changes: [
        { field: 'smtp.host', from: 'a.test', to: 'b.test' },
        { field: 'smtp.password', secret: true },
      ],
    });
    expect(activityTitle(ru, changed)).toBe('Настройки почтового ящика: изменено');
    expect(activityDetail(ru, changed)).toBe('smtp.host: a.test → b.test; smtp.password: изменено');
    expect(activityTitle(es, { ...changed, params: { ...changed.params, action: 'deleted', entity: 'agent', name: 'Ava' } })).toBe('Agente "Ava": eliminado');
  });

  it('words the details it has texts for, and hides a detail that is only a code', () => {
    const budget = {
      type: 'agent.skipped',
      title: 'x',
      description: 'The account used $5.00…',
      params: { agent: 'Ava', variant: 'budget_exhausted', used: '$5.00', limit: '$5.00', resetsAt: '2026-02-01' },
    };
    expect(activityDetail(ru, budget)).toBe(
      'Аккаунт израсходовал $5.00 из месячного бюджета ИИ $5.00. Агенты снова ответят 2026-02-01 или когда администратор поднимет лимит.',
    );
    expect(activityDetail(es, { type: 'email.sent', description: 'To a@b.test', params: { subject: 'Hi', to: 'a@b.test' } })).toBe('Para a@b.test');
    expect(activityDetail(ru, { type: 'agent.skipped', description: 'handoff_active', params: { agent: 'Ava', variant: 'handoff_active' } })).toBeNull();
  });

  it('a discarded draft names its reason, a stopped sequence its cause', () => {
    expect(activityTitle(es, entry('agent.draft_discarded', { reason: 'wrong_tone' }))).toBe('Borrador de IA descartado · Tono inadecuado');
    expect(activityTitle(ru, entry('sequence.stopped', { sequence: 'Welcome', reason: 'won' }))).toMatch(/^Цепочка «Welcome»: [А-Я].+/);
    expect(activityTitle(ru, entry('sequence.stopped', { sequence: 'Welcome', reason: 'won' }))).not.toContain('won');
  });
});

describe('the Russian locale file', () => {
  it('uses Kommo\'s own terms: "сделка" for a lead, never "лид"', () => {
    const text = readFileSync(new URL('../../i18n/ru.json', import.meta.url), 'utf8');
    expect(text.match(/(^|[^а-яё])лид[а-яё]*/gi) ?? []).toEqual([]);
  });
  it("writes a date parameter in the viewer's language instead of the stored ISO text", () => {
    const deferred = entry('sequence.deferred', { sequence: 'Nurture', step: 2, at: '2026-12-03T09:00:00.000Z', variant: 'quiet_hours' });
    const [ru, es] = [translate('ru'), translate('es')];
    const inRu = activityTitle(ru, deferred, 'ru');
    expect(inRu).not.toContain('2026-12-03T09:00');
    expect(inRu).toContain(new Intl.DateTimeFormat('ru', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-12-03T09:00:00.000Z')));
    expect(activityTitle(es, deferred, 'es')).toContain(
      new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-12-03T09:00:00.000Z')),
    );
  });
});
