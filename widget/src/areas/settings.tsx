import { mount } from '../mount.js';
import { Checklist } from '../ui/Checklist.js';
import { useWidget } from '../ui/context.js';
import type { WidgetContext } from '../ui/context.js';

/** Where Kommo serves a widget's advanced settings page. */
export function advancedSettingsUrl(widgetCode: string) {
  return `/settings/widgets/${encodeURIComponent(widgetCode)}/`;
}

function SettingsIntro() {
  const { t, widgetCode } = useWidget();
  return (
    <div class="kai-settings" data-testid="kai-settings">
      <p>{t('settings_modal.intro')}</p>
      <ol class="kai-settings__steps">
        <li>{t('settings_modal.step_install')}</li>
        <li>{t('settings_modal.step_agents')}</li>
        <li>{t('settings_modal.step_stages')}</li>
      </ol>
      <a class="kai-link" href={advancedSettingsUrl(widgetCode)} data-testid="kai-settings-link">
        {t('settings_modal.open_advanced')}
      </a>
      <Checklist compact />
    </div>
  );
}

/**
 * The install/config modal: the steps, and the first-run checklist (before installation there is no token,
 * and the checklist says to install first). Our block goes above Kommo's own fields so its Save button
 * stays at the bottom.
 */
export function renderSettings(modalBody: Element | null, ctx: WidgetContext, doc: Document = document) {
  if (!modalBody) return;
  let root = modalBody.querySelector('.kai-settings-root');
  if (!root) {
    root = doc.createElement('div');
    root.className = 'kai-root kai-settings-root';
    const anchor = modalBody.querySelector('.widget_settings_block') ?? modalBody;
    anchor.insertBefore(root, anchor.firstChild);
  }
  mount(root, ctx, <SettingsIntro />);
}
