/**
 * What the Kommo host gives a widget: the system Widget object our constructor runs on (`self`), and
 * the global `APP`. We only ever read `APP`; the marketplace forbids writing to it.
 */

export interface AjaxOptions {
  url: string;
  type: string;
  data?: string;
  contentType: string;
  dataType: string;
}

export interface RenderTemplateOptions {
  caption: { class_name?: string; html?: string };
  body: string;
  render: string;
}

export interface KommoSystem {
  area: string;
  amouser_id?: number | string;
  amouser?: string;
  subdomain?: string;
  domain?: string;
}

export interface KommoWidget {
  system(): KommoSystem;
  get_settings(): Record<string, unknown> & { widget_code?: string; path?: string; version?: string };
  params?: Record<string, unknown> & { widget_code?: string; path?: string; version?: string };
  i18n(key: string): unknown;
  langs?: Record<string, unknown>;
  render_template(options: RenderTemplateOptions, params?: Record<string, unknown>): unknown;
  $authorizedAjax(options: AjaxOptions): PromiseLike<unknown>;
  /** Adds values to the widget's settings for this account (what `get_settings()` returns). */
  set_settings?(settings: Record<string, unknown>): void;
  set_status?(status: string): void;
}

interface KommoApp {
  data?: { current_card?: { id?: number | string; model?: { get?(key: string): unknown } } };
  constant?(name: string): unknown;
  isCard?(): boolean;
}

function app(): KommoApp | undefined {
  return (globalThis as { APP?: KommoApp }).APP;
}

/** The lead id of the open card, or null outside a lead card (or on a card not saved yet: id 0). */
export function currentLeadId(): number | null {
  const raw = app()?.data?.current_card?.id;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** The interface language of the current user, two letters (`en`, `es`, `pt`, `ru`, …). */
export function userLanguage(): string {
  const user = app()?.constant?.('user') as { language?: string; lang?: string } | undefined;
  const lang = user?.language ?? user?.lang ?? app()?.constant?.('lang') ?? globalThis.document?.documentElement.lang;
  return typeof lang === 'string' && lang ? lang.slice(0, 2).toLowerCase() : 'en';
}

export function widgetCode(self: KommoWidget): string {
  const code = self.get_settings()?.widget_code ?? self.params?.widget_code;
  return typeof code === 'string' && code ? code : 'kai_agent';
}
