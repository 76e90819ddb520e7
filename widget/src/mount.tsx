import { render, type ComponentChildren } from 'preact';
import { Ctx, type WidgetContext } from './ui/context.js';

/** Every element we rendered into, so `destroy` can unmount them all and leave no listeners behind. */
const mounted = new Set<Element>();

export function mount(el: Element, ctx: WidgetContext, children: ComponentChildren) {
  render(<Ctx.Provider value={ctx}>{children}</Ctx.Provider>, el);
  mounted.add(el);
}

export function unmountAll() {
  for (const el of mounted) render(null, el);
  mounted.clear();
}
