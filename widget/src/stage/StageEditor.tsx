import { useState } from 'preact/hooks';
import type { Agent, KnowledgeSource, OnStageEnter, Script, StageRef, StageSetup } from '../api.js';
import { Badge, Button, ErrorBox, Field, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { type AgentFields, fieldsOf, initialForm, type StageForm, StageSaveError, saveStage } from './stage-form.js';
import { StageKnowledge } from './StageKnowledge.js';
import { StageQuality } from './StageQuality.js';
import { StageScript } from './StageScript.js';

const ON_ENTER: OnStageEnter[] = ['off', 'greet', 'wait'];
const value = (e: Event) => (e.target as HTMLInputElement).value;

/**
 * The setup of one pipeline stage, shared by the lead card's "This stage" tab and the pipeline board: its agent
 * (picked or created), the agent's mode and handoff, what happens when a lead enters, the stage's script and the
 * agent's knowledge. `leadId`: the card's lead, which the script preview uses. Non-admins get it read-only.
 * `start`: on a stage without an agent, go straight to setting one up (the admin already asked to).
 */
export function StageEditor(props: { at: StageRef; leadId?: number; readOnly: boolean; start?: boolean; onSaved?: () => void }) {
  const { api } = useWidget();
  const { pipelineId, statusId } = props.at;
  const data = useLoad(
    () => Promise.all([api.stageSetup.get({ pipelineId, statusId }), api.agents(), api.knowledgeSources.list(), api.scripts()]),
    [pipelineId, statusId],
  );
  const [saved, setSaved] = useState(false);
  if (data.error && !data.data) return <ErrorBox error={data.error} onRetry={data.reload} />;
  // While (re)loading the editor is not shown: after a save it mounts again with the saved setup.
  if (!data.data || data.loading) return <Spinner />;
  const [setup, agents, entries, scripts] = data.data;
  return (
    <Editor
      setup={setup}
      agents={agents.items}
      entries={entries.items}
      library={scripts.items}
      leadId={props.leadId}
      readOnly={props.readOnly}
      start={props.start}
      saved={saved}
      onSaved={() => {
        setSaved(true);
        data.reload();
        props.onSaved?.();
      }}
    />
  );
}

function Editor(props: {
  setup: StageSetup;
  agents: Agent[];
  entries: KnowledgeSource[];
  library: Script[];
  leadId?: number;
  readOnly: boolean;
  start?: boolean;
  saved: boolean;
  onSaved: () => void;
}) {
  const { api, t } = useWidget();
  const { setup, readOnly } = props;
  const [started, setStarted] = useState(setup.agent !== null || (props.start === true && !readOnly));
  const [form, setForm] = useState<StageForm>(() => initialForm(setup, props.agents));
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<StageSaveError | null>(null);
  const [tried, setTried] = useState(false);
  // An agent this editor created in a save that then stopped at a later step: the form now edits that agent.
  const [created, setCreated] = useState<Agent | null>(null);
  const agents = created ? [...props.agents, created] : props.agents;
  const [savedTitles, setSavedTitles] = useState<string[]>([]);
  const set = (patch: Partial<StageForm>) => setForm((cur) => ({ ...cur, ...patch }));
  const setAgent = (patch: Partial<AgentFields>) => setForm((cur) => ({ ...cur, agent: { ...cur.agent, ...patch } }));
  const stage = setup.name;

  if (!started) {
    return (
      <div class="kai-block" data-testid="kai-stage-editor" data-state="no-agent">
        <div class="kai-muted">{t('stage_setup.no_agent', { stage })}</div>
        {readOnly ? null : (
          <Button kind="primary" onClick={() => setStarted(true)} testId="kai-stage-setup">
            {t('stage_setup.setup_for', { stage })}
          </Button>
        )}
      </div>
    );
  }

  const fieldErr = (step: string, field: string) =>
    failed?.step === step ? failed.error.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message : undefined;
  const nameError = tried && !form.agent.name.trim() ? t('validation.required') : fieldErr('agent', 'name');
  const scriptError = fieldErr('script', 'body');
  const shownNextToField = Boolean(failed && (fieldErr('agent', 'name') || scriptError));

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (!form.agent.name.trim()) return;
    setBusy(true);
    setFailed(null);
    try {
      const at = { pipelineId: setup.pipelineId, statusId: setup.statusId, name: stage };
      // What a save that then stops has done already leaves the form: the agent is the one made, the entries saved.
      await saveStage(api, at, setup, form, agents, props.entries, props.library, {
        created: (agent) => {
          setCreated(agent);
          set({ agentId: agent.id });
        },
        added: (entry) => {
          setForm((cur) => ({ ...cur, newEntries: cur.newEntries.filter((x) => x !== entry) }));
          setSavedTitles((cur) => [...cur, entry.title]);
        },
        shared: (id) => {
          setForm((cur) => ({ ...cur, share: cur.share.filter((x) => x !== id) }));
          setSavedTitles((cur) => [...cur, props.entries.find((e) => e.id === id)?.title ?? `#${id}`]);
        },
      });
      props.onSaved();
    } catch (err) {
      if (err instanceof StageSaveError) setFailed(err);
      else throw err;
    } finally {
      setBusy(false);
    }
  };

  const num = (e: Event) => Number(value(e));
  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-stage-editor" data-state={readOnly ? 'read-only' : 'edit'} noValidate>
      <div class="kai-block__title">
        {setup.pipelineName} › {stage}
      </div>
      {readOnly ? <div class="kai-notice kai-small">{t('stage_setup.read_only')}</div> : null}
      <fieldset class="kai-fieldset" disabled={readOnly || busy}>
        <Field label={t('common.agent')}>
          <select
            class="kai-input"
            value={String(form.agentId)}
            data-testid="kai-stage-agent"
            onChange={(e) => {
              const raw = value(e);
              const agent = raw === 'new' ? null : (agents.find((a) => a.id === Number(raw)) ?? null);
              set({ agentId: agent ? agent.id : 'new', agent: fieldsOf(agent) });
            }}
          >
            {agents.map((a) => (
              <option key={a.id} value={String(a.id)}>
                {a.name}
              </option>
            ))}
            <option value="new">{t('stage_setup.new_agent')}</option>
          </select>
        </Field>
        <div class="kai-grid">
          <Field label={t('agents.fields.name')} error={nameError}>
            <input class="kai-input" value={form.agent.name} maxLength={100} data-testid="kai-stage-agent-name" onInput={(e) => setAgent({ name: value(e) })} />
          </Field>
          <Field label={t('agents.fields.mode')} hint={t(`agents.mode_hint.${form.agent.mode}`)}>
            <select
              class="kai-input"
              value={form.agent.mode}
              data-testid="kai-stage-agent-mode"
              onChange={(e) => setAgent({ mode: value(e) as AgentFields['mode'] })}
            >
              <option value="draft">{t('mode.draft')}</option>
              <option value="autopilot">{t('mode.autopilot')}</option>
            </select>
          </Field>
        </div>
        {setup.quality && setup.agent && form.agentId === setup.agent.id ? (
          <StageQuality quality={setup.quality} agent={setup.agent} readOnly={readOnly} onChanged={props.onSaved} />
        ) : null}
        <Field label={t('agents.fields.instructions')} error={fieldErr('agent', 'instructions')}>
          <textarea
            class="kai-input kai-textarea"
            rows={4}
            value={form.agent.instructions}
            data-testid="kai-stage-agent-instructions"
            onInput={(e) => setAgent({ instructions: value(e) })}
          />
        </Field>
        <label class="kai-check">
          <input
            type="checkbox"
            checked={form.agent.handoffAllowed}
            data-testid="kai-stage-handoff"
            onChange={() => setAgent({ handoffAllowed: !form.agent.handoffAllowed })}
          />
          <span>{t('stage_setup.handoff_allowed')}</span>
        </label>
        <Field label={t('stage_setup.on_enter', { stage })}>
          <select
            class="kai-input"
            value={form.onStageEnter}
            data-testid="kai-stage-on-enter"
            onChange={(e) => set({ onStageEnter: value(e) as OnStageEnter })}
          >
            {ON_ENTER.map((v) => (
              <option key={v} value={v}>
                {t(`bindings.on_enter.${v}`)}
              </option>
            ))}
          </select>
        </Field>
        <label class="kai-check">
          <input
            type="checkbox"
            checked={form.replyByEmail}
            data-testid="kai-stage-reply-by-email"
            onChange={() => set({ replyByEmail: !form.replyByEmail })}
          />
          <span>{t('stage_setup.reply_by_email')}</span>
        </label>
        <details class="kai-details">
          <summary>{t('stage_setup.advanced')}</summary>
          <div class="kai-grid">
            <Field
              label={t('agents.fields.model')}
              hint={form.agentId === 'new' ? t('stage_setup.model_default') : undefined}
              error={fieldErr('agent', 'model')}
            >
              <input class="kai-input" value={form.agent.model} onInput={(e) => setAgent({ model: value(e) })} />
            </Field>
            <Field label={t('agents.fields.temperature')} error={fieldErr('agent', 'temperature')}>
              <input
                class="kai-input"
                type="number"
                min={0}
                max={2}
                step={0.1}
                value={form.agent.temperature}
                onInput={(e) => setAgent({ temperature: num(e) })}
              />
            </Field>
            <Field label={t('agents.fields.maxReplyChars')} error={fieldErr('agent', 'maxReplyChars')}>
              <input
                class="kai-input"
                type="number"
                min={50}
                max={4000}
                step={10}
                value={form.agent.maxReplyChars}
                onInput={(e) => setAgent({ maxReplyChars: num(e) })}
              />
            </Field>
          </div>
        </details>
        <StageScript
          setup={setup}
          value={form.script}
          onChange={(script) => set({ script })}
          // Scripts of the shared library this stage's agent can follow: written for any agent, or for this one.
          library={props.library.filter((x) => x.agentId === null || x.agentId === form.agentId)}
          picked={form.libraryScriptId ?? setup.script?.id ?? null}
          onPick={(x) => set({ libraryScriptId: x.id, script: x.body })}
          leadId={props.leadId}
          readOnly={readOnly}
          error={scriptError}
        />
        <StageKnowledge agentId={form.agentId} entries={props.entries} saved={savedTitles} form={form} set={set} readOnly={readOnly} />
        <Automation setup={setup} />
      </fieldset>
      {failed && !shownNextToField ? <ErrorBox error={failed.error} title={t('stage_setup.failed', { step: t(`stage_setup.step.${failed.step}`) })} /> : null}
      {readOnly ? null : (
        <div class="kai-form__foot">
          <span class="kai-small kai-muted" data-testid="kai-stage-applies">
            {t('stage_setup.applies', { stage })}
          </span>
          <Button kind="primary" type="submit" busy={busy} testId="kai-stage-save">
            {t('stage_setup.save')}
          </Button>
          {props.saved && !failed && !busy ? (
            <span class="kai-ok kai-small" data-testid="kai-stage-saved">
              {t('common.saved')}
            </span>
          ) : null}
        </div>
      )}
    </form>
  );
}

/** The stage's rules and sequences, named (they are edited in their own builders). */
function Automation(props: { setup: StageSetup }) {
  const { t } = useWidget();
  const { rules, sequences } = props.setup;
  if (!rules.length && !sequences.length) return null;
  const names = (xs: { name: string; enabled: boolean }[]) =>
    xs.map((x) => (
      <Badge key={x.name} tone={x.enabled ? 'info' : 'muted'}>
        {x.name}
      </Badge>
    ));
  return (
    <div class="kai-small" data-testid="kai-stage-automation">
      {rules.length ? (
        <div class="kai-row kai-row--wrap">
          {t('stage_setup.rules', { n: rules.length })} {names(rules)}
        </div>
      ) : null}
      {sequences.length ? (
        <div class="kai-row kai-row--wrap">
          {t('stage_setup.sequences', { n: sequences.length })} {names(sequences)}
        </div>
      ) : null}
    </div>
  );
}
