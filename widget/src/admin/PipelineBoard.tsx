import { useState } from 'preact/hooks';
import type { StageBoardPipeline } from '../api.js';
import { Badge, Button, Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { scheduleSummary } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { StageEditor } from '../stage/StageEditor.js';

type Column = StageBoardPipeline['stages'][number];

/** Every pipeline as a row of stage columns: what works each stage; a click opens the same editor as the lead card's "This stage". */
export function PipelineBoard() {
  const { api, t } = useWidget();
  const board = useLoad(() => api.stageSetup.board(), []);
  const [open, setOpen] = useState<Column | null>(null);
  if (open) {
    return (
      <Section title={t('stage_setup.board_title')} testId="kai-board-stage">
        <Button
          kind="link"
          onClick={() => {
            setOpen(null);
            board.reload();
          }}
          testId="kai-board-back"
        >
          {t('stage_setup.back')}
        </Button>
        <StageEditor at={open} readOnly={false} />
      </Section>
    );
  }
  if (board.error && !board.data) return <ErrorBox error={board.error} onRetry={board.reload} />;
  if (!board.data) return <Spinner />;
  return (
    <Section title={t('stage_setup.board_title')} testId="kai-board">
      <p class="kai-small kai-muted">{t('stage_setup.board_hint')}</p>
      {board.data.items.length === 0 ? <Empty>{t('bindings.no_pipelines')}</Empty> : null}
      {board.data.items.map((p) => (
        <div key={p.id} class="kai-matrix">
          <div class="kai-matrix__title">{p.name}</div>
          <div class="kai-board">
            {p.stages.map((s) => (
              <StageColumn key={s.statusId} stage={s} onOpen={() => setOpen(s)} />
            ))}
          </div>
        </div>
      ))}
    </Section>
  );
}

function StageColumn(props: { stage: Column; onOpen: () => void }) {
  const { t, lang } = useWidget();
  const s = props.stage;
  const wh = s.workingHours ?? null;
  const hours = wh ? scheduleSummary(wh.schedule, lang) : '';
  return (
    <button type="button" class="kai-board__col" data-testid="kai-board-col" data-stage={`${s.pipelineId}:${s.statusId}`} onClick={props.onOpen}>
      <strong>
        <span class="kai-stage-dot" style={{ background: s.color ?? undefined }} aria-hidden="true" />
        {s.name}
      </strong>
      {s.agent ? (
        <span data-testid="kai-board-agent">
          {s.agent.name} <Badge tone={s.agent.mode === 'autopilot' ? 'info' : 'muted'}>{t(`mode.${s.agent.mode}`)}</Badge>
        </span>
      ) : (
        <span class="kai-muted">{t('stage_setup.no_agent_short')}</span>
      )}
      <span class="kai-small" data-testid="kai-board-script">
        {s.script ? s.script.name : <span class="kai-muted">{t('stage_setup.no_script')}</span>}
      </span>
      <span class="kai-small kai-muted" data-testid="kai-board-counts">
        {t('stage_setup.knowledge_count', { n: s.knowledge.count })} · {t('stage_setup.rules', { n: s.rules.length })} ·{' '}
        {t('stage_setup.sequences', { n: s.sequences.length })}
      </span>
      {s.agent ? (
        <span class="kai-small" data-testid="kai-board-hours">
          {wh ? (hours ? `${hours} (${wh.timezone})` : t('stage_setup.hours_none')) : t('stage_setup.hours_always')}
        </span>
      ) : null}
      {s.channels ? <Readiness channels={s.channels} /> : null}
      {s.today ? (
        <span
          class="kai-small"
          data-testid="kai-board-today"
          data-replies={s.today.replies}
          data-drafts={s.today.draftsWaiting}
          data-handoffs={s.today.handoffs}
        >
          {t('stage_setup.today', { replies: s.today.replies, drafts: s.today.draftsWaiting, handoffs: s.today.handoffs })}
        </span>
      ) : null}
    </button>
  );
}

/** How a reply from this stage reaches the client: chats through the Salesbot with our widget step, email through the mailbox, else a note. */
function Readiness(props: { channels: NonNullable<Column['channels']> }) {
  const { t } = useWidget();
  const c = props.channels;
  return (
    <span class="kai-small" data-testid="kai-board-channels" data-reach={c.reach}>
      <span class={c.salesbot ? 'kai-ok' : 'kai-bad'}>{c.salesbot ? '✓' : '✗'}</span> {t('stage_setup.ch_salesbot')}{' '}
      <span class={c.mailbox ? 'kai-ok' : 'kai-bad'}>{c.mailbox ? '✓' : '✗'}</span> {t('stage_setup.ch_mailbox')}
      {c.reach === 'note' ? <span class="kai-notice kai-notice--warn">{t('stage_setup.ch_note_only')}</span> : null}
    </span>
  );
}
