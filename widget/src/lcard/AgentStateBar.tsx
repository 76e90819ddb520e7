import { agentLeadState, type AgentLeadState, type LeadAgentState } from '../api.js';
import { Badge, Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';

/**
 * The agent's state on this lead, exactly (active, paused, handed off, or not configured), and what a
 * person can do about it: pause or resume, hand off to a person, return the lead to the agent.
 */
export function AgentStateBar(props: { data: LeadAgentState; onChange: (next: LeadAgentState) => void }) {
  const { api, t } = useWidget();
  const action = useAction();
  const { data } = props;
  const state = agentLeadState(data);
  if (state.kind === 'not_configured') return null;
  const run = (fn: () => Promise<LeadAgentState>) => action.run(fn).then((next) => next && props.onChange(next));
  const handOff = (
    <Button onClick={() => run(() => api.handOffLead(data.leadId))} busy={action.busy} testId="kai-hand-off">
      {t('drafts_handoff.hand_off')}
    </Button>
  );
  return (
    <div class="kai-lcard__pause" data-testid="kai-pause">
      <div class="kai-row" data-testid="kai-state" data-state={state.kind}>
        <StateBadge state={state} />
        {state.kind === 'handed_off' ? (
          <Button kind="primary" onClick={() => run(() => api.returnLeadToAgent(data.leadId))} busy={action.busy} testId="kai-return">
            {t('drafts_handoff.return')}
          </Button>
        ) : state.kind === 'paused' ? (
          <>
            <Button kind="primary" onClick={() => run(() => api.resumeLead(data.leadId))} busy={action.busy} testId="kai-resume">
              {t('lcard.resume')}
            </Button>
            {handOff}
          </>
        ) : (
          <>
            <Button onClick={() => run(() => api.pauseLead(data.leadId, 60))} busy={action.busy} testId="kai-pause-1h">
              {t('lcard.pause_1h')}
            </Button>
            <Button onClick={() => run(() => api.pauseLead(data.leadId, 60 * 24))} busy={action.busy}>
              {t('lcard.pause_24h')}
            </Button>
            <Button onClick={() => run(() => api.pauseLead(data.leadId))} busy={action.busy}>
              {t('lcard.pause_forever')}
            </Button>
            {handOff}
          </>
        )}
      </div>
      <StateDetail state={state} />
      {action.error ? <ErrorBox error={action.error} onRetry={action.retry} compact /> : null}
    </div>
  );
}

function StateBadge(props: { state: AgentLeadState }) {
  const { t, lang } = useWidget();
  const s = props.state;
  if (s.kind === 'handed_off')
    return <Badge tone="warn">{s.to?.name ? t('drafts_handoff.handed_off_to', { name: s.to.name }) : t('drafts_handoff.handed_off')}</Badge>;
  if (s.kind === 'paused') return <Badge tone="warn">{s.until ? t('lcard.paused_until', { time: formatDateTime(s.until, lang) }) : t('lcard.paused')}</Badge>;
  return <Badge tone="ok">{t('lcard.active')}</Badge>;
}

/** Why, by whom and since when: the line under the badge. */
function StateDetail(props: { state: AgentLeadState }) {
  const { t, lang } = useWidget();
  const s = props.state;
  const parts: string[] = [];
  if (s.kind === 'handed_off') {
    if (s.since) parts.push(t('drafts_handoff.since', { time: formatDateTime(s.since, lang) }));
    parts.push(s.by?.name ? t('drafts_handoff.by', { name: s.by.name }) : t('drafts_handoff.by_agent'));
    if (s.reason) parts.push(t('drafts_handoff.why', { reason: s.reason }));
  } else if (s.kind === 'paused' && s.reason) {
    const known = s.reason === 'manual' || s.reason === 'human_replied';
    parts.push(t('drafts_handoff.why', { reason: known ? t(`drafts_handoff.pause_reason.${s.reason}`) : s.reason }));
  }
  if (!parts.length) return null;
  return (
    <div class="kai-small kai-muted" data-testid="kai-state-detail">
      {parts.join(' · ')}
    </div>
  );
}
