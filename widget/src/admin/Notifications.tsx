import { useState } from 'preact/hooks';
import { NOTIFICATION_KINDS, type NotificationKind } from '../api.js';
import { Button, ErrorBox, Section, Spinner, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';

/**
 * The user's own notification emails: all on or off, and each kind (handoffs, tasks, problems to fix).
 * Every user may open it (the link in each notification email lands here: `?kai_tab=notifications`).
 */
export function Notifications() {
  const { api, t } = useWidget();
  const prefs = useLoad(() => api.notificationPrefs(), []);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  if (prefs.loading && !prefs.data) return <Spinner />;
  if (prefs.error && !prefs.data) return <ErrorBox error={prefs.error} onRetry={prefs.reload} />;
  if (!prefs.data) return null;
  const { enabled, kinds } = prefs.data;
  const put = async (nextEnabled: boolean, changed?: Partial<Record<NotificationKind, boolean>>) => {
    // A ticked box shows at once; the server's answer (or a reload, on failure) settles it.
    if (changed) prefs.setData({ enabled, kinds: { ...kinds, ...changed } });
    const next = await save.run(() => api.setNotificationPrefs(nextEnabled, changed));
    if (next) prefs.setData(next);
    else prefs.reload();
    setSaved(next !== undefined);
  };
  return (
    <div data-testid="kai-notifications" data-enabled={String(enabled)}>
      <Section title={t('email_ui.notifications.title')}>
        <p data-testid="kai-notifications-state">{t(enabled ? 'email_ui.notifications.on' : 'email_ui.notifications.off')}</p>
        <Button kind={enabled ? 'secondary' : 'primary'} onClick={() => put(!enabled)} busy={save.busy} testId="kai-notifications-toggle">
          {t(enabled ? 'email_ui.notifications.turn_off' : 'email_ui.notifications.turn_on')}
        </Button>
        {enabled ? (
          <fieldset class="kai-fieldset">
            <legend>{t('email_ui.notifications.intro')}</legend>
            {NOTIFICATION_KINDS.map((kind) => (
              <label key={kind} class="kai-check">
                <input
                  type="checkbox"
                  checked={kinds[kind] !== false}
                  disabled={save.busy}
                  data-testid="kai-notifications-kind"
                  data-kind={kind}
                  onChange={(e) => put(true, { [kind]: (e.target as HTMLInputElement).checked })}
                />
                {t(`email_ui.kinds.${kind}`)}
              </label>
            ))}
          </fieldset>
        ) : null}
        <Saved show={saved && !save.busy && !save.error} />
        {save.error ? <ErrorBox error={save.error} compact /> : null}
      </Section>
    </div>
  );
}
