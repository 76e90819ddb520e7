import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api.js';
import type { Translate } from '../i18n.js';

export interface WidgetContext {
  api: Api;
  t: Translate;
  lang: string;
  widgetCode: string;
  /** admin.js, loaded once on demand (the admin app, and the stage editor of the lead card's "This stage" tab). */
  loadAdmin?: () => Promise<StageEditorHost>;
}

export interface StageEditorProps {
  at: { pipelineId: number; statusId: number };
  leadId: number;
  readOnly: boolean;
  start?: boolean;
  onSaved: () => void;
}

/** What the lead card asks of admin.js: the stage editor, drawn into one of the card's elements. */
export interface StageEditorHost {
  renderStageEditor(ctx: WidgetContext, el: Element, props: StageEditorProps): void;
  unmountStageEditor(el: Element): void;
}

export const Ctx = createContext<WidgetContext | null>(null);

export function useWidget(): WidgetContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('kai: component rendered outside its widget context');
  return ctx;
}
