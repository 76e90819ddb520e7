import type { Rule } from '../automation-contract.js';
import { Badge, Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import type { AutomationRefs } from './automation-inputs.js';
import { fieldName, TraceView } from './TraceView.js';
import { localizeConditions, localizeReason, localizeScope, localizeTrigger } from './trace-labels.js';

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'muted'> = {
  fired: 'info',
  done: 'ok',
  skipped: 'muted',
  depth_limited: 'warn',
  rate_limited: 'warn',
  failed: 'bad',
};

/** The rule's runs, newest first: when, which version, which lead, what came of it and why. */
export function RuleHistory(props: { rule: Rule; refs: AutomationRefs }) {
  const { api, t, lang } = useWidget();
  const runs = useLoad(() => api.ruleHistory(props.rule.id), [props.rule.id]);
  return (
    <Section title={t('automation_admin.history.title')} testId="kai-rule-history">
      {runs.loading && !runs.data ? <Spinner /> : null}
      {runs.error ? <ErrorBox error={runs.error} onRetry={runs.reload} /> : null}
      {runs.data && runs.data.items.length === 0 ? <Empty>{t('automation_admin.history.empty')}</Empty> : null}
      <ul class="kai-list">
        {(runs.data?.items ?? []).map((run) => (
          <li key={run.id} class="kai-list__item" data-testid="kai-rule-run">
            <div class="kai-row">
              <Badge tone={TONE[run.status] ?? 'muted'}>{t(`automation_admin.run_status.${run.status}`)}</Badge>
              <span>v{run.version}</span>
              {run.leadId ? <span>{t('automation_admin.history.lead', { id: run.leadId })}</span> : null}
              <span class="kai-small kai-muted">{formatDateTime(run.createdAt, lang)}</span>
            </div>
            {run.trace?.reason ? <div class="kai-small">{localizeReason(t, run.trace.reason)}</div> : null}
            {run.trace ? (
              <details>
                <summary class="kai-small">{t('automation_admin.history.trace')}</summary>
                <ul class="kai-trace">
                  {run.trace.trigger ? <TraceView node={localizeTrigger(t, run.trace.trigger)} refs={props.refs} /> : null}
                  {run.trace.scope ? <TraceView node={localizeScope(t, run.trace.scope)} refs={props.refs} /> : null}
                  {run.trace.conditions ? (
                    <TraceView
                      node={
                        // Named from the rule's conditions only for a run of the version shown; an older one keeps the engine's text.
                        run.version === props.rule.version
                          ? localizeConditions(t, run.trace.conditions, props.rule.definition.conditions, fieldName(props.refs))
                          : run.trace.conditions
                      }
                      refs={props.refs}
                    />
                  ) : null}
                </ul>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}
