import { useEffect, useState } from 'preact/hooks';
import type { Api, StageRef } from '../api.js';
import type { KommoWidget } from '../kommo.js';
import { mount } from '../mount.js';
import { Empty, ErrorBox, Spinner } from '../ui/components.js';
import { useWidget, type WidgetContext } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';

/** The manifest's `dp.settings` field Kommo stores with the stage's trigger and sends back in each DP webhook. */
export const DP_AGENT_FIELD = 'agent_id';

/** The manifest's `dp.settings` field naming the follow-up sequence a lead reaching the stage is enrolled in. */
export const DP_SEQUENCE_FIELD = 'sequence_id';

/**
 * The DP setting that carries the account's own Digital Pipeline token (server: DP_TOKEN_SETTING). The
 * backend refuses a trigger without it: the webhook URL in the manifest is the same for every account.
 */
export const DP_TOKEN_FIELD = 'kai_dp_token';

/** The token kept in the widget's settings for this account, if an admin's visit stored it. */
export function storedDpToken(self: Pick<KommoWidget, 'get_settings'>): string | null {
  try {
    const v = self.get_settings()?.[DP_TOKEN_FIELD];
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

/** Store the token in the widget's settings for this account, when it is not there already. */
export function keepDpToken(self: Pick<KommoWidget, 'get_settings' | 'set_settings'>, token: string): void {
  if (storedDpToken(self) !== token) self.set_settings?.({ [DP_TOKEN_FIELD]: token });
}

/**
 * Fetch the account's DP token (admins only; the backend creates it on first use for accounts installed
 * before tokens existed) and keep it in the widget's settings, so the DP editor has it even for a user
 * the API would refuse. Null when it cannot be had (not an admin, backend unreachable).
 */
export async function rememberDpToken(self: Pick<KommoWidget, 'get_settings' | 'set_settings'>, api: Pick<Api, 'dpToken'>): Promise<string | null> {
  try {
    const { token } = await api.dpToken();
    keepDpToken(self, token);
    return token;
  } catch {
    return null;
  }
}

/**
 * Kommo's digital-pipeline modal holds a form (`[data-action=send_widget]`) with one input per `dp.settings`
 * field. Where the stage ids are not in the form (UNCONFIRMED across Kommo versions) we read the pipeline
 * from the URL and leave the binding to the backend, which also sees `agent_id` in every DP webhook.
 */
export function findDpForm(widgetCode: string, doc: Document = document): HTMLElement | null {
  const marker = doc.querySelector(`.digital-pipeline__short-task_widget-style_${CSS.escape(widgetCode)}`);
  const scope = marker?.parentElement?.parentElement ?? doc;
  return scope.querySelector<HTMLElement>('[data-action="send_widget"]');
}

export function findDpStage(form: HTMLElement | null, doc: Document = document): StageRef | null {
  const num = (name: string) => {
    const el = form?.querySelector<HTMLInputElement>(`input[name="${name}"]`);
    const n = Number(el?.value);
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  const fromUrl = /\/leads\/pipeline\/(\d+)/.exec(doc.location?.pathname ?? '');
  const pipelineId = num('pipeline_id') ?? (fromUrl ? Number(fromUrl[1]) : null);
  const statusId = num('status_id');
  return pipelineId && statusId ? { pipelineId, statusId } : null;
}

function DpAgentSelect(props: { input: HTMLInputElement; stage: StageRef | null }) {
  const { api, t } = useWidget();
  const agents = useLoad(() => api.agents(), []);
  const save = useAction();
  const [value, setValue] = useState(props.input.value);
  const [saved, setSaved] = useState(false);

  const change = async (raw: string) => {
    setValue(raw);
    setSaved(false);
    props.input.value = raw;
    props.input.dispatchEvent(new Event('input', { bubbles: true }));
    props.input.dispatchEvent(new Event('change', { bubbles: true }));
    const stage = props.stage;
    if (!stage) return;
    const agentId = raw === '' ? null : Number(raw);
    if (await save.run(() => api.putBinding({ ...stage, agentId }))) setSaved(true);
  };

  if (agents.loading && !agents.data) return <Spinner />;
  if (agents.error && !agents.data) return <ErrorBox error={agents.error} onRetry={agents.reload} compact />;
  const items = agents.data?.items ?? [];
  if (!items.length) return <Empty>{t('dp.no_agents')}</Empty>;
  return (
    <div class="kai-dp" data-testid="kai-dp">
      {/* Kommo already labels the field from manifest dp.settings.agent_id; ours would repeat it. */}
      <label class="kai-field">
        <select
          class="kai-input"
          aria-label={t('dp.agent')}
          value={value}
          onChange={(e) => change((e.target as HTMLSelectElement).value)}
          data-testid="kai-dp-agent"
        >
          <option value="">{t('dp.choose')}</option>
          {items.map((a) => (
            <option key={a.id} value={String(a.id)}>
              {a.name}
            </option>
          ))}
        </select>
        <span class="kai-field__hint">{props.stage ? t('dp.hint_bound') : t('dp.hint_on_trigger')}</span>
      </label>
      {save.busy ? <Spinner label={t('common.saving')} /> : null}
      {saved ? <div class="kai-small kai-ok">{t('common.saved')}</div> : null}
      {save.error ? <ErrorBox error={save.error} onRetry={save.retry} compact /> : null}
    </div>
  );
}

/** Set a Kommo form input and tell Kommo's form it changed, so the value is saved with the action. */
function setInput(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** The action's optional sequence: saved with the trigger; the backend enrolls each lead the trigger fires for, once. */
function DpSequenceSelect(props: { input: HTMLInputElement }) {
  const { api, t } = useWidget();
  const sequences = useLoad(() => api.sequenceOptions(), []);
  const [value, setValue] = useState(props.input.value);
  if (sequences.loading && !sequences.data) return <Spinner />;
  if (sequences.error && !sequences.data) return <ErrorBox error={sequences.error} onRetry={sequences.reload} compact />;
  const items = (sequences.data?.items ?? []).filter((s) => s.enabled || String(s.id) === value);
  if (!items.length) return <div class="kai-small kai-muted">{t('dp.no_sequences')}</div>;
  return (
    <label class="kai-field">
      <span class="kai-field__label">{t('dp.sequence')}</span>
      <select
        class="kai-input"
        value={value}
        onChange={(e) => {
          const raw = (e.target as HTMLSelectElement).value;
          setValue(raw);
          setInput(props.input, raw);
        }}
        data-testid="kai-dp-sequence"
      >
        <option value="">{t('dp.sequence_none')}</option>
        {items.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </select>
      <span class="kai-field__hint">{t('dp.sequence_hint')}</span>
    </label>
  );
}

/**
 * Put the account's token into the action's hidden token field: from the widget's settings at once when an
 * admin stored it there, then from the API. Kommo saves the field with the action and sends it back in
 * every trigger. An action saved before keeps the value it has when the token cannot be fetched.
 */
function DpTokenStatus(props: { input: HTMLInputElement; stored: string | null; remember?: (token: string) => void }) {
  const { api, t } = useWidget();
  const set = (token: string) => {
    if (props.input.value === token) return;
    props.input.value = token;
    props.input.dispatchEvent(new Event('input', { bubbles: true }));
    props.input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const [state, setState] = useState<'loading' | 'ok' | 'missing'>(() => {
    if (props.stored) set(props.stored);
    return props.input.value ? 'ok' : 'loading';
  });
  useEffect(() => {
    let live = true;
    api.dpToken().then(
      ({ token }) => {
        set(token);
        props.remember?.(token);
        if (live) setState('ok');
      },
      () => live && setState(props.input.value ? 'ok' : 'missing'),
    );
    return () => {
      live = false;
    };
  }, []);
  if (state === 'loading') return null;
  return state === 'ok' ? (
    <div class="kai-small kai-ok" data-testid="kai-dp-token">
      {t('dp.token_ok')}
    </div>
  ) : (
    <div class="kai-small kai-error" role="alert" data-testid="kai-dp-token-missing">
      {t('dp.token_missing')}
    </div>
  );
}

/** The action's token field: Kommo draws it from the manifest; where it did not, a hidden one in the same form. */
function tokenInput(form: HTMLElement | null, agentInput: HTMLInputElement, doc: Document): HTMLInputElement {
  const scope = form ?? agentInput.form ?? agentInput.parentElement ?? doc.body;
  let input = scope.querySelector<HTMLInputElement>(`input[name="${DP_TOKEN_FIELD}"]`);
  if (!input) {
    input = doc.createElement('input');
    input.name = DP_TOKEN_FIELD;
    agentInput.insertAdjacentElement('afterend', input);
  }
  input.type = 'hidden';
  // Where Kommo wraps the field in a label, hide that too (inline: the widget adds no global CSS).
  input.closest('label')?.style.setProperty('display', 'none');
  return input;
}

export interface DpSettingsOptions {
  /** The token from the widget's settings, when an admin's visit stored it there. */
  storedToken?: string | null;
  /** Keep a fetched token in the widget's settings. */
  remember?: (token: string) => void;
}

/** Replace the plain `agent_id` text input with a select of this account's agents, and sign the action with the account's token. */
export function renderDpSettings(ctx: WidgetContext, doc: Document = document, opts: DpSettingsOptions = {}): boolean {
  const form = findDpForm(ctx.widgetCode, doc);
  const input = (form ?? doc).querySelector<HTMLInputElement>(`input[name="${DP_AGENT_FIELD}"]`);
  if (!input) return false;
  const token = tokenInput(form, input, doc);
  let root = input.parentElement?.querySelector('.kai-dp-root') ?? null;
  if (!root) {
    root = doc.createElement('div');
    root.className = 'kai-root kai-dp-root';
    input.insertAdjacentElement('afterend', root);
  }
  input.type = 'hidden';
  const sequence = (form ?? doc).querySelector<HTMLInputElement>(`input[name="${DP_SEQUENCE_FIELD}"]`);
  if (sequence) {
    sequence.type = 'hidden';
    sequence.closest('label')?.style.setProperty('display', 'none');
  }
  mount(
    root,
    ctx,
    <>
      <DpAgentSelect input={input} stage={findDpStage(form, doc)} />
      {sequence ? <DpSequenceSelect input={sequence} /> : null}
      <DpTokenStatus input={token} stored={opts.storedToken ?? null} remember={opts.remember} />
    </>,
  );
  return true;
}
