import type { Checklist as ChecklistData, ChecklistKey } from '../api.js';
import { Badge, Button, ErrorBox, Section, Spinner } from './components.js';
import { useWidget } from './context.js';
import { useLoad } from './hooks.js';

const ORDER: ChecklistKey[] = ['connection', 'agent', 'channels', 'mail_llm'];

/**
 * The first-run checklist: four checks, each ✓ or ✗ with what to do about it. The same component in the
 * settings modal and on the admin app's first tab. Before installation there is no token: the checklist
 * then says so instead of an error.
 */
export function Checklist(props: { compact?: boolean }) {
  const { api, t } = useWidget();
  const list = useLoad(() => api.checklist(), []);
  if (list.loading && !list.data) return <Spinner />;
  if (list.error && !list.data) {
    if (list.error.status === 401 || list.error.status === 0) return <div class="kai-notice">{t('checklist.not_installed')}</div>;
    return <ErrorBox error={list.error} onRetry={list.reload} compact />;
  }
  const data = list.data as ChecklistData;
  const byKey = new Map(data.checks.map((c) => [c.key, c]));
  return (
    <Section
      title={t('checklist.title', { done: data.done, total: data.total })}
      testId="kai-checklist"
      actions={
        <Button onClick={list.reload} busy={list.loading} testId="kai-checklist-refresh">
          {t('checklist.refresh')}
        </Button>
      }
    >
      <ul class="kai-checklist">
        {ORDER.map((key) => {
          const c = byKey.get(key);
          if (!c) return null;
          return (
            <li key={key} class="kai-checklist__item" data-testid={`kai-check-${key}`} data-ok={c.ok ? 'yes' : 'no'}>
              <Badge tone={c.ok ? 'ok' : 'bad'}>{c.ok ? '✓' : '✗'}</Badge> <strong>{t(`checklist.${key}.title`)}</strong>
              {!c.ok && c.problem ? <div class="kai-small">{t(`checklist.problem.${c.problem}`)}</div> : null}
              {!c.ok && key === 'channels' && !props.compact ? <SalesbotHowTo /> : null}
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

/** One screen of instructions for the Salesbot that carries our widget step. */
function SalesbotHowTo() {
  const { t } = useWidget();
  return (
    <div class="kai-notice" data-testid="kai-salesbot-howto">
      <ol class="kai-small">
        <li>{t('checklist.salesbot.step_open')}</li>
        <li>{t('checklist.salesbot.step_widget')}</li>
        <li>{t('checklist.salesbot.step_show')}</li>
        <li>{t('checklist.salesbot.step_trigger')}</li>
      </ol>
      <a class="kai-link" href="/leads/pipeline/" target="_top" data-testid="kai-salesbot-link">
        {t('checklist.salesbot.open')}
      </a>
    </div>
  );
}
