import { useState } from 'preact/hooks';
import type { OutboxEmail, OutboxStatus } from '../api.js';
import { Badge, Button, Empty, ErrorBox, Field, Section, Spinner, ConfirmButton } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';

const STATUSES: OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'bounced', 'refused', 'cancelled'];
const tone: Record<OutboxStatus, 'ok' | 'warn' | 'bad' | 'info' | 'muted'> = {
  queued: 'info',
  sending: 'info',
  sent: 'ok',
  failed: 'bad',
  refused: 'warn',
  cancelled: 'muted',
  bounced: 'bad',
};

/** Every email the account sent or tried to: its status and why it failed, retry and cancel; filter by lead. */
export function Outbox() {
  const { api, t, lang } = useWidget();
  const [leadText, setLeadText] = useState('');
  const [status, setStatus] = useState<OutboxStatus | ''>('');
  const leadId = /^\d+$/.test(leadText.trim()) ? Number(leadText.trim()) : undefined;
  const list = useLoad(() => api.outbox({ leadId, status: status || undefined }).then((r) => r.items), [leadId, status]);
  const act = useAction();
  const run = async (fn: () => Promise<OutboxEmail>) => {
    if (await act.run(fn)) list.reload();
  };

  return (
    <div data-testid="kai-outbox">
      <Section
        title={t('email_ui.outbox.title')}
        actions={
          <Button kind="link" onClick={list.reload} testId="kai-outbox-refresh">
            {t('common.refresh')}
          </Button>
        }
      >
        <div class="kai-row kai-row--wrap">
          <Field label={t('email_ui.outbox.lead_filter')}>
            <input
              class="kai-input kai-input--short"
              inputMode="numeric"
              value={leadText}
              data-testid="kai-outbox-lead"
              onInput={(e) => setLeadText((e.target as HTMLInputElement).value)}
            />
          </Field>
          <Field label={t('email_ui.outbox.status_filter')}>
            <select
              class="kai-input"
              value={status}
              data-testid="kai-outbox-status"
              onChange={(e) => setStatus((e.target as HTMLSelectElement).value as OutboxStatus | '')}
            >
              <option value="">{t('email_ui.outbox.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`email_ui.status.${s}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {act.error ? <ErrorBox error={act.error} compact /> : null}
        {list.loading && !list.data ? <Spinner /> : null}
        {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
        {list.data && list.data.length === 0 ? <Empty>{t('email_ui.outbox.empty')}</Empty> : null}
        {list.data && list.data.length > 0 ? (
          <table class="kai-table kai-table--compact">
            <thead>
              <tr>
                <th>{t('email_ui.outbox.when')}</th>
                <th>{t('email_ui.outbox.to')}</th>
                <th>{t('email_ui.outbox.subject')}</th>
                <th>{t('email_ui.outbox.lead')}</th>
                <th>{t('email_ui.outbox.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.id} data-testid="kai-outbox-row" data-id={m.id} data-status={m.status}>
                  <td>{formatDateTime(m.sentAt ?? m.createdAt, lang)}</td>
                  <td>{m.to.join(', ')}</td>
                  <td>{m.subject}</td>
                  <td>{m.leadId ?? '—'}</td>
                  <td>
                    <Badge tone={tone[m.status]}>{t(`email_ui.status.${m.status}`)}</Badge>
                    {m.lastError && m.status !== 'sent' ? <div class="kai-small kai-muted">{m.lastError}</div> : null}
                  </td>
                  <td>
                    {m.status === 'failed' || m.status === 'refused' ? (
                      <Button kind="link" onClick={() => run(() => api.retryEmail(m.id))} testId="kai-outbox-retry">
                        {t('email_ui.outbox.retry')}
                      </Button>
                    ) : null}
                    {m.status === 'queued' || m.status === 'refused' ? (
                      <ConfirmButton
                        kind="link"
                        label={t('common.cancel')}
                        confirmLabel={t('confirm.cancel_email')}
                        onConfirm={() => run(() => api.cancelEmail(m.id))}
                        testId="kai-outbox-cancel"
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </div>
  );
}
