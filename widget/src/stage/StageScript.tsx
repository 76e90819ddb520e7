import { useEffect, useRef, useState } from 'preact/hooks';
import { toApiError, type Script, type StageSetup } from '../api.js';
import { Field } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { insertToken } from '../ui/insert-token.js';
import { useLoad } from '../ui/hooks.js';

/** Wait this long after the last keystroke before asking the server for a preview. */
const PREVIEW_DEBOUNCE_MS = 400;

/**
 * The stage's script: the body, a picker that inserts a variable at the cursor, and a live preview on a real
 * lead — the card's own lead, or (on the board) one of the stage's leads chosen by name. `error`: the server's
 * word on the body (an unknown variable), shown once, next to the field.
 */
export function StageScript(props: {
  setup: StageSetup;
  value: string;
  onChange: (v: string) => void;
  /** The shared script library: picking one makes it this stage's script (bound on save). */
  library: Script[];
  picked: number | null;
  onPick: (script: Script) => void;
  leadId?: number;
  readOnly: boolean;
  error?: string;
}) {
  const { api, t } = useWidget();
  const ref = useRef<HTMLTextAreaElement>(null);
  const vars = useLoad(() => (props.readOnly ? Promise.resolve({ variables: [] }) : api.scriptVariables()), [props.readOnly]);
  const [picked, setPicked] = useState<number | null>(props.leadId ?? props.setup.leads[0]?.id ?? null);
  // The variable goes in at the cursor, and typing goes on after it.
  const insert = (key: string) => props.onChange(insertToken(ref.current, props.value, `{{${key}}}`));
  const others = (props.setup.script?.stages.length ?? 1) - 1;
  // The preview's complaint about the body (an unknown variable) is shown where the save's would be: once, under the field.
  const [previewError, setPreviewError] = useState<string | undefined>(undefined);
  return (
    <div data-testid="kai-stage-script">
      {props.library.length && !props.readOnly ? (
        <Field label={t('stage_setup.library')}>
          <select
            class="kai-input"
            value={props.picked === null ? '' : String(props.picked)}
            data-testid="kai-stage-script-pick"
            onChange={(e) => {
              const chosen = props.library.find((x) => String(x.id) === (e.target as HTMLSelectElement).value);
              if (chosen) props.onPick(chosen);
            }}
          >
            <option value="">{t('stage_setup.library_own')}</option>
            {props.library.map((x) => (
              <option key={x.id} value={String(x.id)}>
                {x.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <Field label={t('stage_setup.script')} hint={props.readOnly ? undefined : t('stage_setup.script_hint')} error={props.error ?? previewError}>
        <textarea
          ref={ref}
          class="kai-input kai-textarea kai-mono"
          rows={6}
          value={props.value}
          data-testid="kai-stage-script-body"
          onInput={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
        />
      </Field>
      {others > 0 ? <div class="kai-small kai-muted">{t('stage_setup.script_shared', { n: others })}</div> : null}
      {props.readOnly ? null : (
        <>
          <ul class="kai-variables__list" data-testid="kai-stage-variables">
            {(vars.data?.variables ?? []).map((v) => (
              <li key={v.key}>
                <button type="button" class="kai-chip" title={`{{${v.key}}}`} onClick={() => insert(v.key)}>
                  {v.label}
                </button>
              </li>
            ))}
          </ul>
          {props.leadId === undefined && props.setup.leads.length ? (
            <label class="kai-field kai-field--inline">
              <span class="kai-field__label">{t('stage_setup.preview_on')}</span>
              <select
                class="kai-input"
                value={String(picked ?? '')}
                data-testid="kai-stage-preview-lead"
                onChange={(e) => setPicked(Number((e.target as HTMLSelectElement).value))}
              >
                {props.setup.leads.map((l) => (
                  <option key={l.id} value={String(l.id)}>
                    {l.name || `#${l.id}`}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {picked !== null ? <Preview body={props.value} leadId={picked} onError={setPreviewError} /> : null}
        </>
      )}
    </div>
  );
}

/** The script rendered for a real lead, debounced, keeping only the newest answer; a refusal goes to `onError`. */
function Preview(props: { body: string; leadId: number; onError: (message: string | undefined) => void }) {
  const { api, t } = useWidget();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (!props.body.trim()) {
      setText(null);
      props.onError(undefined);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.previewScript(props.body, props.leadId).then(
        (r) => {
          if (!live) return;
          setText(r.rendered);
          props.onError(undefined);
        },
        (e: unknown) => {
          if (!live) return;
          const error = toApiError(e);
          setText(null);
          props.onError(error.errors[0]?.message ?? error.detail);
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [props.body, props.leadId, api]);
  return (
    <div class="kai-preview" data-testid="kai-stage-preview">
      <div class="kai-field__label">{t('stage_setup.preview')}</div>
      {text !== null ? <div class="kai-preview__out kai-text">{text}</div> : null}
    </div>
  );
}
