import { useState } from 'preact/hooks';
import type { PlaygroundResult } from '../api.js';
import { Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction } from '../ui/hooks.js';
import { PlaygroundAnswer } from '../ui/ProposedActions.js';

/** A dry run of the agent on this lead: shows the reply and actions it would take, sends nothing. */
export function Suggest(props: { leadId: number; agentId: number }) {
  const { api, t } = useWidget();
  const action = useAction();
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<PlaygroundResult | null>(null);
  const suggest = async () => {
    const text = message.trim() || t('lcard.suggest_default_prompt');
    const r = await action.run(() => api.playground(props.agentId, { message: text, leadId: props.leadId }));
    if (r) setResult(r);
  };
  return (
    <div class="kai-block" data-testid="kai-suggest">
      <div class="kai-block__title">{t('lcard.suggest')}</div>
      <textarea
        class="kai-input kai-textarea"
        rows={2}
        placeholder={t('lcard.suggest_placeholder')}
        value={message}
        onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
      />
      <div class="kai-row">
        <Button kind="primary" onClick={suggest} busy={action.busy} testId="kai-suggest-run">
          {t('lcard.suggest_run')}
        </Button>
      </div>
      {action.error ? <ErrorBox error={action.error} onRetry={action.retry} compact /> : null}
      {result ? <PlaygroundAnswer result={result} /> : null}
    </div>
  );
}
