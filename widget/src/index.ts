/**
 * The widget's AMD module body. scripts/widget-build.ts wraps this bundle in
 * `define(['jquery'], function ($) { ... return kai.createWidget($); })`, so what Kommo gets from
 * script.js is the constructor below. Kommo runs it on its system Widget object: `this` already carries
 * `system()`, `i18n()`, `render_template()`, `$authorizedAjax()`, … and must get `callbacks`.
 */
import { createApi } from './api.js';
import { loadAdmin, renderAdminLazily, unmountAdmin } from './areas/admin-loader.js';
import { keepDpToken, rememberDpToken, renderDpSettings, storedDpToken } from './areas/dp.js';
import { renderLeadCard } from './areas/lcard.js';
import { salesbotSteps } from './areas/salesbot.js';
import { renderSettings } from './areas/settings.js';
import { createTranslate } from './i18n.js';
import { userLanguage, widgetCode, type KommoWidget } from './kommo.js';
import { unmountAll } from './mount.js';
import { injectStyles } from './style.js';
import type { WidgetContext } from './ui/context.js';
import { loadMe } from './ui/roles.js';

export { salesbotSteps } from './areas/salesbot.js';

/** The subset of jQuery we accept from `define`: Kommo hands modal bodies to `settings` as jQuery objects. */
type JQueryLike = (selector: unknown) => ArrayLike<Element>;

export interface WidgetCallbacks {
  render(): boolean;
  init(): boolean;
  bind_actions(): boolean;
  settings(modalBody?: unknown): boolean;
  onSave(): boolean;
  destroy(): void;
  advancedSettings(): boolean;
  dpSettings(): boolean;
  onSalesbotDesignerSave(handlerCode: string, params?: Record<string, unknown>): string;
}

type Self = KommoWidget & { callbacks: WidgetCallbacks };

function firstElement($: JQueryLike | undefined, value: unknown): Element | null {
  if (!value) return null;
  if (value instanceof Element) return value;
  const list = (value as ArrayLike<Element>)[0] !== undefined ? (value as ArrayLike<Element>) : $ ? $(value) : null;
  const el = list?.[0];
  return el instanceof Element ? el : null;
}

export function createWidget($?: JQueryLike) {
  return function KommoAiAgentWidget(this: Self): Self {
    const self = this;
    let ctx: WidgetContext | null = null;
    // Built on first use: Kommo fills `self`'s settings and language before the first callback, not before the constructor.
    const context = (): WidgetContext => {
      if (!ctx) {
        ctx = { api: createApi(self), t: createTranslate(self), lang: userLanguage(), widgetCode: widgetCode(self), loadAdmin: () => loadAdmin(self) };
      }
      return ctx;
    };
    const area = () => {
      try {
        return self.system().area;
      } catch {
        return '';
      }
    };

    this.callbacks = {
      render() {
        injectStyles();
        if (area() === 'lcard') renderLeadCard(self, context());
        return true;
      },
      init() {
        injectStyles();
        return true;
      },
      bind_actions() {
        return true;
      },
      settings(modalBody) {
        injectStyles();
        renderSettings(firstElement($, modalBody), context());
        return true;
      },
      onSave() {
        return true;
      },
      destroy() {
        unmountAll();
        unmountAdmin();
      },
      advancedSettings() {
        injectStyles();
        // Keep the account's Digital Pipeline token in the widget's settings for the DP editor, when an admin is here
        // (anyone else would only be refused).
        const { api } = context();
        void loadMe(api).then(
          (me) => (me.isAdmin ? rememberDpToken(self, api) : null),
          () => undefined,
        );
        return renderAdminLazily(self, context());
      },
      dpSettings() {
        injectStyles();
        return renderDpSettings(context(), document, { storedToken: storedDpToken(self), remember: (token) => keepDpToken(self, token) });
      },
      onSalesbotDesignerSave(handlerCode, params) {
        return salesbotSteps(handlerCode, params);
      },
    };
    return this;
  };
}
