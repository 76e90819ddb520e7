import { useEffect } from 'preact/hooks';
import type { ConnectionState, IntegrationStatus, SyncState } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge, Button, ErrorBox, ProgressBar, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { Checklist } from '../ui/Checklist.js';
import { AdminOnly } from '../ui/roles.js';
import { AccountLanguage } from './AccountLanguage.js';

/** How often the status is re-read while a sync runs. One request per tick, never more. */
export const SYNC_POLL_MS = 1500;

const connectionTone: Record<ConnectionState, 'ok' | 'warn' | 'bad' | 'muted'> = {
  connected: 'ok',
  reauth_required: 'warn',
  disconnected: 'bad',
  not_installed: 'muted',
};
const syncTone: Record<SyncState, 'ok' | 'warn' | 'bad' | 'muted' | 'info'> = {
  never: 'muted',
  queued: 'info',
  running: 'info',
  completed: 'ok',
  failed: 'bad',
};

const isRunning = (s: IntegrationStatus | undefined) => s?.sync.state === 'queued' || s?.sync.state === 'running';

export function Connection() {
  const { api, t, lang } = useWidget();
  const status = useLoad(() => api.status(), []);
  const sync = useAction();
  const running = isRunning(status.data);

  // Poll while a sync is queued or running: a timeout per answer, so requests never overlap.
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(status.reload, SYNC_POLL_MS);
    return () => clearTimeout(timer);
  }, [running, status.data, status.reload]);

  const startSync = async () => {
    if (await sync.run(() => api.startSync())) status.reload();
  };

  if (status.loading && !status.data) return <Spinner />;
  if (status.error && !status.data) return <ErrorBox error={status.error} onRetry={status.reload} />;
  const s = status.data;
  if (!s) return null;
  const { connection, sync: run } = s;
  const counted =
    run.progress.total !== null
      ? t('connection.progress_of', { done: run.progress.done, total: run.progress.total })
      : t('connection.progress_done', { done: run.progress.done });
  // The backend reports the step it is in (users, pipelines, …, leads); counts are per step.
  const progressLabel = run.phase && run.phase !== 'done' ? `${labelOf(t, 'connection.counts', run.phase)}: ${counted}` : counted;

  return (
    <div data-testid="kai-connection">
      <Checklist />
      <Section title={t('connection.title')}>
        <div class="kai-row">
          <Badge tone={connectionTone[connection.state]}>{labelOf(t, 'connection.state', connection.state)}</Badge>
          {connection.name ? <strong>{connection.name}</strong> : null}
          {connection.host ? <span class="kai-muted">{connection.host}</span> : null}
        </div>
        {connection.state === 'reauth_required' || connection.state === 'disconnected' ? (
          <div class="kai-notice kai-notice--warn">
            {t('connection.reauth_hint')}
            {connection.reason ? (
              <div class="kai-small" data-testid="kai-connection-reason">
                {connection.reason}
              </div>
            ) : null}
          </div>
        ) : null}
        {connection.state === 'not_installed' ? <div class="kai-notice">{t('connection.not_installed_hint')}</div> : null}
      </Section>

      <Section
        title={t('connection.sync_title')}
        actions={
          <AdminOnly>
            <Button kind="primary" onClick={startSync} busy={sync.busy} disabled={running || connection.state !== 'connected'} testId="kai-sync">
              {running ? t('connection.syncing') : t('connection.sync')}
            </Button>
          </AdminOnly>
        }
      >
        <div class="kai-row">
          <Badge tone={syncTone[run.state]}>{labelOf(t, 'connection.sync_state', run.state)}</Badge>
          {run.finishedAt ? (
            <span class="kai-small kai-muted">{t('connection.finished_at', { time: formatDateTime(run.finishedAt, lang) })}</span>
          ) : run.startedAt ? (
            <span class="kai-small kai-muted">{t('connection.started_at', { time: formatDateTime(run.startedAt, lang) })}</span>
          ) : null}
        </div>
        {running ? (
          <div class="kai-sync-progress" data-testid="kai-sync-progress">
            <ProgressBar percent={run.progress.percent} label={progressLabel} />
            <div class="kai-small kai-muted">{progressLabel}</div>
          </div>
        ) : null}
        {run.state === 'failed' && run.error ? <div class="kai-notice kai-notice--bad">{run.error}</div> : null}
        {sync.error ? <ErrorBox error={sync.error} onRetry={sync.retry} compact /> : null}
        {status.error ? <ErrorBox error={status.error} onRetry={status.reload} compact /> : null}
        <Counts counts={s.counts} />
      </Section>
      {connection.state === 'connected' ? <AccountLanguage /> : null}
    </div>
  );
}

function Counts(props: { counts: Record<string, number> }) {
  const { t } = useWidget();
  const entries = Object.entries(props.counts);
  if (!entries.length) return null;
  return (
    <dl class="kai-counts">
      {entries.map(([key, n]) => (
        <div key={key} class="kai-counts__item">
          <dt>{labelOf(t, 'connection.counts', key)}</dt>
          <dd>{n}</dd>
        </div>
      ))}
    </dl>
  );
}
