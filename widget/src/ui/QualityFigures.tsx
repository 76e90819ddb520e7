import type { QualityFigures as Figures } from '../api.js';
import { useWidget } from './context.js';

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const ms = (x: number | null) => (x === null ? '—' : x < 1000 ? `${x} ms` : `${(x / 1000).toFixed(1)} s`);

function usd(n: number, lang: string) {
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
  const rows: [string, string][] = [
    ['cost', `${usd(f.costUsd, lang)} · ${f.tokens.toLocaleString(lang)} ${t('quality.tokens')}`],
    ['replies', String(f.replies)],
    ['drafts', t('quality.drafts_value', { unchanged: f.drafts.unchanged, edited: f.drafts.edited, discarded: f.drafts.discarded })],
    ['accepted', pct(f.acceptance.unchanged)],
    ['handoffs', String(f.handoffs)],
    ['undone', `${f.actions.undone} / ${f.actions.done}`],
    ['reply_time', `${ms(f.replyMs.p50)} / ${ms(f.replyMs.p95)}`],
  ];
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
