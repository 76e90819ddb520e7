import en from '../i18n/en.json';
import type { KommoWidget } from './kommo.js';

export type Dict = Record<string, unknown>;
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

function lookup(dict: unknown, path: string): string | undefined {
  let node: unknown = dict;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Dict)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * Strings come from Kommo's `self.i18n('ui')`, i.e. the i18n/<lang>.json file Kommo loaded for the user.
 * English is bundled only as a fallback for a key a locale might lack.
 */
export function createTranslate(self: Pick<KommoWidget, 'i18n' | 'langs'>): Translate {
  let ui: unknown;
  try {
    ui = self.i18n('ui');
  } catch {
    ui = undefined;
  }
  ui ??= self.langs?.ui;
  return (key, vars) => {
    const text = lookup(ui, key) ?? lookup(en.ui, key) ?? key;
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  };
}

/** `sync.completed` → `Sync completed`, `taskTypes` → `Task types`: a stand-in for a value the locale has no text for. */
export function humanize(value: string): string {
  const words = value
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : value;
}

/** A translated label for an enum-like value, or the value humanized when the locale has no entry for it. */
export function labelOf(t: Translate, group: string, value: string): string {
  const key = `${group}.${value}`;
  const text = t(key);
  return text === key ? humanize(value) : text;
}
