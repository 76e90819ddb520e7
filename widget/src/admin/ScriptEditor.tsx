import { useEffect, useRef, useState } from 'preact/hooks';
import { toApiError, type ApiError, type Script } from '../api.js';
import { Button, ErrorBox, Field, Section, ConfirmButton, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { parseId } from '../ui/format.js';
import { insertToken } from '../ui/insert-token.js';
import { fieldErrors, useAction, useLoad } from '../ui/hooks.js';

/** Wait this long after the last keystroke before asking the server for a preview. */
const PREVIEW_DEBOUNCE_MS = 400;

type Text = { name: string; body: string };

/**
 * A script of the shared library: its name and text. Which stages use it is set on the pipeline board's stage
 * editor (the stage binds the script), so this form has no stage or agent picker and leaves both as they are.
 */
export function ScriptEditor(props: { script: Script | null; onDone: (saved?: boolean) => void }) {
  const { api, t } = useWidget();
  const [input, setInput] = useState<Text>(() => (props.script ? { name: props.script.name, body: props.script.body } : { name: '', body: '' }));
  const refs = useLoad(() => api.scriptVariables(), []);
  const save = useAction();
  const del = useAction();
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const fieldError = fieldErrors(t, save.error);
  const set = (patch: Partial<Text>) => setInput((cur) => ({ ...cur, ...patch }));

  const insertVariable = (variableKey: string) => set({ body: insertToken(bodyRef.current, input.body, `{{${variableKey}}}`) });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!input.name.trim()) return;
    const script = props.script;
    const done = await save.run(() => (script ? api.updateScript(script.id, input) : api.createScript({ ...input, agentId: null, stages: [] })));
    if (done) props.onDone(true);
  };
  const remove = async () => {
    const script = props.script;
    if (!script) return;
    if (await del.run(() => api.deleteScript(script.id).then(() => true))) props.onDone();
  };

  const variables = refs.data ?? { variables: [] };

  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-script-editor" noValidate>
      <Section title={props.script ? t('scripts.edit_title', { name: props.script.name }) : t('scripts.new_title')}>
        <div class="kai-grid">
          <Field label={t('scripts.fields.name')} error={fieldError('name')}>
            <input
              class="kai-input"
              value={input.name}
              required
              data-testid="kai-script-name"
              onInput={(e) => set({ name: (e.target as HTMLInputElement).value })}
            />
          </Field>
        </div>
        {refs.error ? <ErrorBox error={refs.error} onRetry={refs.reload} compact /> : null}
        <div class="kai-split">
          <Field label={t('scripts.fields.body')} hint={t('scripts.body_hint')} error={fieldError('body')}>
            <textarea
              ref={bodyRef}
              class="kai-input kai-textarea kai-mono"
              rows={12}
              value={input.body}
              data-testid="kai-script-body"
              onInput={(e) => set({ body: (e.target as HTMLTextAreaElement).value })}
            />
          </Field>
          <div class="kai-variables" data-testid="kai-variables">
            <div class="kai-field__label">{t('scripts.variables')}</div>
            <ul class="kai-variables__list">
              {variables.variables.map((v) => (
                <li key={v.key}>
                  <button type="button" class="kai-chip" title={`{{${v.key}}}`} onClick={() => insertVariable(v.key)}>
                    {v.label}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </div>
        <Preview body={input.body} />
      </Section>

      <FormError error={save.error} fields={['name', 'body']} />
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={save.busy} disabled={!input.name.trim()} testId="kai-script-save">
          {t('common.save')}
        </Button>
        <Button kind="link" onClick={() => props.onDone()}>
          {t('common.cancel')}
        </Button>
        {props.script ? <ConfirmButton label={t('common.delete')} onConfirm={remove} busy={del.busy} testId="kai-script-delete" /> : null}
      </div>
    </form>
  );
}

/** Renders the script against a real lead, debounced, showing only the newest answer. */
function Preview(props: { body: string }) {
  const { api, t } = useWidget();
  const [leadText, setLeadText] = useState('');
  const [rendered, setRendered] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const leadId = parseId(leadText);

  useEffect(() => {
    if (leadId === null || !props.body.trim()) {
      setRendered(null);
      setError(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      setBusy(true);
      api.previewScript(props.body, leadId).then(
        (r) => {
          if (!live) return;
          setRendered(r.rendered);
          setError(null);
          setBusy(false);
        },
        (e: unknown) => {
          if (!live) return;
          setError(toApiError(e));
          setBusy(false);
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [props.body, leadId, tick, api]);

  return (
    <div class="kai-preview" data-testid="kai-script-preview">
      <label class="kai-field kai-field--inline">
        <span class="kai-field__label">{t('scripts.preview_lead')}</span>
        <input class="kai-input kai-input--short" inputMode="numeric" value={leadText} onInput={(e) => setLeadText((e.target as HTMLInputElement).value)} />
        {busy ? <span class="kai-spinner kai-spinner--inline" aria-hidden="true" /> : null}
      </label>
      {leadId === null ? <div class="kai-small kai-muted">{t('scripts.preview_hint')}</div> : null}
      {error ? <ErrorBox error={error} onRetry={() => setTick((n) => n + 1)} compact /> : null}
      {rendered !== null ? <div class="kai-preview__out kai-text">{rendered}</div> : null}
    </div>
  );
}
