import { ErrorBox, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { activityTitle } from '../ui/activity-text.js';
import { formatDateTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';

/** The last few feed entries for this lead; read again when `version` changes (something was done from the panel). */
export function LeadActivity(props: { leadId: number; version?: number }) {
  const { api, t, lang } = useWidget();
  const feed = useLoad(() => api.activity({ leadId: props.leadId, limit: 5 }), [props.leadId, props.version ?? 0]);
  return (
    <div class="kai-block" data-testid="kai-lead-activity">
      <div class="kai-block__title">{t('lcard.activity')}</div>
      {feed.loading && !feed.data ? <Spinner /> : null}
      {feed.error ? <ErrorBox error={feed.error} onRetry={feed.reload} compact /> : null}
      {feed.data && feed.data.items.length === 0 ? <div class="kai-muted kai-small">{t('activity.empty')}</div> : null}
      {feed.data?.items.length ? (
        <ul class="kai-list">
          {feed.data.items.map((item) => (
            <li key={item.id} class="kai-list__item">
              <div class="kai-text">{activityTitle(t, item, lang)}</div>
              <div class="kai-small kai-muted">{formatDateTime(item.createdAt, lang)}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
