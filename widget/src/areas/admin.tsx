import { AdminApp } from '../admin/AdminApp.js';
import { mount } from '../mount.js';
import type { WidgetContext } from '../ui/context.js';

/** The advanced settings page: Kommo gives us `#work-area-{code}` and nothing else. */
export function renderAdmin(ctx: WidgetContext, doc: Document = document) {
  const area = doc.getElementById(`work-area-${ctx.widgetCode}`);
  if (!area) return false;
  let root = area.querySelector('.kai-admin');
  if (!root) {
    root = doc.createElement('div');
    root.className = 'kai-root kai-admin';
    area.appendChild(root);
  }
  const tab = new URLSearchParams(doc.location?.search ?? '').get('kai_tab') ?? undefined;
  mount(root, ctx, <AdminApp initialTab={tab} />);
  return true;
}
