import { useEffect, useState } from 'preact/hooks';
import type { MailConnectionResult, MailServerInput, MailServerView, MailSettingsView } from '../api.js';
import { Button, ErrorBox, Field, Section, Spinner, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { MAIL_PRESETS, presetById, presetOf, type PresetId } from './mail-presets.js';
import { MailServerForm, type ServerDraft } from './MailServerForm.js';

const draftOf = (s: MailServerView | null, fallbackPort: number, secure: boolean): ServerDraft => ({
  host: s?.host ?? '',
  port: s?.port ?? fallbackPort,
  secure: s?.secure ?? secure,
  user: s?.user ?? '',
  password: '',
  passwordSet: s?.passwordSet ?? false,
  mailbox: s?.mailbox ?? 'INBOX',
});

const input = (d: ServerDraft, side: 'smtp' | 'imap'): MailServerInput => ({
  host: d.host.trim(),
  port: d.port,
  secure: d.secure,
  user: d.user.trim(),
  ...(d.password ? { password: d.password } : {}),
  ...(side === 'imap' ? { mailbox: d.mailbox || 'INBOX' } : {}),
});

/** The account's own mailbox: SMTP for sending, IMAP (optional) for reading client replies. Admins only. */
export function Mailbox() {
  const { api } = useWidget();
  const settings = useLoad(() => api.mailSettings(), []);
  if (settings.loading && !settings.data) return <Spinner />;
  if (settings.error && !settings.data) return <ErrorBox error={settings.error} onRetry={settings.reload} />;
  return settings.data ? <MailboxForm initial={settings.data} onSaved={settings.setData} /> : null;
}

function MailboxForm(props: { initial: MailSettingsView; onSaved: (s: MailSettingsView) => void }) {
  const { api, t } = useWidget();
  const init = props.initial;
  const [preset, setPreset] = useState<PresetId>(presetOf(init.smtp?.host, init.imap?.host));
  const [smtp, setSmtp] = useState(draftOf(init.smtp, 465, true));
  const [imapOn, setImapOn] = useState(Boolean(init.imap));
  const [imap, setImap] = useState(draftOf(init.imap, 993, true));
  const [fromName, setFromName] = useState(init.fromName ?? '');
  const [fromAddress, setFromAddress] = useState(init.fromAddress ?? '');
  const [results, setResults] = useState<{ smtp: MailConnectionResult | null; imap: MailConnectionResult | null }>({ smtp: null, imap: null });
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const folders = results.imap?.ok ? results.imap.folders : undefined;
  const [storedFolders, setStoredFolders] = useState<MailConnectionResult | null>(null);

  // A saved IMAP mailbox: its folders for the picker (quietly nothing when it cannot be read now).
  useEffect(() => {
    if (!init.imap?.passwordSet) return;
    api.mailFolders().then(
      (r) => setStoredFolders({ ok: true, side: 'imap', folders: r.items }),
      () => undefined,
    );
  }, [api, init.imap?.passwordSet]);

  const choosePreset = (id: PresetId) => {
    setPreset(id);
    const p = presetById(id);
    const user = smtp.user || fromAddress;
    if (p.smtp) setSmtp({ ...smtp, ...p.smtp, user });
    if (p.imap) setImap({ ...imap, ...p.imap, user: imap.user || user });
    setResults({ smtp: null, imap: null });
  };

  const fieldError = (field: string) => save.error?.errors.find((e) => e.field === field)?.message;

  const submit = async () => {
    setSaved(false);
    const next = await save.run(() =>
      api.saveMailSettings({
        smtp: input(smtp, 'smtp'),
        imap: imapOn ? input(imap, 'imap') : null,
        fromName: fromName.trim() || null,
        fromAddress: fromAddress.trim() || null,
      }),
    );
    if (!next) return;
    setSmtp(draftOf(next.smtp, 465, true));
    if (next.imap) setImap(draftOf(next.imap, 993, true));
    setSaved(true);
    props.onSaved(next);
  };

  const p = presetById(preset);
  return (
    <div data-testid="kai-mailbox">
      <Section title={t('email_ui.mailbox.title')}>
        <p class="kai-small kai-muted">{t('email_ui.mailbox.intro')}</p>
        <div class="kai-grid">
          <Field label={t('email_ui.mailbox.provider')}>
            <select
              class="kai-input"
              value={preset}
              data-testid="kai-mail-preset"
              onChange={(e) => choosePreset((e.target as HTMLSelectElement).value as PresetId)}
            >
              {MAIL_PRESETS.map((x) => (
                <option key={x.id} value={x.id}>
                  {t(`email_ui.presets.${x.id}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('email_ui.mailbox.from_name')} error={fieldError('fromName')}>
            <input class="kai-input" value={fromName} data-testid="kai-mail-from-name" onInput={(e) => setFromName((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label={t('email_ui.mailbox.from_address')} error={fieldError('fromAddress')}>
            <input
              class="kai-input"
              type="email"
              value={fromAddress}
              data-testid="kai-mail-from-address"
              onInput={(e) => setFromAddress((e.target as HTMLInputElement).value)}
            />
          </Field>
        </div>
        {p.appPassword ? <div class="kai-notice kai-notice--warn">{t('email_ui.mailbox.app_password_note')}</div> : null}
      </Section>

      <Section title={t('email_ui.mailbox.smtp_title')}>
        <MailServerForm
          side="smtp"
          value={smtp}
          preset={preset}
          onChange={setSmtp}
          result={results.smtp}
          onResult={(r) => setResults((x) => ({ ...x, smtp: r }))}
          fieldError={fieldError}
        />
      </Section>

      <Section title={t('email_ui.mailbox.imap_title')}>
        <label class="kai-check">
          <input type="checkbox" checked={imapOn} data-testid="kai-imap-enabled" onChange={(e) => setImapOn((e.target as HTMLInputElement).checked)} />
          {t('email_ui.mailbox.imap_enable')}
        </label>
        {init.imapStatus?.error ? <div class="kai-notice kai-notice--bad">{t(`email_ui.hints.${init.imapStatus.error.hint}`)}</div> : null}
        {imapOn ? (
          <MailServerForm
            side="imap"
            value={imap}
            preset={preset}
            onChange={setImap}
            result={results.imap}
            onResult={(r) => setResults((x) => ({ ...x, imap: r }))}
            folders={folders ?? (storedFolders?.ok ? storedFolders.folders : undefined)}
            fieldError={fieldError}
          />
        ) : null}
      </Section>

      <FormError
        error={save.error}
        fields={['fromName', 'fromAddress', ...['smtp', 'imap'].flatMap((side) => ['host', 'port', 'user', 'password'].map((f) => `${side}.${f}`))]}
      />
      <div class="kai-form__foot">
        <Button kind="primary" onClick={submit} busy={save.busy} disabled={!smtp.host || !smtp.user} testId="kai-mail-save">
          {t('common.save')}
        </Button>
        {saved ? (
          <span class="kai-ok" data-testid="kai-mail-saved">
            {t('common.saved')}
          </span>
        ) : null}
      </div>
    </div>
  );
}
