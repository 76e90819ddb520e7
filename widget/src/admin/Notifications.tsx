import { Button, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';

/**
 * The user's own notification emails (handoffs, tasks, a Kommo connection that needs renewing): on or off.
 * Every user may open it (the link in each notification email lands here: `?kai_tab=notifications`).
 */
export function Notifications() {
  const { api, t } = useWidget();
  const prefs = useLoad(() => api.notificationPrefs(), []);
  const save = useAction();
  if (prefs.loading && !prefs.data) return <Spinner />;
  if (prefs.error && !prefs.data) return <ErrorBox error={prefs.error} onRetry={prefs.reload} />;
  const enabled = prefs.data?.enabled ?? true;
  const toggle = async () => {
    const next = await save.run(() => api.setNotificationPrefs(!enabled));
    if (next) prefs.setData(next);
  };
  return (
    <div data-testid="kai-notifications" data-enabled={String(enabled)}>
      <Section title={t('email_ui.notifications.title')}>
        <p>{t('email_ui.notifications.intro')}</p>
        <ul class="kai-email__hints">
          <li>{t('email_ui.notifications.kind_handoff')}</li>
          <li>{t('email_ui.notifications.kind_task')}</li>
          <li>{t('email_ui.notifications.kind_problems')}</li>
        </ul>
        <p data-testid="kai-notifications-state">{t(enabled ? 'email_ui.notifications.on' : 'email_ui.notifications.off')}</p>
        <Button kind={enabled ? 'secondary' : 'primary'} onClick={toggle} busy={save.busy} testId="kai-notifications-toggle">
          {t(enabled ? 'email_ui.notifications.turn_off' : 'email_ui.notifications.turn_on')}
        </Button>
        {save.error ? <ErrorBox error={save.error} compact /> : null}
      </Section>
    </div>
  );
}
