import type { PlaygroundResult } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge } from './components.js';
import { useWidget } from './context.js';

/** The reply, proposed CRM actions and knowledge citations of a playground run. Nothing here is executed. */
export function PlaygroundAnswer(props: { result: PlaygroundResult }) {
  const { t } = useWidget();
  const { result } = props;
  return (
    <div class="kai-answer" data-testid="kai-answer">
      <div class="kai-answer__reply kai-text">{result.reply}</div>
      {result.guardrail ? (
        <div class="kai-notice kai-notice--warn kai-small" data-testid="kai-guardrail">
          <div>
            <strong>{t(`draft_answers.rule.${result.guardrail.rule}`)}</strong>: {result.guardrail.reason}
          </div>
          <details>
            <summary>{t('draft_answers.original')}</summary>
            <div class="kai-text" data-testid="kai-guardrail-original">
              {result.guardrail.original}
            </div>
          </details>
        </div>
      ) : null}
      {result.actions.length ? (
        <div class="kai-answer__actions">
          <div class="kai-small kai-muted">{t('playground.proposed_actions')}</div>
          <ul class="kai-list">
            {result.actions.map((a, i) => (
              <li key={i} class="kai-list__item">
                <div class="kai-row kai-row--between">
                  <strong>{labelOf(t, 'action_type', a.type)}</strong>
                  <Badge tone={a.valid ? 'ok' : 'bad'}>{a.valid ? t('playground.valid') : t('playground.invalid')}</Badge>
                </div>
                {a.summary ? <div data-testid="kai-playground-action-summary">{a.summary}</div> : <code class="kai-code">{JSON.stringify(a.args)}</code>}
                {a.error ? <div class="kai-field__error">{a.error}</div> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result.citations.length ? (
        <div class="kai-small kai-muted">
          {t('playground.sources')}: {result.citations.map((c) => c.title).join(', ')}
        </div>
      ) : null}
      {result.retrieved?.length ? (
        <details class="kai-small" data-testid="kai-retrieved">
          <summary>{t('playground.retrieved', { n: result.retrieved.length })}</summary>
          <ol class="kai-list">
            {result.retrieved.map((c) => (
              <li key={c.chunkId} class="kai-list__item" data-testid="kai-retrieved-chunk">
                <strong>{c.title}</strong>
                <div class="kai-muted kai-text">{c.text.length > 300 ? `${c.text.slice(0, 299)}…` : c.text}</div>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}
