import { useEffect, useState } from 'preact/hooks';
import { APPROVAL_KEYS, type Agent, type AgentInput, type ApprovalKey, type ModelList, type ToolFailurePolicy, WEEKDAYS } from '../api.js';
import { labelOf } from '../i18n.js';
import { Button, Field, Section, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { splitList } from '../ui/format.js';
import { fieldErrors, useAction } from '../ui/hooks.js';
import { approvalAction, inputOf, localErrors, newAgentInput, toggleAction, toggleRunAtOnce } from './agent-form.js';
import { WorkingHoursEditor } from './WorkingHoursEditor.js';

/** Suggestions while the operator's list loads (or from a backend without GET /api/models). */
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1'];
const LANGUAGES = ['auto', 'en', 'es', 'pt', 'ru'];
const TONES = ['friendly', 'formal', 'concise', 'enthusiastic'];
/** Approval rows: every action, with the won/lost moves right under "move to stage". */
const APPROVAL_ROWS: ApprovalKey[] = ['move_to_stage', 'move_to_won', 'move_to_lost', ...APPROVAL_KEYS.filter((k) => approvalAction(k) !== 'move_to_stage')];
const TOOL_FAILURE: ToolFailurePolicy[] = ['handoff', 'notify'];

const value = (e: Event) => (e.target as HTMLInputElement).value;
const num = (e: Event) => Number((e.target as HTMLInputElement).value);

/** The fields this form shows a server error beside (fieldErrors' exact paths): the rest goes in the box below. */
const SHOWN_FIELDS = [
  'name',
  'instructions',
  'model',
  'temperature',
  'language',
  'tone',
  'replyDelaySec',
  'maxRepliesPerLeadPerDay',
  'maxReplyChars',
  'humanReplyPauseMinutes',
  'handoff.keywords',
  'handoff.afterTurns',
  'handoff.onToolFailure',
  'workingHours.timezone',
  ...WEEKDAYS.map((d) => `workingHours.schedule.${d}`),
];

export function AgentEditor(props: { agent: Agent | null; models?: ModelList; onSaved: (agent: Agent) => void; onCancel: () => void }) {
  const { api, t } = useWidget();
  const [input, setInput] = useState<AgentInput>(() => (props.agent ? inputOf(props.agent) : newAgentInput()));
  const allowed = props.models?.items;
  // A new agent starts on the operator's default model.
  useEffect(() => {
    if (!props.agent && props.models && !props.models.items.includes(input.model)) setInput((cur) => ({ ...cur, model: props.models!.default }));
  }, [props.models]);
  const [keywords, setKeywords] = useState(() => input.handoff.keywords.join(', '));
  // Local checks show only after the first Save attempt, then follow every edit.
  const [tried, setTried] = useState(false);
  const save = useAction();
  const set = (patch: Partial<AgentInput>) => setInput((cur) => ({ ...cur, ...patch }));

  const body: AgentInput = { ...input, handoff: { ...input.handoff, keywords: splitList(keywords) } };
  const fieldError = fieldErrors(t, save.error, tried ? localErrors(body) : {});

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(localErrors(body)).length) return;
    const saved = await save.run(() => (props.agent ? api.updateAgent(props.agent.id, body) : api.createAgent(body)));
    if (saved) props.onSaved(saved);
  };

  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-agent-editor" noValidate>
      <Section title={props.agent ? t('agents.edit_title', { name: props.agent.name }) : t('agents.new_title')}>
        <div class="kai-grid">
          <Field label={t('agents.fields.name')} error={fieldError('name')}>
            <input class="kai-input" value={input.name} onInput={(e) => set({ name: value(e) })} maxLength={100} data-testid="kai-agent-name" />
          </Field>
          <Field label={t('agents.fields.mode')} hint={t(`agents.mode_hint.${input.mode}`)}>
            <select class="kai-input" value={input.mode} onChange={(e) => set({ mode: value(e) as AgentInput['mode'] })}>
              <option value="draft">{t('mode.draft')}</option>
              <option value="autopilot">{t('mode.autopilot')}</option>
            </select>
          </Field>
        </div>
        <Field label={t('agents.fields.instructions')} hint={t('agents.instructions_hint')} error={fieldError('instructions')}>
          <textarea class="kai-input kai-textarea" rows={8} value={input.instructions} onInput={(e) => set({ instructions: value(e) })} />
        </Field>
        <div class="kai-grid">
          <Field label={t('agents.fields.model')} error={fieldError('model')}>
            {allowed ? (
              <select class="kai-input" value={input.model} data-testid="kai-agent-model" onChange={(e) => set({ model: value(e) })}>
                {(allowed.includes(input.model) ? allowed : [input.model, ...allowed]).map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            ) : (
              <>
                <input class="kai-input" list="kai-models" value={input.model} onInput={(e) => set({ model: value(e) })} />
                <datalist id="kai-models">
                  {MODELS.map((m) => (
                    <option key={m} value={m} />
                  ))}
                </datalist>
              </>
            )}
            {allowed && !allowed.includes(input.model) ? (
              <span class="kai-field__error" data-testid="kai-model-not-allowed">
                {t('agents.model_not_allowed', { model: input.model, fallback: props.models!.default })}
              </span>
            ) : null}
          </Field>
          <Field label={t('agents.fields.temperature')} error={fieldError('temperature')}>
            <input class="kai-input" type="number" min={0} max={2} step={0.1} value={input.temperature} onInput={(e) => set({ temperature: num(e) })} />
          </Field>
          <Field label={t('agents.fields.language')} error={fieldError('language')}>
            <select class="kai-input" value={input.language} onChange={(e) => set({ language: value(e) })}>
              {(LANGUAGES.includes(input.language) ? LANGUAGES : [...LANGUAGES, input.language]).map((l) => (
                <option key={l} value={l}>
                  {labelOf(t, 'language', l)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('agents.fields.tone')} error={fieldError('tone')}>
            <input class="kai-input" list="kai-tones" value={input.tone} onInput={(e) => set({ tone: value(e) })} />
            <datalist id="kai-tones">
              {TONES.map((tone) => (
                <option key={tone} value={tone}>
                  {labelOf(t, 'tone', tone)}
                </option>
              ))}
            </datalist>
          </Field>
          <Field label={t('agents.fields.replyDelaySec')} hint={t('agents.reply_delay_hint')} error={fieldError('replyDelaySec')}>
            <input class="kai-input" type="number" min={0} step={1} value={input.replyDelaySec} onInput={(e) => set({ replyDelaySec: num(e) })} />
          </Field>
          <Field label={t('agents.fields.maxRepliesPerLeadPerDay')} error={fieldError('maxRepliesPerLeadPerDay')}>
            <input
              class="kai-input"
              type="number"
              min={1}
              step={1}
              value={input.maxRepliesPerLeadPerDay}
              onInput={(e) => set({ maxRepliesPerLeadPerDay: num(e) })}
            />
          </Field>
          <Field label={t('agents.fields.maxReplyChars')} error={fieldError('maxReplyChars')}>
            <input
              class="kai-input"
              type="number"
              min={50}
              max={4000}
              step={10}
              value={input.maxReplyChars}
              data-testid="kai-agent-max-chars"
              onInput={(e) => set({ maxReplyChars: num(e) })}
            />
          </Field>
          <Field label={t('agents.fields.humanReplyPauseMinutes')} hint={t('agents.human_pause_hint')} error={fieldError('humanReplyPauseMinutes')}>
            <input
              class="kai-input"
              type="number"
              min={0}
              step={1}
              value={input.humanReplyPauseMinutes}
              data-testid="kai-agent-human-pause"
              onInput={(e) => set({ humanReplyPauseMinutes: num(e) })}
            />
          </Field>
        </div>
      </Section>

      <Section title={t('agents.actions_title')}>
        <p class="kai-small kai-muted">
          {t('agents.actions_hint')} {t('drafts_handoff.runs_at_once_hint')}
        </p>
        <table class="kai-table kai-table--compact">
          <thead>
            <tr>
              <th>{t('agents.action')}</th>
              <th>{t('agents.allowed')}</th>
              <th>{t('agents.needs_approval')}</th>
              <th>{t('drafts_handoff.runs_at_once')}</th>
            </tr>
          </thead>
          <tbody>
            {APPROVAL_ROWS.map((type) => (
              <tr key={type}>
                <td class={approvalAction(type) === type ? undefined : 'kai-indent'}>{labelOf(t, 'action_type', type)}</td>
                <td>
                  {approvalAction(type) === type ? (
                    <input
                      type="checkbox"
                      checked={input.allowedActions.includes(approvalAction(type))}
                      onChange={() => setInput((cur) => toggleAction(cur, 'allowedActions', approvalAction(type)))}
                      aria-label={`${labelOf(t, 'action_type', type)}: ${t('agents.allowed')}`}
                    />
                  ) : (
                    <span class="kai-muted" title={labelOf(t, 'action_type', 'move_to_stage')}>
                      ↳
                    </span>
                  )}
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={input.approvalRequired.includes(type)}
                    onChange={() => setInput((cur) => toggleAction(cur, 'approvalRequired', type))}
                    aria-label={`${labelOf(t, 'action_type', type)}: ${t('agents.needs_approval')}`}
                  />
                </td>
                <td>
                  {approvalAction(type) === type && type !== 'handoff_to_human' ? (
                    <input
                      type="checkbox"
                      checked={(input.runWithoutApproval ?? []).includes(approvalAction(type))}
                      onChange={() => setInput((cur) => toggleRunAtOnce(cur, approvalAction(type)))}
                      aria-label={`${labelOf(t, 'action_type', type)}: ${t('drafts_handoff.runs_at_once')}`}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title={t('agents.handoff_title')}>
        <div class="kai-grid">
          <Field label={t('agents.fields.keywords')} hint={t('agents.keywords_hint')} error={fieldError('handoff.keywords')}>
            <input class="kai-input" value={keywords} onInput={(e) => setKeywords(value(e))} />
          </Field>
          <Field label={t('agents.fields.afterTurns')} hint={t('agents.after_turns_hint')} error={fieldError('handoff.afterTurns')}>
            <input
              class="kai-input"
              type="number"
              min={1}
              step={1}
              value={input.handoff.afterTurns ?? ''}
              onInput={(e) => {
                const raw = value(e).trim();
                set({ handoff: { ...input.handoff, afterTurns: raw === '' ? null : Number(raw) } });
              }}
            />
          </Field>
        </div>
        <Field label={t('agents.fields.onToolFailure')} error={fieldError('handoff.onToolFailure')}>
          <select
            class="kai-input"
            value={input.handoff.onToolFailure}
            data-testid="kai-agent-tool-failure"
            onChange={(e) => set({ handoff: { ...input.handoff, onToolFailure: value(e) as ToolFailurePolicy } })}
          >
            {TOOL_FAILURE.map((p) => (
              <option key={p} value={p}>
                {t(`agents.on_tool_failure.${p}`)}
              </option>
            ))}
          </select>
        </Field>
      </Section>

      <WorkingHoursEditor value={input.workingHours} onChange={(workingHours) => set({ workingHours })} errorFor={fieldError} />

      <FormError error={save.error} fields={SHOWN_FIELDS} />
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={save.busy} testId="kai-agent-save">
          {t('common.save')}
        </Button>
        <Button kind="link" onClick={props.onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
