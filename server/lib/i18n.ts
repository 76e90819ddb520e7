/**
 * The languages the server writes in (the widget's four), and the small helpers every catalogue uses.
 * A catalogue is a `Record<Lang, T>` next to the module that speaks it, so TypeScript refuses a missing
 * language or key; `server/lib/i18n.test.ts` refuses English left in another language's catalogue.
 */
export const LANGS = ['en', 'es', 'pt', 'ru'] as const;
export type Lang = (typeof LANGS)[number];

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as readonly string[]).includes(v);

/** The first of these that names one of our languages (`es-AR` → `es`), else English. */
export function langOf(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    const code = (c ?? '').trim().slice(0, 2).toLowerCase();
    if (isLang(code)) return code;
  }
  return 'en';
}

/** The reader's language from an Accept-Language header (in the order given; English otherwise). */
export function pickLang(header: string | undefined | null): Lang {
  return langOf(...(header ?? '').split(',').slice(0, 20));
}

/** `{name}` placeholders filled from `vars`; an unknown one stays as it is. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/**
 * The account's language for what the server writes into Kommo and sends by email: the admin's override
 * (`languageOverride`), else the one Kommo gives (`language`, stored by the sync), else English.
 */
export function accountLanguage(settings: Record<string, unknown>): Lang {
  const pick = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  return langOf(pick(settings.languageOverride) ?? pick(settings.language));
}
