/** The languages the product speaks (the widget's i18n files and the server's texts). */
export const LANGS = ['en', 'es', 'pt', 'ru'] as const;
export type Lang = (typeof LANGS)[number];

/** An account's `language` setting (e.g. "pt-BR") → one of ours; English when unset or unknown. */
export function langOf(setting: unknown): Lang {
  const code = typeof setting === 'string' ? setting.trim().slice(0, 2).toLowerCase() : '';
  return (LANGS as readonly string[]).includes(code) ? (code as Lang) : 'en';
}
