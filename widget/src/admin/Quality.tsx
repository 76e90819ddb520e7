import { useState } from 'preact/hooks';
import type { AgentQuality } from '../api.js';
import { Badge, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { ms, pct, QualityFigures, usd } from '../ui/QualityFigures.js';
import { QualityChart } from './QualityChart.js';

/** The last three calendar months (UTC), newest first: the per-month view. */
function recentMonths(now = new Date()): string[] {
  return [0, 1, 2].map((i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
}

function Suggestion(props: { row: AgentQuality }) {
  const { t } = useWidget();
  const s = props.row.suggestion;
  return s ? <Badge tone={s.mode === 'autopilot' ? 'ok' : 'warn'}>{t(`quality.suggest.${s.reason}`)}</Badge> : <>—</>;
}

/**
 * Cost and quality for the account: totals, a chart of the window's days, and a table per stage and agent
 * (what it cost, replies, drafts and how they were decided, handoffs, undone actions, reply times, leads that
 * advanced without a human reply), with the suggestions to go to autopilot or back to draft (an admin decides,
 * in the stage's or the agent's settings). The window is the last 7/30/90 days or a calendar month.
 */
export function Quality() {
  const { api, t, lang } = useWidget();
  const [period, setPeriod] = useState('d30');
  const q = useLoad(() => api.quality(period.startsWith('m') ? { month: period.slice(1) } : { days: Number(period.slice(1)) }), [period]);
  if (q.loading && !q.data) return <Spinner />;
  if (q.error && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  const data = q.data;
  if (!data) return null;
  const headers = ['stage', 'agent', 'cost', 'replies', 'drafts', 'edit_ratio', 'accepted', 'handoffs', 'undone', 'reply_time', 'advanced', 'suggestion'];
  return (
    <Section
      title={t('quality.title')}
      testId="kai-quality"
      actions={
        <select class="kai-input" value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)} aria-label={t('quality.window')}>
          {[7, 30, 90].map((d) => (
            <option key={d} value={`d${d}`}>
              {t('quality.days', { n: d })}
            </option>
          ))}
          {recentMonths().map((m) => (
            <option key={m} value={`m${m}`}>
              {new Date(`${m}-01T00:00:00Z`).toLocaleDateString(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' })}
            </option>
          ))}
        </select>
      }
    >
      <QualityFigures figures={data.totals} />
      <QualityChart days={data.daily} />
      <table class="kai-table" data-testid="kai-quality-stages">
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {t(`quality.${h}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.stages.map((s) => (
            <tr key={`${s.pipelineId}-${s.statusId}-${s.agentId}`} data-testid="kai-quality-stage" data-status={s.statusId ?? ''}>
              <td>{s.stageName ? `${s.pipelineName} › ${s.stageName}` : t('quality.stage_unknown')}</td>
              <td>{s.name ?? `#${s.agentId}`}</td>
              <td>{usd(s.costUsd, lang)}</td>
              <td>{s.replies}</td>
              <td data-key="drafts">{t('quality.drafts_value', { unchanged: s.drafts.unchanged, edited: s.drafts.edited, discarded: s.drafts.discarded })}</td>
              <td>{pct(s.drafts.editRatioMean)}</td>
              <td>{pct(s.acceptance.unchanged)}</td>
              <td>{s.handoffs}</td>
              <td>{`${s.actions.undone} / ${s.actions.done}`}</td>
              <td>
                {`${ms(s.replyMs.p50)} / ${ms(s.replyMs.p95)}`}
                {s.replyMs.configuredDelaySec > 0 ? <div class="kai-muted">{t('quality.delay_value', { n: s.replyMs.configuredDelaySec })}</div> : null}
              </td>
              <td data-key="advanced">{s.advanced}</td>
              <td>
                <Suggestion row={s} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="kai-table" data-testid="kai-quality-agents">
        <thead>
          <tr>
            <th scope="col">{t('quality.agent')}</th>
            <th scope="col">{t('quality.accepted')}</th>
            <th scope="col">{t('quality.drafts')}</th>
            <th scope="col">{t('quality.undone')}</th>
            <th scope="col">{t('quality.advanced')}</th>
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
              <td>{a.advanced}</td>
              <td>
                <Suggestion row={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="kai-small kai-muted">{t('quality.hint')}</p>
    </Section>
  );
}
