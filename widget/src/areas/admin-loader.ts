import type { KommoWidget } from '../kommo.js';
import type { StageEditorHost, WidgetContext } from '../ui/context.js';

/** What admin.js exports (widget/src/admin-entry.ts). */
export interface AdminModule extends StageEditorHost {
  renderAdmin(ctx: WidgetContext, doc?: Document): boolean;
  unmountAll(): void;
}

type AmdRequire = (deps: string[], ok: (m: AdminModule) => void, fail?: (err: unknown) => void) => void;

let loaded: Promise<AdminModule> | null = null;
let module: AdminModule | null = null;

/** admin.js from the widget's own folder, through the page's RequireJS (the loader Kommo loaded script.js with). */
export function loadAdmin(
  self: Pick<KommoWidget, 'params' | 'get_settings'>,
  amd: AmdRequire | undefined = (globalThis as unknown as { require?: AmdRequire }).require,
): Promise<AdminModule> {
  if (loaded) return loaded;
  let base = self.params?.path;
  if (!base) {
    try {
      base = self.get_settings()?.path;
    } catch {
      base = undefined;
    }
  }
  const version = self.params?.version ?? '';
  loaded = new Promise<AdminModule>((resolve, reject) => {
    if (typeof amd !== 'function' || !base) {
      reject(new Error('the page has no AMD loader or widget path'));
      return;
    }
    amd(
      [`${base.replace(/\/+$/, '')}/admin.js${version ? `?v=${encodeURIComponent(version)}` : ''}`],
      (m) => {
        module = m;
        resolve(m);
      },
      reject,
    );
  }).catch((err) => {
    loaded = null; // a retry loads it again
    throw err;
  });
  return loaded;
}

/** Unmount what admin.js drew, if it was loaded. */
export function unmountAdmin() {
  module?.unmountAll();
}

/**
 * The advanced settings page: a loading line at once, then the admin app when admin.js arrives, or a
 * message with a retry in the user's language when it cannot be loaded.
 */
export function renderAdminLazily(self: Pick<KommoWidget, 'params' | 'get_settings'>, ctx: WidgetContext, doc: Document = document): boolean {
  const area = doc.getElementById(`work-area-${ctx.widgetCode}`);
  if (!area) return false;
  let status = area.querySelector<HTMLElement>('.kai-admin-loading');
  if (!status) {
    status = doc.createElement('div');
    status.className = 'kai-root kai-admin-loading';
    area.appendChild(status);
  }
  const box = status;
  box.setAttribute('role', 'status');
  box.textContent = ctx.t('common.loading');
  loadAdmin(self).then(
    (m) => {
      box.remove();
      m.renderAdmin(ctx, doc);
    },
    () => {
      box.setAttribute('role', 'alert');
      box.textContent = `${ctx.t('admin.load_failed')} `;
      const retry = doc.createElement('button');
      retry.type = 'button';
      retry.className = 'kai-btn';
      retry.textContent = ctx.t('common.retry');
      retry.addEventListener('click', () => renderAdminLazily(self, ctx, doc));
      box.appendChild(retry);
    },
  );
  return true;
}
