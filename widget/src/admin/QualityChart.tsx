import type { QualityDay } from '../api.js';
import { useWidget } from '../ui/context.js';
import { usd } from '../ui/QualityFigures.js';

const W = 600;
const H = 120;
const PAD = 14;

/**
 * The window's days as bars, hand-drawn in SVG (no chart library in admin.js): what reached clients each day
 * (autopilot replies and approved drafts, the edited ones lighter), the discarded drafts above them, and a green mark
 * over each day with leads that advanced without a human reply. Every bar says its numbers on hover.
 */
export function QualityChart(props: { days: QualityDay[] }) {
  const { t, lang } = useWidget();
  const days = props.days;
  if (!days.length) return null;
  const top = Math.max(1, ...days.map((d) => d.replies + d.unchanged + d.edited + d.discarded));
  const step = (W - PAD) / days.length;
  const bar = Math.max(1, step - 2);
  const y = (n: number) => (n / top) * (H - PAD * 2);
  const advanced = days.reduce((s, d) => s + d.advanced, 0);
  return (
    <figure class="kai-block" data-testid="kai-quality-chart">
      <figcaption class="kai-small">{t('quality.chart_title')}</figcaption>
      {/* Stretched to the page's width: bars and markers are rectangles, so nothing looks squashed. */}
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} preserveAspectRatio="none" role="img" aria-label={t('quality.chart_title')}>
        <line x1={0} y1={H - PAD} x2={W} y2={H - PAD} stroke="currentColor" stroke-opacity="0.3" />
        {days.map((d, i) => {
          const x = i * step;
          const sent = y(d.replies + d.unchanged);
          const edited = y(d.edited);
          const discarded = y(d.discarded);
          const base = H - PAD;
          const label = t('quality.chart_day', {
            day: d.day,
            sent: d.replies + d.unchanged + d.edited,
            edited: d.edited,
            discarded: d.discarded,
            advanced: d.advanced,
            cost: usd(d.costUsd, lang),
          });
          return (
            <g key={d.day} data-day={d.day} data-advanced={d.advanced}>
              <title>{label}</title>
              <rect x={x} y={base - sent} width={bar} height={sent} fill="#4c8bf5" />
              <rect x={x} y={base - sent - edited} width={bar} height={edited} fill="#a8c5fa" />
              <rect x={x} y={base - sent - edited - discarded} width={bar} height={discarded} fill="#e8a0a0" />
              {d.advanced > 0 ? <rect x={x} y={2} width={bar} height={PAD - 6} fill="#2e9e5b" /> : null}
              {/* A full-height target, so an empty day says its date too. */}
              <rect x={x} y={0} width={step} height={H} fill="transparent" />
            </g>
          );
        })}
      </svg>
      <div class="kai-row kai-row--wrap kai-small kai-muted">
        <span style={{ color: '#4c8bf5' }}>■ {t('quality.chart_sent')}</span>
        <span style={{ color: '#a8c5fa' }}>■ {t('quality.chart_edited')}</span>
        <span style={{ color: '#e8a0a0' }}>■ {t('quality.chart_discarded')}</span>
        <span style={{ color: '#2e9e5b' }} data-testid="kai-quality-chart-advanced">
          ■ {t('quality.chart_advanced', { n: advanced })}
        </span>
      </div>
    </figure>
  );
}
