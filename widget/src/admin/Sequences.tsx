import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../api.js';
import type { Sequence } from '../automation-contract.js';
import { Button, Empty, ErrorBox, Section, Spinner, Saved } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { stageName, useAutomationRefs } from './automation-inputs.js';
import { SequenceEditor } from './SequenceEditor.js';

type Editing = { sequence: Sequence | null } | null;
const COUNTS = ['enrolled', 'active', 'stoppedByReply', 'completed'] as const;

/** Follow-up sequences with how many leads each has enrolled, running, stopped by a reply and completed. */
export function Sequences(props: { agents: Agent[]; openId?: number }) {
  const { api, t } = useWidget();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState(false);
  const seqs = useLoad(() => api.sequences(), []);
  const refs = useAutomationRefs();
  // Opened from a builder link: show that sequence's editor once, when the list has it.
  const opened = useRef(false);
  useEffect(() => {
    const sequence = seqs.data?.items.find((s) => s.id === props.openId);
    if (opened.current || !sequence) return;
    opened.current = true;
    setEditing({ sequence });
  }, [seqs.data, props.openId]);

  if ((seqs.loading && !seqs.data) || (refs.loading && !refs.data)) return <Spinner />;
  if (refs.error && !refs.data) return <ErrorBox error={refs.error} onRetry={refs.reload} />;
  const r = refs.data!;
  if (editing)
    return (
      <SequenceEditor
        sequence={editing.sequence}
        refs={r}
        agents={props.agents}
        onDone={(ok) => {
          setEditing(null);
          setSaved(ok === true);
          seqs.reload();
          // The rule builder's sequence picker reads the same list.
          refs.reload();
        }}
      />
    );
  return (
    <Section
      title={t('automation_admin.seq.title')}
      testId="kai-sequences"
      actions={
        <>
          <Saved show={saved} />
          <Button kind="primary" onClick={() => setEditing({ sequence: null })} testId="kai-seq-new">
            {t('automation_admin.seq.new')}
          </Button>
        </>
      }
    >
      <p class="kai-small kai-muted">{t('automation_admin.seq.hint')}</p>
      {seqs.error ? <ErrorBox error={seqs.error} onRetry={seqs.reload} /> : null}
      {seqs.data && seqs.data.items.length === 0 ? <Empty>{t('automation_admin.seq.empty')}</Empty> : null}
      {seqs.data?.items.length ? (
        <table class="kai-table">
          <thead>
            <tr>
              <th scope="col">{t('automation_admin.name')}</th>
              <th scope="col">{t('automation_admin.seq.stage')}</th>
              <th scope="col">{t('automation_admin.seq.steps')}</th>
              {COUNTS.map((k) => (
                <th key={k} scope="col">
                  {t(`automation_admin.count.${k}`)}
                </th>
              ))}
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {seqs.data.items.map((s) => (
              <tr key={s.id} data-testid="kai-seq-row">
                <td>
                  <strong>{s.name}</strong>
                  {s.enabled ? null : <div class="kai-small kai-muted">{t('automation_admin.disabled')}</div>}
                </td>
                <td>{s.pipelineId ? stageName(r, s.pipelineId, s.statusId) : t('automation_admin.any_stage')}</td>
                <td>{s.definition.steps.length}</td>
                {COUNTS.map((k) => (
                  <td key={k} data-testid={`kai-seq-count-${k}`}>
                    {s.stats?.[k] ?? 0}
                  </td>
                ))}
                <td>
                  <Button onClick={() => setEditing({ sequence: s })} testId="kai-seq-edit">
                    {t('common.edit')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
