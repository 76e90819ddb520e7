import { useState } from 'preact/hooks';
import type { Script } from '../api.js';
import { Button, Empty, ErrorBox, Section, Spinner, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { ScriptEditor } from './ScriptEditor.js';

type Editing = { kind: 'new' } | { kind: 'edit'; script: Script } | null;

/** The shared script library: scripts are written here and bound to stages on the pipeline board. */
export function Scripts() {
  const { api, t } = useWidget();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState(false);
  const scripts = useLoad(() => api.scripts(), []);

  if (editing) {
    return (
      <ScriptEditor
        script={editing.kind === 'edit' ? editing.script : null}
        onDone={(ok) => {
          setEditing(null);
          setSaved(ok === true);
          scripts.reload();
        }}
      />
    );
  }
  return (
    <Section
      title={t('scripts.title')}
      testId="kai-scripts"
      actions={
        <>
          <Saved show={saved} />
          <Button kind="primary" onClick={() => setEditing({ kind: 'new' })} testId="kai-script-new">
            {t('scripts.new')}
          </Button>
        </>
      }
    >
      <p class="kai-small kai-muted">{t('scripts.hint')}</p>
      {scripts.loading && !scripts.data ? <Spinner /> : null}
      {scripts.error ? <ErrorBox error={scripts.error} onRetry={scripts.reload} /> : null}
      {scripts.data && scripts.data.items.length === 0 ? <Empty>{t('scripts.empty')}</Empty> : null}
      <ul class="kai-list">
        {(scripts.data?.items ?? []).map((s) => (
          <li key={s.id} class="kai-list__item" data-testid="kai-script-row">
            <div class="kai-row kai-row--between">
              <div>
                <strong>{s.name}</strong>
                <div class="kai-small kai-muted">{t('scripts.stage_count', { count: s.stages.length })}</div>
              </div>
              <Button onClick={() => setEditing({ kind: 'edit', script: s })}>{t('common.edit')}</Button>
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
