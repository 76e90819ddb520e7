import type { Agent } from '../api.js';
import { RULE_ACTION_TYPES, type RuleAction } from '../automation-contract.js';
import { Button } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { type AutomationRefs, defaultsOf, KeySelect } from './automation-inputs.js';
import { ParamFields } from './ParamFields.js';
import { newAction } from './rule-form.js';

/** The rule's actions, in order: a kind select and that kind's parameters per row. */
export function ActionsEditor(props: {
  value: RuleAction[];
  refs: AutomationRefs;
  agents: Agent[];
  error?: (path: string) => string | undefined;
  onChange: (v: RuleAction[]) => void;
}) {
  const { t } = useWidget();
  const setAt = (i: number, a: RuleAction | null) => props.onChange(a ? props.value.map((x, j) => (j === i ? a : x)) : props.value.filter((_, j) => j !== i));
  return (
    <div data-testid="kai-rule-actions">
      <ol class="kai-auto__actions">
        {props.value.map((a, i) => (
          <li key={i} class="kai-auto__action" data-testid="kai-rule-action">
            <div class="kai-row kai-auto__row">
              <KeySelect
                value={a.type}
                keys={RULE_ACTION_TYPES}
                group="automation_admin.action"
                label={t('automation_admin.action_kind')}
                testId="kai-rule-action-type"
                onChange={(type) => setAt(i, newAction(type, defaultsOf(props.refs)))}
              />
              <Button kind="link" onClick={() => setAt(i, null)}>
                {t('common.remove')}
              </Button>
            </div>
            <ParamFields
              value={a}
              refs={props.refs}
              agents={props.agents}
              testId="kai-rule"
              error={(k) => props.error?.(`definition.actions.${i}${k}`)}
              onChange={(x) => setAt(i, x as RuleAction)}
            />
          </li>
        ))}
      </ol>
      <Button testId="kai-rule-add-action" onClick={() => props.onChange([...props.value, newAction('add_note', defaultsOf(props.refs))])}>
        {t('automation_admin.add_action')}
      </Button>
    </div>
  );
}
