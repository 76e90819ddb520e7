import type { LeadAgentState } from '../api.js';
import { Empty, ErrorBox, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useMe } from '../ui/roles.js';
import { StageEditor } from '../stage/StageEditor.js';

/** The lead card's "This stage" tab: the stage editor for the lead's stage; admins edit, others read. */
export function ThisStage(props: { leadId: number; stage: LeadAgentState['stage']; start?: boolean; onSaved: () => void }) {
  const { t } = useWidget();
  const who = useMe();
  if (!props.stage) return <Empty>{t('stage_setup.no_stage')}</Empty>;
  if (who.error) return <ErrorBox error={who.error} onRetry={who.retry} compact />;
  if (who.loading) return <Spinner />;
  return <StageEditor at={props.stage} leadId={props.leadId} readOnly={!who.isAdmin} start={props.start} onSaved={props.onSaved} />;
}
