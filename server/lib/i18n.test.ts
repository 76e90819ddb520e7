import { describe, expect, it } from 'vitest';
import { PROPOSAL_TEXTS } from '../modules/actions/proposals.texts.js';
import { HANDOFF_TEXTS } from '../modules/agents/handoff.texts.js';
import { KNOWLEDGE_TEXTS } from '../modules/knowledge/knowledge.texts.js';
import { MAIL_TEST_TEXTS } from '../modules/mail/mail.texts.js';
import { MAIL_NOTE_TEXTS } from '../modules/mail/outbox.note.texts.js';
import { NOTICE_TEXTS } from '../modules/agents/notices.texts.js';
import { TASK_NOTICE_TEXTS } from '../modules/webhooks/handlers/tasks.texts.js';
import { NOTIFY_TEXTS } from '../modules/notifications/notify.texts.js';
import { OAUTH_TEXTS } from '../modules/oauth/oauth.texts.js';
import { SAFE_PRICE_REPLIES } from '../modules/agents/turn.guardrails.js';
import { UNSUBSCRIBE_TEXTS } from '../modules/sequences/sequences.unsubscribe.js';
import { accountLanguage, fill, LANGS, langOf, pickLang } from './i18n.js';

/** Every server catalogue written per language. Add a new one here. */
const CATALOGUES: Record<string, Record<string, Record<string, string>>> = {
  mailTest: MAIL_TEST_TEXTS,
  oauth: OAUTH_TEXTS,
  unsubscribe: UNSUBSCRIBE_TEXTS,
  handoff: HANDOFF_TEXTS,
  proposals: PROPOSAL_TEXTS,
  knowledge: KNOWLEDGE_TEXTS,
  notifications: NOTIFY_TEXTS,
  mailNote: MAIL_NOTE_TEXTS,
  notices: NOTICE_TEXTS,
  taskNotice: TASK_NOTICE_TEXTS,
  safeReply: Object.fromEntries(Object.entries(SAFE_PRICE_REPLIES).map(([lang, reply]) => [lang, { reply }])),
};

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Words that only English uses: one of them in another language's text is English left behind. */
const ENGLISH = /\b(the|and|you|your|this|will|with|from|please|click|here)\b/i;

describe('server catalogues', () => {
  for (const [name, cat] of Object.entries(CATALOGUES)) {
    it(`${name}: every language has every key, the same placeholders, and no English left in es, pt or ru`, () => {
      expect(Object.keys(cat).sort()).toEqual([...LANGS].sort());
      const keys = Object.keys(cat.en!).sort();
      for (const lang of LANGS) {
        const texts = cat[lang]!;
        expect(Object.keys(texts).sort(), `${name}.${lang} keys`).toEqual(keys);
        for (const k of keys) {
          const v = texts[k]!;
          expect(v.trim(), `${name}.${lang}.${k} is empty`).not.toBe('');
          expect(placeholders(v), `${name}.${lang}.${k} placeholders`).toEqual(placeholders(cat.en![k]!));
          // Kommo's Russian UI calls a lead "сделка": the transliterated "лид" reads as another product's word.
          if (lang === 'ru') expect(v, `${name}.ru.${k} says "лид"`).not.toMatch(/(^|[^а-яё])лид/i);
          if (lang !== 'en') {
            expect(v, `${name}.${lang}.${k} is still the English text`).not.toBe(cat.en![k]);
            expect(v.replace(/\{\w+\}/g, ''), `${name}.${lang}.${k} has English words`).not.toMatch(ENGLISH);
          }
        }
      }
    });
  }
});

describe('language helpers', () => {
  it('pick the first of our languages, else English', () => {
    expect(pickLang('de-DE,ru;q=0.8,en;q=0.5')).toBe('ru');
    expect(pickLang('pt-BR')).toBe('pt');
    expect(pickLang(undefined)).toBe('en');
    expect(langOf(null, 'ES', 'ru')).toBe('es');
    expect(fill('Hola {name}, {missing}', { name: 'Ana' })).toBe('Hola Ana, {missing}');
  });

  it("the account's language: the admin's override, else Kommo's, else English", () => {
    expect(accountLanguage({ language: 'ru', languageOverride: 'es' })).toBe('es');
    expect(accountLanguage({ language: 'pt-BR' })).toBe('pt');
    expect(accountLanguage({ language: 'de', languageOverride: null })).toBe('en');
    expect(accountLanguage({})).toBe('en');
  });
});
