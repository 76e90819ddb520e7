import type { KommoWidget } from '../kommo.js';
import { currentLeadId } from '../kommo.js';
import { LeadPanel } from '../lcard/LeadPanel.js';
import { mount } from '../mount.js';
import type { WidgetContext } from '../ui/context.js';

/** How many animation frames to wait for Kommo to put our block into the card before giving up. */
const MAX_FRAMES = 30;

/**
 * Draw the block in the lead card's right panel through Kommo's `render_template`, then mount the Preact
 * panel into it. Kommo inserts the template synchronously today; the frame retries cover a slower host.
 */
export function renderLeadCard(self: KommoWidget, ctx: WidgetContext) {
  const id = `kai-lcard-${ctx.widgetCode}`;
  self.render_template({
    caption: { class_name: 'kai-caption' },
    body: '',
    render: `<div class="kai-root kai-lcard" id="${id}"></div>`,
  });
  const leadId = currentLeadId();
  let frames = 0;
  const attach = () => {
    const el = document.getElementById(id);
    if (!el) {
      if (++frames < MAX_FRAMES) requestAnimationFrame(attach);
      return;
    }
    if (leadId === null) {
      el.innerHTML = '';
      const note = document.createElement('div');
      note.className = 'kai-muted kai-small';
      note.textContent = ctx.t('lcard.unsaved_lead');
      el.appendChild(note);
      return;
    }
    mount(el, ctx, <LeadPanel leadId={leadId} />);
  };
  attach();
}
