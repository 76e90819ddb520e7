import { useEffect, useState } from 'preact/hooks';
import type { BudgetInput } from '../api.js';
import { Badge, Button, ErrorBox, Field, ProgressBar, Section, Spinner, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { fieldErrors, useAction, useLoad } from '../ui/hooks.js';

/** US dollars in the user's language; below a cent with two significant digits (one turn costs that little). */
export function formatUsd(n: number, lang: string): string {
  const opts: Intl.NumberFormatOptions =
    n !== 0 && n < 0.01 ? { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 } : { style: 'currency', currency: 'USD' };
  try {
    return new Intl.NumberFormat(lang, opts).format(n);
  } catch {
    return `$${n.toFixed(2)}`;
  }
}

const formatCount = (n: number, lang: string) => {
  try {
    return new Intl.NumberFormat(lang).format(n);
  } catch {
    return String(n);
  }
};

/** A number from a text input; empty means "not set" (null), anything else that is not > 0 is invalid (undefined). */
function parseLimit(text: string, integer: boolean): number | null | undefined {
  const raw = text.trim().replace(',', '.');
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return undefined;
  return n;
}

/** The account's model usage this month against its budget, and the admin's own (lower) limit. */
export function Usage() {
  const { api, t, lang } = useWidget();
  const usage = useLoad(() => api.usage(), []);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const [usd, setUsd] = useState('');
  const [tokens, setTokens] = useState('');
  const [tried, setTried] = useState(false);
  const data = usage.data;
  useEffect(() => {
    if (!data) return;
    setUsd(data.override.usd === null ? '' : String(data.override.usd));
    setTokens(data.override.tokens === null ? '' : String(data.override.tokens));
  }, [data]);

  if (usage.loading && !data) return <Spinner />;
  if (usage.error && !data) return <ErrorBox error={usage.error} onRetry={usage.reload} />;
  if (!data) return null;

  const money = (n: number | null) => (n === null ? t('usage.no_limit') : formatUsd(n, lang));
  const count = (n: number | null) => (n === null ? t('usage.no_limit') : formatCount(n, lang));
  const share = (used: number, limit: number | null) => (limit === null ? null : Math.min(100, Math.round((used / limit) * 100)));
  const pct = Math.max(share(data.used.costUsd, data.limit.usd) ?? 0, share(data.used.tokens, data.limit.tokens) ?? 0);
  const limited = data.limit.usd !== null || data.limit.tokens !== null;

  const parsed = { monthlyUsd: parseLimit(usd, false), monthlyTokens: parseLimit(tokens, true) };
  const localError = (v: number | null | undefined, rule: string) => (tried && v === undefined ? t(`validation.${rule}`) : undefined);
  const serverError = fieldErrors(t, save.error);
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (parsed.monthlyUsd === undefined || parsed.monthlyTokens === undefined) return;
    const body: BudgetInput = { monthlyUsd: parsed.monthlyUsd, monthlyTokens: parsed.monthlyTokens };
    setSaved(false);
    const next = await save.run(() => api.setBudget(body));
    if (next) {
      usage.setData(next);
      setSaved(true);
    }
  };

  return (
    <div data-testid="kai-usage">
      <Section
        title={t('usage.title', { month: data.month })}
        actions={
          <Button kind="link" onClick={usage.reload} busy={usage.loading}>
            {t('common.refresh')}
          </Button>
        }
      >
        {data.exhausted ? (
          <div class="kai-notice kai-notice--warn" data-testid="kai-usage-exhausted">
            {t('usage.exhausted', { time: formatDateTime(data.resetsAt, lang) })}
          </div>
        ) : null}
        {limited ? <ProgressBar percent={pct} label={t('usage.share', { percent: pct })} /> : <Badge tone="info">{t('usage.no_limit')}</Badge>}
        <dl class="kai-counts">
          <div class="kai-counts__item">
            <dt>{t('usage.cost')}</dt>
            <dd data-testid="kai-usage-cost">{t('usage.of', { used: formatUsd(data.used.costUsd, lang), limit: money(data.limit.usd) })}</dd>
          </div>
          <div class="kai-counts__item">
            <dt>{t('usage.tokens')}</dt>
            <dd data-testid="kai-usage-tokens">{t('usage.of', { used: formatCount(data.used.tokens, lang), limit: count(data.limit.tokens) })}</dd>
          </div>
          <div class="kai-counts__item">
            <dt>{t('usage.turns')}</dt>
            <dd>{formatCount(data.used.turns, lang)}</dd>
          </div>
          <div class="kai-counts__item">
            <dt>{t('usage.playground_runs')}</dt>
            <dd>{formatCount(data.used.playgroundRuns, lang)}</dd>
          </div>
        </dl>
        <div class="kai-small kai-muted">{t('usage.resets', { time: formatDateTime(data.resetsAt, lang) })}</div>
      </Section>

      <form class="kai-form" onSubmit={submit} noValidate>
        <Section title={t('usage.limit_title')}>
          <p class="kai-small kai-muted">{t('usage.limit_hint', { usd: money(data.defaults.usd), tokens: count(data.defaults.tokens) })}</p>
          <div class="kai-grid">
            <Field
              label={t('usage.limit_usd')}
              hint={t('usage.empty_default')}
              error={localError(parsed.monthlyUsd, 'positive_number') ?? serverError('monthlyUsd')}
            >
              <input
                class="kai-input"
                type="number"
                min={0}
                step={0.01}
                value={usd}
                data-testid="kai-usage-limit-usd"
                onInput={(e) => setUsd((e.target as HTMLInputElement).value)}
              />
            </Field>
            <Field
              label={t('usage.limit_tokens')}
              hint={t('usage.empty_default')}
              error={localError(parsed.monthlyTokens, 'positive_integer') ?? serverError('monthlyTokens')}
            >
              <input
                class="kai-input"
                type="number"
                min={0}
                step={1000}
                value={tokens}
                data-testid="kai-usage-limit-tokens"
                onInput={(e) => setTokens((e.target as HTMLInputElement).value)}
              />
            </Field>
          </div>
          {save.error && !save.error.errors.length ? <ErrorBox error={save.error} compact /> : null}
          <div class="kai-form__foot">
            <Button kind="primary" type="submit" busy={save.busy} testId="kai-usage-save">
              {t('common.save')}
            </Button>
            <Saved show={saved} />
          </div>
        </Section>
      </form>
    </div>
  );
}
