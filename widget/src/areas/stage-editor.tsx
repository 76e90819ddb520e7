import { render } from 'preact';
import { StageEditor } from '../stage/StageEditor.js';
import { Ctx, type StageEditorProps, type WidgetContext } from '../ui/context.js';

/**
 * The stage editor drawn by admin.js into an element of the lead card's "This stage" tab: it is the same
 * editor as the pipeline board's, with admin.js's own Preact (a component cannot cross bundles, an element can).
 */
export function renderStageEditor(ctx: WidgetContext, el: Element, props: StageEditorProps) {
  render(
    <Ctx.Provider value={ctx}>
      <StageEditor at={props.at} leadId={props.leadId} readOnly={props.readOnly} start={props.start} onSaved={props.onSaved} />
    </Ctx.Provider>,
    el,
  );
}

export function unmountStageEditor(el: Element) {
  render(null, el);
}
