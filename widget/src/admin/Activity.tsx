import { useEffect, useRef, useState } from 'preact/hooks';
import { toApiError, type ActivityItem, type Agent, type ApiError } from '../api.js';
import { labelOf } from '../i18n.js';
import { Button, Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { activityDetail, activityTitle } from '../ui/activity-text.js';
import { formatDateTime } from '../ui/format.js';
import { AgentPicker } from './AgentPicker.js';

export const ACTIVITY_PAGE_SIZE = 20;

interface FeedState {
  items: ActivityItem[];
  cursor: string | null;
  done: boolean;
  loading: boolean;
  error: ApiError | null;
}
const EMPTY: FeedState = { items: [], cursor: null, done: false, loading: false, error: null };

/**
 * The account's activity feed, newest first. A sentinel under the list loads the next page when it scrolls
 * into view (IntersectionObserver); the same sentinel is a "Load more" button where that is unavailable.
 */
export function Activity(props: { agents: Agent[] }) {
  const { api, t, lang } = useWidget();
  const [type, setType] = useState('');
  const [agentId, setAgentId] = useState<number | null>(null);
  const [feed, setFeed] = useState<FeedState>(EMPTY);
  const [knownTypes, setKnownTypes] = useState<string[]>([]);
  const generation = useRef(0);
  const busy = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);

  const loadMore = (reset: boolean) => {
    if (busy.current && !reset) return;
    const gen = reset ? ++generation.current : generation.current;
    const cursor = reset ? null : feed.cursor;
    if (!reset && feed.done) return;
    busy.current = true;
    setFeed((cur) => ({ ...(reset ? EMPTY : cur), loading: true, error: null }));
    api.activity({ limit: ACTIVITY_PAGE_SIZE, cursor: cursor ?? undefined, type: type || undefined, agentId: agentId ?? undefined }).then(
      (page) => {
        if (gen !== generation.current) return;
        busy.current = false;
        setFeed((cur) => ({
          items: [...cur.items, ...page.items],
          cursor: page.nextCursor,
          done: page.nextCursor === null,
          loading: false,
          error: null,
        }));
        setKnownTypes((cur) => {
          const next = new Set(cur);
          for (const item of page.items) next.add(item.type);
          return next.size === cur.length ? cur : [...next].sort();
        });
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        busy.current = false;
        setFeed((cur) => ({ ...cur, loading: false, error: toApiError(e) }));
      },
    );
  };

  useEffect(() => loadMore(true), [type, agentId]);

  // Keep the observer pointing at the latest loadMore (it closes over the current cursor). Re-observing after
  // each page fires the callback again when the sentinel is still visible, so a short page fills the view.
  const loadRef = useRef(loadMore);
  loadRef.current = loadMore;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadRef.current(false);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [feed.items.length, feed.done, feed.error]);

  const typeOptions = type && !knownTypes.includes(type) ? [...knownTypes, type] : knownTypes;
  return (
    <Section title={t('activity.title')} testId="kai-activity">
      <div class="kai-row kai-row--wrap">
        <label class="kai-field kai-field--inline">
          <span class="kai-field__label">{t('activity.type')}</span>
          <select class="kai-input" value={type} data-testid="kai-activity-type" onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            <option value="">{t('activity.all_types')}</option>
            {typeOptions.map((ty) => (
              <option key={ty} value={ty}>
                {labelOf(t, 'activity.types', ty)}
              </option>
            ))}
          </select>
        </label>
        <AgentPicker agents={props.agents} value={agentId} onChange={setAgentId} allowAll />
      </div>
      {!feed.loading && !feed.error && feed.items.length === 0 ? <Empty>{t('activity.empty')}</Empty> : null}
      <ul class="kai-list kai-feed" data-testid="kai-feed">
        {feed.items.map((item) => (
          <li key={item.id} class="kai-list__item kai-feed__item" data-testid="kai-feed-item">
            <div class="kai-row kai-row--between">
              <strong data-testid="kai-feed-title">{activityTitle(t, item, lang)}</strong>
              <span class="kai-small kai-muted">{formatDateTime(item.createdAt, lang)}</span>
            </div>
            {activityDetail(t, item, lang) ? <div class="kai-text kai-small">{activityDetail(t, item, lang)}</div> : null}
            <div class="kai-small kai-muted">
              {labelOf(t, 'activity.types', item.type)}
              {item.leadId ? ` · ${t('activity.lead', { id: item.leadId })}` : ''}
            </div>
          </li>
        ))}
      </ul>
      {feed.error ? <ErrorBox error={feed.error} onRetry={() => loadMore(feed.items.length === 0)} compact /> : null}
      {feed.loading ? <Spinner /> : null}
      {!feed.done && !feed.error ? (
        <div ref={sentinel} class="kai-feed__more" data-testid="kai-feed-more">
          <Button kind="link" onClick={() => loadMore(false)} disabled={feed.loading}>
            {t('activity.load_more')}
          </Button>
        </div>
      ) : null}
      {feed.done && feed.items.length > 0 ? <div class="kai-small kai-muted kai-center">{t('activity.end')}</div> : null}
    </Section>
  );
}
