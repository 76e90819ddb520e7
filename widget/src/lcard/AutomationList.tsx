import type { AutomationRule, AutomationSequence } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge, Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction } from '../ui/hooks.js';
import { useMe } from '../ui/roles.js';
import { builderUrl } from './automation-scope.js';

type Item = AutomationRule | AutomationSequence;

/** Rules or sequences that apply to the lead's stage, each on or off; admins switch them and open them in the builder. */
export function AutomationList(props: { kind: 'rule' | 'sequence'; items: Item[]; onChanged: () => void }) {
  const { t } = useWidget();
  const plural = props.kind === 'rule' ? 'rules' : 'sequences';
  return (
    <div class="kai-automation__group" data-testid={`kai-automation-${plural}`}>
      <div class="kai-small kai-muted">{t(`automation_lcard.${plural}`)}</div>
      {props.items.length === 0 ? (
        <div class="kai-muted kai-small">{t(`automation_lcard.no_${plural}`)}</div>
      ) : (
        <ul class="kai-list">
          {props.items.map((item) => (
            <AutomationItem key={item.id} kind={props.kind} item={item} onChanged={props.onChanged} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** What the item does, in a few words: a rule's trigger, a sequence's number of steps. */
function summary(t: ReturnType<typeof useWidget>['t'], item: Item): string {
  if ('version' in item) return t('automation_lcard.when', { trigger: labelOf(t, 'automation_lcard.trigger', item.definition.trigger.type) });
  return t('automation_lcard.steps', { count: item.definition.steps.length });
}

function AutomationItem(props: { kind: 'rule' | 'sequence'; item: Item; onChanged: () => void }) {
  const { api, t, widgetCode } = useWidget();
  const { isAdmin } = useMe();
  const toggle = useAction();
  const { item, kind } = props;
  const flip = async () => {
    const next = !item.enabled;
    const done = await toggle.run(() => (kind === 'rule' ? api.setRuleEnabled(item.id, next) : api.setSequenceEnabled(item.id, next)).then(() => true));
    if (done) props.onChanged();
  };
  return (
    <li class="kai-list__item" data-testid={`kai-automation-${kind}`} data-id={item.id} data-enabled={String(item.enabled)}>
      <div class="kai-row kai-row--between">
        <span class="kai-text">{item.name}</span>
        <Badge tone={item.enabled ? 'ok' : 'muted'}>{t(item.enabled ? 'automation_lcard.enabled' : 'automation_lcard.disabled')}</Badge>
      </div>
      <div class="kai-small kai-muted">
        {summary(t, item)}
        {item.pipelineId === null ? ` · ${t('automation_lcard.scope_account')}` : item.statusId === null ? ` · ${t('automation_lcard.scope_pipeline')}` : ''}
      </div>
      {isAdmin ? (
        <div class="kai-row">
          <Button kind="link" onClick={flip} busy={toggle.busy} testId={`kai-automation-${kind}-toggle`}>
            {t(item.enabled ? 'automation_lcard.turn_off' : 'automation_lcard.turn_on')}
          </Button>
          <a class="kai-link kai-small" href={builderUrl(widgetCode, kind, item.id)} data-testid={`kai-automation-${kind}-open`}>
            {t('automation_lcard.open_in_builder')}
          </a>
        </div>
      ) : null}
      {toggle.error ? <ErrorBox error={toggle.error} onRetry={toggle.retry} compact /> : null}
    </li>
  );
}
