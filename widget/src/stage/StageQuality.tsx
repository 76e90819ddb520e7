import { useState } from 'preact/hooks';
import { type ApiError, type StageQuality as Figures, toApiError } from '../api.js';
import { Button, ErrorBox } from '../ui/components.js';
import { useWidget } from '../ui/context.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The stage's acceptance rate (drafts sent unchanged over 30 days) and, once the thresholds are met, the
 * suggestion to go to autopilot or back to draft. Nothing changes until an admin confirms it here.
 */
export function StageQuality(props: { quality: Figures; agent: { id: number; name: string }; readOnly: boolean; onChanged: () => void }) {
  const { api, t } = useWidget();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const q = props.quality;
  const s = q.suggestion;
  const confirm = async () => {
    if (!s) return;
    setBusy(true);
    setError(null);
    try {
      await api.updateAgent(props.agent.id, { mode: s.mode });
      props.onChanged();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="kai-block kai-small" data-testid="kai-stage-quality">
      <div data-testid="kai-stage-acceptance">
        {q.decided && q.acceptance.unchanged !== null
          ? t('stage_setup.acceptance', { pct: pct(q.acceptance.unchanged), n: q.decided, days: q.days })
          : t('stage_setup.acceptance_none', { days: q.days })}
      </div>
      <div class="kai-muted">{t('stage_setup.autopilot_rule', { n: q.thresholds.autopilotMinDrafts, pct: pct(q.thresholds.autopilotMinUnchanged) })}</div>
      {s ? (
        <div class="kai-row kai-row--wrap" data-testid="kai-stage-suggestion" data-mode={s.mode}>
          <span>{t(`quality.suggest.${s.reason}`)}</span>
          {props.readOnly ? null : (
            <Button kind={s.mode === 'autopilot' ? 'primary' : 'secondary'} busy={busy} onClick={confirm} testId="kai-stage-suggestion-confirm">
              {t(`stage_setup.confirm_${s.mode}`, { agent: props.agent.name })}
            </Button>
          )}
        </div>
      ) : null}
      {error ? <ErrorBox error={error} compact /> : null}
    </div>
  );
}
