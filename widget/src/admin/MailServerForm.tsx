import type { MailConnectionResult, MailFolder } from '../api.js';
import { Button, ErrorBox, Field } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction } from '../ui/hooks.js';
import { adviceFor, secureForPort, type PresetId } from './mail-presets.js';

export interface ServerDraft {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  /** Empty: keep the stored password. */
  password: string;
  passwordSet: boolean;
  mailbox: string;
}

const text = (e: Event) => (e.target as HTMLInputElement).value;

/**
 * One side of the mailbox (SMTP or IMAP): the server fields and its "Test connection", which logs in with
 * what the form holds (the stored password when the field is empty) and shows ok or a hint per failure.
 */
export function MailServerForm(props: {
  side: 'smtp' | 'imap';
  value: ServerDraft;
  preset: PresetId;
  onChange: (next: ServerDraft) => void;
  result: MailConnectionResult | null;
  onResult: (r: MailConnectionResult | null) => void;
  folders?: MailFolder[];
  fieldError: (field: string) => string | undefined;
}) {
  const { api, t } = useWidget();
  const { side, value: v, result } = props;
  const test = useAction();
  const set = (patch: Partial<ServerDraft>) => {
    props.onChange({ ...v, ...patch });
    props.onResult(null);
  };
  const id = (name: string) => `kai-${side}-${name}`;

  const runTest = async () => {
    const r = await test.run(() =>
      api.testMailConnection(side, {
        host: v.host.trim(),
        port: v.port,
        secure: v.secure,
        user: v.user.trim(),
        ...(v.password ? { password: v.password } : {}),
        ...(side === 'imap' && v.mailbox ? { mailbox: v.mailbox } : {}),
      }),
    );
    if (r) props.onResult(r);
  };

  return (
    <div class="kai-fieldset" data-testid={`kai-${side}-form`}>
      <div class="kai-grid">
        <Field label={t('email_ui.mailbox.host')} error={props.fieldError(`${side}.host`)}>
          <input class="kai-input" value={v.host} data-testid={id('host')} onInput={(e) => set({ host: text(e) })} />
        </Field>
        <Field label={t('email_ui.mailbox.port')} error={props.fieldError(`${side}.port`)}>
          <input
            class="kai-input kai-input--short"
            type="number"
            min={1}
            max={65535}
            value={v.port}
            data-testid={id('port')}
            onInput={(e) => {
              const port = Number(text(e));
              set({ port, secure: secureForPort(port) ?? v.secure });
            }}
          />
        </Field>
        <label class="kai-check">
          <input type="checkbox" checked={v.secure} data-testid={id('secure')} onChange={(e) => set({ secure: (e.target as HTMLInputElement).checked })} />
          {t('email_ui.mailbox.secure')}
        </label>
        <Field label={t('email_ui.mailbox.user')} error={props.fieldError(`${side}.user`)}>
          <input class="kai-input" value={v.user} autocomplete="off" data-testid={id('user')} onInput={(e) => set({ user: text(e) })} />
        </Field>
        <Field
          label={t('email_ui.mailbox.password')}
          hint={v.passwordSet ? t('email_ui.mailbox.password_kept') : undefined}
          error={props.fieldError(`${side}.password`)}
        >
          <input
            class="kai-input"
            type="password"
            autocomplete="new-password"
            value={v.password}
            data-testid={id('password')}
            onInput={(e) => set({ password: text(e) })}
          />
        </Field>
        {side === 'imap' ? (
          <Field label={t('email_ui.mailbox.folder')} hint={props.folders?.length ? undefined : t('email_ui.mailbox.folder_hint')}>
            <select class="kai-input" value={v.mailbox || 'INBOX'} data-testid="kai-imap-folder" onChange={(e) => set({ mailbox: text(e) })}>
              {folderOptions(props.folders, v.mailbox).map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
      </div>
      <div class="kai-row">
        <Button onClick={runTest} busy={test.busy} disabled={!v.host || !v.user} testId={id('test')}>
          {t('email_ui.mailbox.test')}
        </Button>
      </div>
      {test.error ? <ErrorBox error={test.error} compact /> : null}
      {result ? <TestResult result={result} preset={props.preset} server={v} /> : null}
    </div>
  );
}

function folderOptions(folders: MailFolder[] | undefined, current: string): string[] {
  const paths = folders?.map((f) => f.path) ?? [];
  const chosen = current || 'INBOX';
  return paths.includes(chosen) ? paths : [chosen, ...paths];
}

function TestResult(props: { result: MailConnectionResult; preset: PresetId; server: { port: number; secure: boolean } }) {
  const { t } = useWidget();
  const r = props.result;
  if (r.ok) {
    return (
      <div class="kai-notice kai-notice--ok" role="status" data-testid={`kai-${r.side}-result`} data-ok="true">
        {t(r.side === 'imap' ? 'email_ui.mailbox.ok_imap' : 'email_ui.mailbox.ok_smtp', { count: r.folders?.length ?? 0 })}
      </div>
    );
  }
  return (
    <div class="kai-notice kai-notice--bad" role="alert" data-testid={`kai-${r.side}-result`} data-ok="false" data-hint={r.hint}>
      <strong>{t('email_ui.mailbox.failed')}</strong>
      <ul class="kai-email__hints">
        {adviceFor(r.hint, props.preset, props.server).map((key) => (
          <li key={key}>{t(`email_ui.hints.${key}`)}</li>
        ))}
      </ul>
    </div>
  );
}
