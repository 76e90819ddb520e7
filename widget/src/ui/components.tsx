import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ApiError } from '../api.js';
import { useWidget } from './context.js';
import { fieldMessage } from './hooks.js';

type ButtonKind = 'primary' | 'secondary' | 'danger' | 'link';

export function Button(props: {
  kind?: ButtonKind;
  onClick?: () => void;
  disabled?: boolean;
  busy?: boolean;
  type?: 'button' | 'submit';
  title?: string;
  testId?: string;
  children: ComponentChildren;
}) {
  const kind = props.kind ?? 'secondary';
  return (
    <button
      type={props.type ?? 'button'}
      class={`kai-btn kai-btn--${kind}`}
      onClick={props.onClick}
      disabled={props.disabled || props.busy}
      title={props.title}
      data-testid={props.testId}
      aria-busy={props.busy ? 'true' : undefined}
    >
      {props.busy ? <span class="kai-spinner kai-spinner--inline" aria-hidden="true" /> : null}
      {props.children}
    </button>
  );
}

export function Spinner(props: { label?: string }) {
  const { t } = useWidget();
  return (
    <div class="kai-loading" role="status">
      <span class="kai-spinner" aria-hidden="true" />
      <span>{props.label ?? t('common.loading')}</span>
    </div>
  );
}

const KNOWN_CODES = new Set([
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
  'UPSTREAM_FAILED',
  'NOT_CONFIGURED',
  'UNAVAILABLE',
  'NETWORK',
]);

/**
 * A backend problem in the user's language: our own title per error code (or the caller's, where it knows
 * better what a refusal means), the server's detail below.
 */
export function ErrorBox(props: { error: ApiError; onRetry?: () => void; compact?: boolean; title?: string }) {
  const { t } = useWidget();
  const { error } = props;
  const code = KNOWN_CODES.has(error.code) ? error.code : 'UNKNOWN';
  return (
    <div class={`kai-error${props.compact ? ' kai-error--compact' : ''}`} role="alert" data-testid="kai-error">
      <div class="kai-error__title">{props.title ?? t(`errors.${code}`)}</div>
      {error.detail ? <div class="kai-error__detail">{error.detail}</div> : null}
      {error.errors.length ? (
        <ul class="kai-error__list">
          {error.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {fieldMessage(t, e)}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="kai-error__foot">
        {props.onRetry ? (
          <Button kind="secondary" onClick={props.onRetry} testId="kai-retry">
            {t('common.retry')}
          </Button>
        ) : null}
        {error.requestId ? <span class="kai-muted kai-small">{t('errors.request_id', { id: error.requestId })}</span> : null}
      </div>
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="kai-empty">{props.children}</div>;
}

export function Badge(props: { tone?: 'ok' | 'warn' | 'bad' | 'info' | 'muted'; children: ComponentChildren }) {
  return <span class={`kai-badge kai-badge--${props.tone ?? 'muted'}`}>{props.children}</span>;
}

export function Section(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; testId?: string }) {
  return (
    <section class="kai-section" data-testid={props.testId}>
      <header class="kai-section__head">
        <h3 class="kai-section__title">{props.title}</h3>
        {props.actions ? <div class="kai-section__actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

/** A labelled control; `error` is the backend's message for this field, if any. */
export function Field(props: { label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the caller's child, inside this label
    <label class="kai-field">
      <span class="kai-field__label">{props.label}</span>
      {props.children}
      {props.hint ? <span class="kai-field__hint">{props.hint}</span> : null}
      {props.error ? <span class="kai-field__error">{props.error}</span> : null}
    </label>
  );
}

export function ProgressBar(props: { percent: number | null; label: string }) {
  const pct = props.percent === null ? null : Math.max(0, Math.min(100, props.percent));
  return (
    <div
      class={`kai-progress${pct === null ? ' kai-progress--indeterminate' : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      aria-label={props.label}
    >
      <div class="kai-progress__bar" style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}

export function Tabs<K extends string>(props: { tabs: { key: K; label: string }[]; active: K; onSelect: (key: K) => void }) {
  return (
    <div class="kai-tabs" role="tablist">
      {props.tabs.map((tab) => (
        <button
          key={tab.key}
          type="button"
          role="tab"
          aria-selected={tab.key === props.active}
          class={`kai-tabs__tab${tab.key === props.active ? ' kai-tabs__tab--active' : ''}`}
          data-testid={`kai-tab-${tab.key}`}
          onClick={() => props.onSelect(tab.key)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

/**
 * A destructive action that asks once: the first click only asks ("Yes, delete" / Cancel), the second runs it.
 * Never zero confirmations, never two. `confirmLabel`: the second button's words (default "Yes, delete").
 */
export function ConfirmButton(props: {
  label: string;
  confirmLabel?: string;
  onConfirm: () => void;
  busy?: boolean;
  disabled?: boolean;
  kind?: ButtonKind;
  testId?: string;
}) {
  const { t } = useWidget();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <Button kind={props.kind ?? 'danger'} onClick={() => setAsking(true)} disabled={props.disabled || props.busy} testId={props.testId}>
        {props.label}
      </Button>
    );
  return (
    <span class="kai-row" data-testid="kai-confirm">
      <Button kind="danger" onClick={props.onConfirm} busy={props.busy} testId="kai-confirm-yes">
        {props.confirmLabel ?? t('common.confirm_delete')}
      </Button>
      <Button kind="link" onClick={() => setAsking(false)} disabled={props.busy} testId="kai-confirm-no">
        {t('common.cancel')}
      </Button>
    </span>
  );
}

/** "Saved", once a save went through: every form that saves says so (in place, or on the list it returns to). */
export function Saved(props: { show: boolean }) {
  const { t } = useWidget();
  return props.show ? (
    <span class="kai-ok kai-small" data-testid="kai-saved" role="status">
      {t('common.saved')}
    </span>
  ) : null;
}

/**
 * A refused save, said once: an error about a field the form shows beside it (`fields`: the exact paths its
 * fields read with fieldErrors) is not repeated here; only the rest is, and nothing when every error has its field.
 */
/**
 * A form's error box, without the field errors shown beside their fields: those named in `fields`, and
 * those a nested editor showed in this render (`shown`, from fieldErrors; rendered before this box).
 */
export function FormError(props: { error: ApiError | null; fields: readonly string[]; shown?: ReadonlySet<string>; onRetry?: () => void }) {
  const { error } = props;
  if (!error) return null;
  const rest = error.errors.filter((e) => !props.fields.includes(e.field) && !props.shown?.has(e.field));
  if (error.errors.length && !rest.length) return null;
  return <ErrorBox error={{ ...error, errors: rest }} onRetry={props.onRetry} />;
}
