import { useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import type { Rule } from '../automation-contract.js';
import { Button, ErrorBox, Field, Section, ConfirmButton, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { fieldErrors, useAction } from '../ui/hooks.js';
import { ActionsEditor } from './ActionsEditor.js';
import { type AutomationRefs, FieldGroup, defaultsOf, NumInput, StagePicker } from './automation-inputs.js';
import { ConditionsEditor } from './ConditionsEditor.js';
import { formToInput, localRuleErrors, newRuleForm, type RuleForm, ruleToForm } from './rule-form.js';
import { TriggerFields } from './TriggerFields.js';

/** The rule builder: scope, trigger, condition groups and actions as forms; saving a definition makes a new version. */
export function RuleEditor(props: { rule: Rule | null; refs: AutomationRefs; agents: Agent[]; onDone: (saved?: Rule) => void }) {
  const { api, t } = useWidget();
  const [form, setForm] = useState<RuleForm>(() => (props.rule ? ruleToForm(props.rule) : newRuleForm(defaultsOf(props.refs))));
  const [tried, setTried] = useState(false);
  const save = useAction();
  const del = useAction();
  const set = (patch: Partial<RuleForm>) => setForm((cur) => ({ ...cur, ...patch }));

  const fieldError = fieldErrors(t, save.error, tried ? localRuleErrors(form) : {});

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(localRuleErrors(form)).length) return;
    const input = formToInput(form);
    const rule = props.rule;
    const saved = await save.run(() => (rule ? api.updateRule(rule.id, input) : api.createRule(input)));
    if (saved) props.onDone(saved);
  };
  const remove = async () => {
    const rule = props.rule;
    if (rule && (await del.run(() => api.deleteRule(rule.id).then(() => true)))) props.onDone();
  };

  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-rule-editor" noValidate>
      <Section
        title={
          props.rule ? t('automation_admin.rules.edit_title', { name: props.rule.name, version: props.rule.version }) : t('automation_admin.rules.new_title')
        }
      >
        <div class="kai-grid">
          <Field label={t('automation_admin.name')} error={fieldError('name')}>
            <input class="kai-input" value={form.name} data-testid="kai-rule-name" onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />
          </Field>
          <FieldGroup label={t('automation_admin.scope')} hint={t('automation_admin.scope_hint')} error={fieldError('pipelineId')}>
            <StagePicker
              refs={props.refs}
              pipelineId={form.pipelineId}
              statusId={form.statusId}
              anyPipeline
              anyStage
              testId="kai-rule-scope"
              onChange={(pipelineId, statusId) => set({ pipelineId, statusId })}
            />
          </FieldGroup>
          <Field label={t('automation_admin.per_lead_per_hour')} error={fieldError('definition.perLeadPerHour')}>
            <NumInput value={form.perLeadPerHour} label={t('automation_admin.per_lead_per_hour')} onChange={(n) => set({ perLeadPerHour: n })} />
          </Field>
          <label class="kai-check">
            <input type="checkbox" checked={form.enabled} data-testid="kai-rule-enabled" onChange={() => set({ enabled: !form.enabled })} />
            <span>{t('automation_admin.enabled')}</span>
          </label>
        </div>
      </Section>
      <Section title={t('automation_admin.when')}>
        <TriggerFields value={form.trigger} refs={props.refs} error={fieldError} onChange={(trigger) => set({ trigger })} />
      </Section>
      <Section title={t('automation_admin.if')}>
        <ConditionsEditor value={form.conditions} refs={props.refs} onChange={(conditions) => set({ conditions })} />
      </Section>
      <Section title={t('automation_admin.then')}>
        {fieldError('definition.actions') ? <div class="kai-field__error">{fieldError('definition.actions')}</div> : null}
        <ActionsEditor value={form.actions} refs={props.refs} agents={props.agents} error={fieldError} onChange={(actions) => set({ actions })} />
      </Section>

      <FormError error={save.error} fields={['name', 'pipelineId', 'definition.perLeadPerHour', 'definition.actions']} shown={fieldError.shown} />
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={save.busy} testId="kai-rule-save">
          {t('common.save')}
        </Button>
        <Button kind="link" onClick={() => props.onDone()}>
          {t('common.cancel')}
        </Button>
        {props.rule ? <ConfirmButton label={t('common.delete')} onConfirm={remove} busy={del.busy} testId="kai-rule-delete" /> : null}
      </div>
    </form>
  );
}
