import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { DEMO_MODEL, type LeadAgentState } from '../api.js';
import { Badge, Button, ErrorBox, Spinner, Tabs } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { AdminOnly } from '../ui/roles.js';
import { AgentStateBar } from './AgentStateBar.js';
import { Drafts } from './Drafts.js';
import { EmailClient } from './EmailClient.js';
import { LeadQuality } from './LeadQuality.js';
import { LeadActions } from './LeadActions.js';
import { LeadActivity } from './LeadActivity.js';
import { LeadAutomation } from './LeadAutomation.js';
import { Suggest } from './Suggest.js';
import { ThisStage } from './ThisStage.js';

/** The right-panel block of a lead card: what the agent is doing on this lead, and the controls over it. */
export function LeadPanel(props: { leadId: number }) {
  const { api, t, lang } = useWidget();
  const state = useLoad(async () => {
    const data = await api.leadAgent(props.leadId);
    performance.mark('kai:lcard:data');
    return data;
  }, [props.leadId]);
  // Bumped by every change made from the panel (and by Refresh): the lead's activity list re-reads then too.
  const [changes, setChanges] = useState(0);
  // "This stage": the setup of the lead's stage, in place of the lead's own panel ('setup': opened to set up an agent).
  const [tab, setTab] = useState<'lead' | 'stage' | 'setup'>('lead');
  const bump = () => setChanges((n) => n + 1);
  const changed = () => {
    state.reload();
    bump();
  };
  const marked = useRef(false);
  useEffect(() => {
    if (state.data && !marked.current) {
      marked.current = true;
      performance.mark('kai:lcard:rendered');
    }
  }, [state.data]);

  const data = state.data;
  let body: JSX.Element;
  if (data) {
    const update = (next: LeadAgentState) => {
      state.setData(next);
      setChanges((n) => n + 1);
    };
    body = (
      <>
        <AgentHeader data={data} onSetup={() => setTab('setup')} />
        {data.budget?.exhausted ? (
          <div class="kai-notice kai-notice--warn" data-testid="kai-budget-exhausted">
            {t('lcard.budget_exhausted', { time: formatDateTime(data.budget.resetsAt, lang) })}
          </div>
        ) : null}
        <AgentStateBar data={data} onChange={update} />
        <Drafts leadId={props.leadId} drafts={data.drafts} onChanged={changed} />
        <Replies data={data} />
        <LeadActions actions={data.actions} onChanged={changed} />
        {/* A suggestion is a playground run, which the server keeps for admins (it spends the account's AI budget). */}
        {data.agent ? (
          <AdminOnly>
            <Suggest leadId={props.leadId} agentId={data.agent.id} onDrafted={changed} />
          </AdminOnly>
        ) : null}
      </>
    );
  } else if (state.error) {
    body = <ErrorBox error={state.error} onRetry={state.reload} />;
  } else {
    body = <Spinner />;
  }

  // The automation block and the activity list load in parallel with the panel's own data and render independently of it.
  return (
    <div class="kai-lcard__inner" data-testid={data ? 'kai-lcard' : 'kai-lcard-pending'}>
      <Tabs
        tabs={[
          { key: 'lead', label: t('stage_setup.tab_lead') },
          { key: 'stage', label: t('stage_setup.tab_stage') },
        ]}
        active={tab === 'setup' ? 'stage' : tab}
        onSelect={setTab}
      />
      {tab !== 'lead' && data ? (
        <ThisStage leadId={props.leadId} stage={data.stage} start={tab === 'setup'} onSaved={changed} />
      ) : (
        <>
          {body}
          <LeadAutomation leadId={props.leadId} stage={data?.stage} version={changes} onChanged={bump} />
          <EmailClient leadId={props.leadId} version={changes} />
          <LeadQuality leadId={props.leadId} />
          <LeadActivity leadId={props.leadId} version={changes} />
        </>
      )}
      <div class="kai-lcard__foot">
        <Button kind="link" onClick={changed} busy={state.loading} testId="kai-refresh">
          {t('common.refresh')}
        </Button>
      </div>
    </div>
  );
}

function AgentHeader(props: { data: LeadAgentState; onSetup: () => void }) {
  const { t } = useWidget();
  const { agent, stage } = props.data;
  if (!agent) {
    return (
      <div class="kai-lcard__head" data-testid="kai-agent">
        <div class="kai-muted">{t('lcard.no_agent')}</div>
        {stage ? <div class="kai-small kai-muted">{t('lcard.stage', { name: stage.name })}</div> : null}
        {stage ? (
          <AdminOnly>
            <Button kind="link" onClick={props.onSetup} testId="kai-setup-stage">
              {t('stage_setup.setup_for', { stage: stage.name })}
            </Button>
          </AdminOnly>
        ) : null}
      </div>
    );
  }
  return (
    <div class="kai-lcard__head" data-testid="kai-agent">
      <div class="kai-lcard__agent">
        <strong>{agent.name}</strong>
        <Badge tone={agent.mode === 'autopilot' ? 'info' : 'muted'}>{t(`mode.${agent.mode}`)}</Badge>
      </div>
      {stage ? <div class="kai-small kai-muted">{t('lcard.stage', { name: stage.name })}</div> : null}
      {agent.modelFallback ? (
        <div class="kai-small kai-notice kai-notice--warn" data-testid="kai-model-fallback">
          {t('lcard.model_fallback', { configured: agent.modelFallback.configured, used: agent.modelFallback.used })}
        </div>
      ) : null}
    </div>
  );
}

function Replies(props: { data: LeadAgentState }) {
  const { t, lang } = useWidget();
  const replies = props.data.replies.slice(0, 5);
  return (
    <div class="kai-block" data-testid="kai-replies">
      <div class="kai-block__title">{t('lcard.replies')}</div>
      {replies.length === 0 ? (
        <div class="kai-muted kai-small">{t('lcard.no_replies')}</div>
      ) : (
        <ul class="kai-list">
          {replies.map((r) => (
            <li key={r.id} class="kai-list__item">
              <div class="kai-text">{r.text}</div>
              <div class="kai-row kai-row--between">
                <span class="kai-small kai-muted">{formatDateTime(r.createdAt, lang)}</span>
                {r.model === DEMO_MODEL ? <Badge tone="warn">{t('lcard.demo_model')}</Badge> : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
