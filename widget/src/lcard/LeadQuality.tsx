import { useState } from 'preact/hooks';
import type { QualitySummary } from '../api.js';
import { ErrorBox, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { QualityFigures } from '../ui/QualityFigures.js';
import { toApiError, type ApiError } from '../api.js';

/** This lead's cost and quality over 30 days, asked for only when the manager opens it (the card's first paint stays one batch). */
export function LeadQuality(props: { leadId: number }) {
  const { api, t } = useWidget();
  const [data, setData] = useState<QualitySummary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const load = () => {
    setLoading(true);
    setError(null);
    api.quality({ leadId: props.leadId, days: 30 }).then(
      (d) => {
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        setError(toApiError(e));
        setLoading(false);
      },
    );
  };
  return (
    <details
      class="kai-block kai-small"
      data-testid="kai-lead-quality"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && !data && !loading) load();
      }}
    >
      <summary>{t('quality.lead_title')}</summary>
      {loading ? <Spinner /> : null}
      {error ? <ErrorBox error={error} onRetry={load} compact /> : null}
      {data ? <QualityFigures figures={data.totals} /> : null}
    </details>
  );
}
