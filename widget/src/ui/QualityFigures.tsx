import type { QualityFigures as Figures } from '../api.js';
import { useWidget } from './context.js';

export const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
export const ms = (x: number | null) => (x === null ? '—' : x < 1000 ? `${x} ms` : `${(x / 1000).toFixed(1)} s`);

export function usd(n: number, lang: string) {
  try {
    return new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', maximumSignificantDigits: n !== 0 && n < 0.01 ? 2 : undefined }).format(n);
  } catch {
    return `$${n.toFixed(2)}`;
  }
}

/** Cost and quality figures as a short list: the lead card's panel and the admin table's totals use it. */
export function QualityFigures(props: { figures: Figures }) {
  const { t, lang } = useWidget();
  const f = props.figures;
  const d = f.drafts;
  const reasons = Object.entries(d.discardReasons)
    .map(([k, n]) => `${k === 'none' ? t('quality.no_reason') : t(`draft_answers.discard_reason.${k}`)} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['cost', `${usd(f.costUsd, lang)} · ${f.tokens.toLocaleString(lang)} ${t('quality.tokens')}`],
    ['replies', String(f.replies)],
    ['drafts', t('quality.drafts_value', { unchanged: d.unchanged, edited: d.edited, discarded: d.discarded })],
    ['accepted', pct(f.acceptance.unchanged)],
    ['handoffs', String(f.handoffs)],
    ['undone', `${f.actions.undone} / ${f.actions.done}`],
    ['reply_time', `${ms(f.replyMs.p50)} / ${ms(f.replyMs.p95)}`],
    ['advanced', String(f.advanced)],
  ];
  // How much managers changed the drafts they edited, and why they discarded the others: only once there are any.
  if (d.editRatioMean !== null) rows.splice(3, 0, ['edit_ratio', pct(d.editRatioMean)]);
  if (reasons)
    rows.splice(
      rows.findIndex((r) => r[0] === 'accepted'),
      0,
      ['discard_reasons', reasons],
    );
  if (f.replyMs.configuredDelaySec > 0) rows.push(['delay', t('quality.delay_value', { n: f.replyMs.configuredDelaySec })]);
  return (
    <dl class="kai-counts" data-testid="kai-quality-figures">
      {rows.map(([key, value]) => (
        <div key={key} class="kai-counts__item" data-key={key}>
          <dt>{t(`quality.${key}`)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
