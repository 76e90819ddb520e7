import { useState } from 'preact/hooks';
import type { DryRun, Rule, RuleAction } from '../automation-contract.js';
import type { Translate } from '../i18n.js';
import { Badge, Button, ErrorBox, Field, Section } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { parseId } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';
import { type AutomationRefs, stageName } from './automation-inputs.js';
import { fieldName, TraceView, valueText } from './TraceView.js';
import { localizeConditions, localizeReason, localizeScope, localizeTrigger } from './trace-labels.js';

const nameOf = (list: { id: number; name: string }[], id: unknown) => list.find((x) => x.id === id)?.name ?? `#${String(id)}`;

/** An action as one line: its kind, then its parameters with ids shown by name (stage, users, template, sequence, field). */
export function actionText(t: Translate, a: RuleAction, refs: AutomationRefs): string {
  const p = { ...a } as Record<string, unknown>;
  const parts: string[] = [t(`automation_admin.action.${a.type}`)];
  if (typeof p.pipelineId === 'number') parts.push(stageName(refs, p.pipelineId, p.statusId as number));
  const named: Record<string, { id: number; name: string }[]> = {
    userId: refs.users,
    responsibleUserId: refs.users,
    templateId: refs.templates,
    sequenceId: refs.sequences,
    fieldId: refs.fields,
    taskTypeId: refs.taskTypes,
  };
  for (const [k, v] of Object.entries(p)) {
    if (k === 'type' || k === 'pipelineId' || k === 'statusId' || v === undefined) continue;
    if (named[k]) parts.push(nameOf(named[k], v));
    else if (k === 'userIds' && Array.isArray(v)) parts.push(v.map((id) => nameOf(refs.users, id)).join(', '));
    else parts.push(valueText(v, refs));
  }
  return parts.join(' · ');
}

/** Run the rule against a chosen lead as it is now: which checks hold, with the values compared, and what would run. */
export function RuleDryRun(props: { rule: Rule; refs: AutomationRefs }) {
  const { api, t } = useWidget();
  const [leadText, setLeadText] = useState('');
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<DryRun | null>(null);
  const run = useAction();
  const leadId = parseId(leadText);
  const wantsMessage = props.rule.definition.trigger.type === 'message_received';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (leadId === null) return;
    const r = await run.run(() => api.testRule(props.rule.id, leadId, wantsMessage ? message : undefined));
    if (r) setResult(r);
  };

  return (
    <Section title={t('automation_admin.dry_run.title')} testId="kai-rule-dry-run">
      <p class="kai-small kai-muted">{t('automation_admin.dry_run.hint')}</p>
      <form class="kai-row" onSubmit={submit} noValidate>
        <Field label={t('automation_admin.dry_run.lead')}>
          <input
            class="kai-input kai-input--short"
            inputMode="numeric"
            value={leadText}
            data-testid="kai-dry-run-lead"
            onInput={(e) => setLeadText((e.target as HTMLInputElement).value)}
          />
        </Field>
        {wantsMessage ? (
          <Field label={t('automation_admin.dry_run.message')}>
            <input class="kai-input" value={message} data-testid="kai-dry-run-message" onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
          </Field>
        ) : null}
        <Button kind="primary" type="submit" busy={run.busy} disabled={leadId === null} testId="kai-dry-run-go">
          {t('automation_admin.dry_run.run')}
        </Button>
      </form>
      {run.error ? <ErrorBox error={run.error} onRetry={run.retry} compact /> : null}
      {result ? (
        <div data-testid="kai-dry-run-result" data-verdict={result.verdict}>
          <div class="kai-row">
            <Badge tone={result.verdict === 'would_fire' ? 'ok' : 'warn'}>{t(`automation_admin.dry_run.${result.verdict}`)}</Badge>
            <span class="kai-small">{localizeReason(t, result.reason)}</span>
          </div>
          <ul class="kai-trace">
            <TraceView node={localizeTrigger(t, result.trigger)} refs={props.refs} />
            <TraceView node={localizeScope(t, result.scope)} refs={props.refs} />
            {result.conditions ? (
              <TraceView node={localizeConditions(t, result.conditions, props.rule.definition.conditions, fieldName(props.refs))} refs={props.refs} />
            ) : null}
          </ul>
          <div class="kai-field__label">{t('automation_admin.dry_run.actions')}</div>
          {result.actions.length ? (
            <ol data-testid="kai-dry-run-actions">
              {result.actions.map((a, i) => (
                <li key={i}>{actionText(t, a, props.refs)}</li>
              ))}
            </ol>
          ) : (
            <div class="kai-small kai-muted">{t('automation_admin.dry_run.no_actions')}</div>
          )}
        </div>
      ) : null}
    </Section>
  );
}
