import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api.js';
import type { Translate } from '../i18n.js';

export interface WidgetContext {
  api: Api;
  t: Translate;
  lang: string;
  widgetCode: string;
}

export const Ctx = createContext<WidgetContext | null>(null);

export function useWidget(): WidgetContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('kai: component rendered outside its widget context');
  return ctx;
}
