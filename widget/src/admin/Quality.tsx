import { useState } from 'preact/hooks';
import { Badge, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { QualityFigures } from '../ui/QualityFigures.js';

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

/** Cost and quality per agent, with the suggestions to go to autopilot or back to draft (an admin decides, in the agent's settings). */
export function Quality() {
  const { api, t } = useWidget();
  const [days, setDays] = useState(30);
  const q = useLoad(() => api.quality({ days }), [days]);
  if (q.loading && !q.data) return <Spinner />;
  if (q.error && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  const data = q.data;
  if (!data) return null;
  return (
    <Section
      title={t('quality.title')}
      testId="kai-quality"
      actions={
        <select
          class="kai-input"
          value={String(days)}
          onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}
          aria-label={t('quality.window')}
        >
          {[7, 30, 90].map((d) => (
            <option key={d} value={String(d)}>
              {t('quality.days', { n: d })}
            </option>
          ))}
        </select>
      }
    >
      <QualityFigures figures={data.totals} />
      <table class="kai-table" data-testid="kai-quality-agents">
        <thead>
          <tr>
            <th scope="col">{t('quality.agent')}</th>
            <th scope="col">{t('quality.accepted')}</th>
            <th scope="col">{t('quality.drafts')}</th>
            <th scope="col">{t('quality.undone')}</th>
            <th scope="col">{t('quality.suggestion')}</th>
          </tr>
        </thead>
        <tbody>
          {data.agents.map((a) => (
            <tr key={a.agentId} data-testid="kai-quality-agent">
              <td>{a.name ?? `#${a.agentId}`}</td>
              <td>{pct(a.acceptance.unchanged)}</td>
              <td>{t('quality.drafts_value', { unchanged: a.drafts.unchanged, edited: a.drafts.edited, discarded: a.drafts.discarded })}</td>
              <td>{pct(a.actions.undoneShare)}</td>
              <td>
                {a.suggestion ? <Badge tone={a.suggestion.mode === 'autopilot' ? 'ok' : 'warn'}>{t(`quality.suggest.${a.suggestion.reason}`)}</Badge> : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="kai-small kai-muted">{t('quality.hint')}</p>
    </Section>
  );
}
