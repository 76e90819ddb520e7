import type { LeadAgentState } from '../api.js';
import { ErrorBox, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { AutomationList } from './AutomationList.js';
import { appliesTo, byScope } from './automation-scope.js';
import { Enrollments } from './Enrollments.js';

/**
 * The lead card's automation block: the rules and sequences that apply to the lead's stage, the lead's
 * sequence enrollments with their controls, and "enroll in sequence". It loads in parallel with the rest
 * of the panel (the stage only filters what is shown) and reads again when `version` changes.
 */
export function LeadAutomation(props: { leadId: number; stage: LeadAgentState['stage'] | undefined; version?: number; onChanged: () => void }) {
  const { api, t } = useWidget();
  const defs = useLoad(() => Promise.all([api.automationRules(), api.automationSequences()]), [props.version ?? 0]);
  const [rules, sequences] = defs.data ? [defs.data[0].items, defs.data[1].items] : [[], []];
  const stage = props.stage;
  return (
    <div class="kai-block" data-testid="kai-automation">
      <div class="kai-block__title">{t('automation_lcard.title')}</div>
      {defs.loading && !defs.data ? <Spinner /> : null}
      {defs.error ? <ErrorBox error={defs.error} onRetry={defs.reload} compact /> : null}
      {defs.data && stage !== undefined ? (
        <>
          <AutomationList kind="rule" items={byScope(rules.filter((r) => appliesTo(r, stage)))} onChanged={defs.reload} />
          <AutomationList kind="sequence" items={byScope(sequences.filter((s) => appliesTo(s, stage)))} onChanged={defs.reload} />
        </>
      ) : null}
      <Enrollments leadId={props.leadId} sequences={defs.data ? sequences : null} version={props.version} onChanged={props.onChanged} />
    </div>
  );
}
