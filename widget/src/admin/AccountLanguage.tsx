import { useState } from 'preact/hooks';
import { SERVER_LANGS, type ServerLang } from '../api.js';
import { labelOf } from '../i18n.js';
import { Button, ErrorBox, Field, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { AdminOnly } from '../ui/roles.js';

/**
 * The language the server writes in (notes in Kommo, handoff briefs, notification emails): Kommo's by
 * default, or one an admin picks. Each user keeps seeing the widget in their own Kommo language.
 */
export function AccountLanguage() {
  const { api, t } = useWidget();
  const state = useLoad(() => api.accountLanguage(), []);
  const save = useAction();
  const [choice, setChoice] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  if (state.loading && !state.data) return <Spinner />;
  if (state.error && !state.data) return <ErrorBox error={state.error} onRetry={state.reload} compact />;
  const s = state.data;
  if (!s) return null;
  const value = choice ?? s.override ?? '';
  const kommoName = s.kommo ? labelOf(t, 'language', s.kommo.slice(0, 2).toLowerCase()) : null;
  const submit = async () => {
    const next = await save.run(() => api.setAccountLanguage(value === '' ? null : (value as ServerLang)));
    if (next) {
      state.setData(next);
      setChoice(null);
      setSaved(true);
    }
  };
  return (
    <Section title={t('connection.language_title')} testId="kai-account-language">
      <p class="kai-small kai-muted">{t('connection.language_hint')}</p>
      <AdminOnly mode="note">
        <Field label={t('connection.language_label')}>
          <select
            class="kai-input"
            value={value}
            data-testid="kai-account-language-select"
            onChange={(e) => {
              setChoice((e.target as HTMLSelectElement).value);
              setSaved(false);
            }}
          >
            <option value="">{kommoName ? t('connection.language_kommo', { lang: kommoName }) : t('connection.language_kommo_unknown')}</option>
            {SERVER_LANGS.map((l) => (
              <option key={l} value={l}>
                {labelOf(t, 'language', l)}
              </option>
            ))}
          </select>
        </Field>
        {save.error ? <ErrorBox error={save.error} compact /> : null}
        <div class="kai-form__foot">
          <Button kind="primary" onClick={submit} busy={save.busy} testId="kai-account-language-save">
            {t('common.save')}
          </Button>
          {saved ? (
            <span class="kai-ok" data-testid="kai-account-language-saved">
              {t('common.saved')}
            </span>
          ) : null}
        </div>
      </AdminOnly>
    </Section>
  );
}
