import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBox, Tabs } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { builderTarget } from '../lcard/automation-scope.js';
import { useLoad } from '../ui/hooks.js';
import { AdminOnly, useMe } from '../ui/roles.js';
import { Activity } from './Activity.js';
import { Agents } from './Agents.js';
import { Connection } from './Connection.js';
import { Knowledge } from './Knowledge.js';
import { PipelineBoard } from './PipelineBoard.js';
import { EMAIL_TABS, EmailTab, type EmailTabKey } from './EmailTabs.js';
import { Playground } from './Playground.js';
import { Quality } from './Quality.js';
import { Rules } from './Rules.js';
import { Scripts } from './Scripts.js';
import { Sequences } from './Sequences.js';
import { Usage } from './Usage.js';

type TabKey =
  | 'connection'
  | 'board'
  | 'agents'
  | 'scripts'
  | 'rules'
  | 'sequences'
  | 'knowledge'
  | 'playground'
  | 'usage'
  | 'quality'
  | 'activity'
  | EmailTabKey;
const TAB_KEYS: TabKey[] = [
  'connection',
  'board',
  'agents',
  'scripts',
  'rules',
  'sequences',
  'knowledge',
  'playground',
  'usage',
  'quality',
  'activity',
  ...EMAIL_TABS,
];
const isEmailTab = (key: TabKey): key is EmailTabKey => (EMAIL_TABS as readonly string[]).includes(key);
/** The automation, pipeline board and email tabs' labels live with the rest of their texts (merged separately from the `admin` section). */
const tabLabelKey = (key: TabKey) =>
  key === 'rules' || key === 'sequences'
    ? `automation_admin.tabs.${key}`
    : key === 'board'
      ? 'stage_setup.board_tab'
      : key === 'quality'
        ? 'quality.tab'
        : isEmailTab(key)
          ? `email_ui.tabs.${key}`
          : `admin.tabs.${key}`;

/**
 * The advanced-settings page: one tab per task; the agents list is shared by the tabs that pick an agent.
 * Every tab but the connection status is configuration: a non-admin sees why it is not for them.
 */
export function AdminApp(props: { initialTab?: string }) {
  const { api, t } = useWidget();
  // Setup starts on the pipeline board: a stage is the unit of setup (agents, scripts and knowledge are libraries it
  // uses). Someone who cannot set anything up starts on the connection status instead.
  const me = useMe();
  const [picked, setTab] = useState<TabKey | null>(TAB_KEYS.includes(props.initialTab as TabKey) ? (props.initialTab as TabKey) : null);
  const tab: TabKey = picked ?? (me.me && !me.isAdmin ? 'connection' : 'board');
  // A lead card's builder link names one rule or sequence in the hash (#kai-rule-12): that tab opens it.
  const [target] = useState(() => builderTarget(globalThis.location?.hash ?? ''));
  const agents = useLoad(() => api.agents().then((r) => r.items), []);
  const list = agents.data ?? [];

  // Connection, Usage and Activity work without the agents list (Activity only uses it for a filter).
  let body: JSX.Element;
  if (tab === 'connection') body = <Connection />;
  else if (tab === 'usage') body = <Usage />;
  else if (tab === 'quality') body = <Quality />;
  else if (tab === 'activity') body = <Activity agents={list} />;
  else if (tab === 'board') body = <PipelineBoard />;
  else if (isEmailTab(tab)) body = <EmailTab tab={tab} />;
  else if (agents.error && !agents.data) body = <ErrorBox error={agents.error} onRetry={agents.reload} />;
  else if (tab === 'agents') body = <Agents agents={list} loading={agents.loading} onChanged={agents.reload} />;
  else if (tab === 'scripts') body = <Scripts />;
  else if (tab === 'rules') body = <Rules agents={list} openId={target?.kind === 'rule' ? target.id : undefined} />;
  else if (tab === 'sequences') body = <Sequences agents={list} openId={target?.kind === 'sequence' ? target.id : undefined} />;
  else if (tab === 'knowledge') body = <Knowledge agents={list} />;
  else body = <Playground agents={list} />;

  return (
    <div class="kai-admin__inner" data-testid="kai-admin">
      <h2 class="kai-admin__title">{t('admin.title')}</h2>
      <Tabs tabs={TAB_KEYS.map((key) => ({ key, label: t(tabLabelKey(key)) }))} active={tab} onSelect={setTab} />
      <div class="kai-admin__body" role="tabpanel">
        {tab === 'connection' || tab === 'notifications' ? body : <AdminOnly mode="note">{body}</AdminOnly>}
      </div>
    </div>
  );
}
