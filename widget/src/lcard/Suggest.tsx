import { useState } from 'preact/hooks';
import type { PlaygroundResult } from '../api.js';
import { Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction } from '../ui/hooks.js';
import { PlaygroundAnswer } from '../ui/ProposedActions.js';

/**
 * A dry run of the agent on this lead: shows the reply and actions it would take, sends nothing. The reply can
 * be kept as a draft (approved like the agent's own, in the drafts above) or copied to paste elsewhere.
 */
export function Suggest(props: { leadId: number; agentId: number; onDrafted?: () => void }) {
  const { api, t } = useWidget();
  const action = useAction();
  const insert = useAction();
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<PlaygroundResult | null>(null);
  const [done, setDone] = useState<'drafted' | 'copied' | 'copy_failed' | null>(null);
  const suggest = async () => {
    const text = message.trim() || t('lcard.suggest_default_prompt');
    const r = await action.run(() => api.playground(props.agentId, { message: text, leadId: props.leadId }));
    if (r) {
      setResult(r);
      setDone(null);
    }
  };
  const reply = result?.reply.trim() ?? '';
  const asDraft = async () => {
    if (await insert.run(() => api.insertDraft(props.leadId, reply))) {
      setDone('drafted');
      props.onDrafted?.();
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(reply);
      setDone('copied');
    } catch {
      setDone('copy_failed');
    }
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
      {reply ? (
        <div class="kai-row">
          <Button onClick={asDraft} busy={insert.busy} disabled={done === 'drafted'} testId="kai-suggest-draft">
            {t('suggest_keep.as_draft')}
          </Button>
          <Button kind="link" onClick={copy} testId="kai-suggest-copy">
            {t('suggest_keep.copy')}
          </Button>
          {done ? (
            <span class={`kai-small ${done === 'copy_failed' ? 'kai-bad' : 'kai-ok'}`} data-testid="kai-suggest-done" data-done={done} role="status">
              {t(`suggest_keep.${done}`)}
            </span>
          ) : null}
        </div>
      ) : null}
      {insert.error ? <ErrorBox error={insert.error} compact /> : null}
    </div>
  );
}
