import { useEffect, useRef, useState } from 'preact/hooks';
import type { LeadAgentState } from '../api.js';
import { Button, Empty, ErrorBox, Spinner } from '../ui/components.js';
import { type StageEditorHost, useWidget } from '../ui/context.js';
import { useMe } from '../ui/roles.js';

type Stage = NonNullable<LeadAgentState['stage']>;

/** The lead card's "This stage" tab: the stage editor for the lead's stage; admins edit, others read. */
export function ThisStage(props: { leadId: number; stage: LeadAgentState['stage']; start?: boolean; onSaved: () => void }) {
  const { t } = useWidget();
  const who = useMe();
  if (!props.stage) return <Empty>{t('stage_setup.no_stage')}</Empty>;
  if (who.error) return <ErrorBox error={who.error} onRetry={who.retry} compact />;
  if (who.loading) return <Spinner />;
  return <LazyStageEditor at={props.stage} leadId={props.leadId} readOnly={!who.isAdmin} start={props.start} onSaved={props.onSaved} />;
}

/**
 * The editor comes with admin.js (the pipeline board's own), loaded when the tab first opens, so the card's
 * script.js stays within its size budget; a failed load says so in the user's language, with a retry.
 */
function LazyStageEditor(props: { at: Stage; leadId: number; readOnly: boolean; start?: boolean; onSaved: () => void }) {
  const ctx = useWidget();
  const box = useRef<HTMLDivElement>(null);
  const [admin, setAdmin] = useState<StageEditorHost | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const onSaved = useRef(props.onSaved);
  onSaved.current = props.onSaved;

  useEffect(() => {
    let live = true;
    setFailed(false);
    if (!ctx.loadAdmin) {
      setFailed(true);
      return;
    }
    ctx.loadAdmin().then(
      (m) => live && setAdmin(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const { pipelineId, statusId } = props.at;
  useEffect(() => {
    const el = box.current;
    if (!admin || !el) return;
    admin.renderStageEditor(ctx, el, {
      at: props.at,
      leadId: props.leadId,
      readOnly: props.readOnly,
      start: props.start,
      onSaved: () => onSaved.current(),
    });
  }, [admin, pipelineId, statusId, props.leadId, props.readOnly, props.start]);
  useEffect(() => {
    const el = box.current;
    return () => {
      if (admin && el) admin.unmountStageEditor(el);
    };
  }, [admin]);

  if (failed)
    return (
      <div class="kai-error kai-error--compact" role="alert" data-testid="kai-stage-load-failed">
        {ctx.t('admin.load_failed')}{' '}
        <Button kind="secondary" onClick={() => setAttempt((n) => n + 1)} testId="kai-retry">
          {ctx.t('common.retry')}
        </Button>
      </div>
    );
  return (
    <div>
      {admin ? null : <Spinner />}
      <div ref={box} data-testid="kai-stage-editor-host" />
    </div>
  );
}
