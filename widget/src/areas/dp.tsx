import { useState } from 'preact/hooks';
import type { StageRef } from '../api.js';
import { mount } from '../mount.js';
import { Empty, ErrorBox, Spinner } from '../ui/components.js';
import { useWidget, type WidgetContext } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';

/** The manifest's `dp.settings` field Kommo stores with the stage's trigger and sends back in each DP webhook. */
export const DP_AGENT_FIELD = 'agent_id';

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

/** Replace the plain `agent_id` text input with a select of this account's agents. */
export function renderDpSettings(ctx: WidgetContext, doc: Document = document): boolean {
  const form = findDpForm(ctx.widgetCode, doc);
  const input = (form ?? doc).querySelector<HTMLInputElement>(`input[name="${DP_AGENT_FIELD}"]`);
  if (!input) return false;
  let root = input.parentElement?.querySelector('.kai-dp-root') ?? null;
  if (!root) {
    root = doc.createElement('div');
    root.className = 'kai-root kai-dp-root';
    input.insertAdjacentElement('afterend', root);
  }
  input.type = 'hidden';
  mount(root, ctx, <DpAgentSelect input={input} stage={findDpStage(form, doc)} />);
  return true;
}
