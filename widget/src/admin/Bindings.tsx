import { useState } from 'preact/hooks';
import type { Agent, Binding, OnStageEnter, Pipeline } from '../api.js';
import { Empty, ErrorBox, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useAction, useLoad } from '../ui/hooks.js';

const key = (pipelineId: number, statusId: number) => `${pipelineId}:${statusId}`;
const ON_ENTER: OnStageEnter[] = ['off', 'greet', 'wait'];

/** Which agent works each stage: one table per pipeline, a select per stage; each change is one PUT. */
export function Bindings(props: { agents: Agent[] }) {
  const { api, t } = useWidget();
  const loaded = useLoad(() => Promise.all([api.pipelines(), api.bindings()]), []);
  const [bindings, setBindings] = useState<Binding[] | null>(null);
  const save = useAction();
  const [savingKey, setSavingKey] = useState<string | null>(null);

  if (loaded.loading && !loaded.data) return <Spinner />;
  if (loaded.error && !loaded.data) return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return null;
  const [pipelines, initial] = loaded.data;
  const current = bindings ?? initial.items;
  const byStage = new Map(current.map((b) => [key(b.pipelineId, b.statusId), b]));

  const put = async (binding: Binding) => {
    setSavingKey(key(binding.pipelineId, binding.statusId));
    const next = await save.run(() => api.putBinding(binding));
    setSavingKey(null);
    if (next) setBindings(next.items);
  };
  const change = (pipelineId: number, statusId: number, raw: string) => put({ pipelineId, statusId, agentId: raw === '' ? null : Number(raw) });
  const changeEnter = (pipelineId: number, statusId: number, agentId: number, onStageEnter: OnStageEnter) =>
    put({ pipelineId, statusId, agentId, onStageEnter });

  return (
    <Section title={t('bindings.title')} testId="kai-bindings">
      <p class="kai-small kai-muted">{t('bindings.hint')}</p>
      {save.error ? <ErrorBox error={save.error} onRetry={save.retry} compact /> : null}
      {pipelines.items.length === 0 ? <Empty>{t('bindings.no_pipelines')}</Empty> : null}
      {[...pipelines.items]
        .sort((a, b) => a.sort - b.sort)
        .map((p) => (
          <PipelineRow key={p.id} pipeline={p} agents={props.agents} byStage={byStage} savingKey={savingKey} onChange={change} onChangeEnter={changeEnter} />
        ))}
    </Section>
  );
}

function PipelineRow(props: {
  pipeline: Pipeline;
  agents: Agent[];
  byStage: Map<string, Binding>;
  savingKey: string | null;
  onChange: (pipelineId: number, statusId: number, raw: string) => void;
  onChangeEnter: (pipelineId: number, statusId: number, agentId: number, value: OnStageEnter) => void;
}) {
  const { t } = useWidget();
  const p = props.pipeline;
  const statuses = [...p.statuses].sort((a, b) => a.sort - b.sort);
  return (
    <div class="kai-matrix" data-testid="kai-binding-pipeline">
      <div class="kai-matrix__title">{p.name}</div>
      <div class="kai-matrix__scroll">
        <table class="kai-table kai-matrix__table">
          <thead>
            <tr>
              {statuses.map((s) => (
                <th key={s.id} scope="col">
                  <span class="kai-stage-dot" style={{ background: s.color }} aria-hidden="true" />
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {statuses.map((s) => {
                const k = key(p.id, s.id);
                const binding = props.byStage.get(k);
                const agentId = binding?.agentId ?? null;
                return (
                  <td key={s.id}>
                    <select
                      class="kai-input"
                      value={agentId === null ? '' : String(agentId)}
                      disabled={props.savingKey === k}
                      aria-label={t('bindings.agent_for', { stage: s.name, pipeline: p.name })}
                      data-testid={`kai-binding-${k}`}
                      onChange={(e) => props.onChange(p.id, s.id, (e.target as HTMLSelectElement).value)}
                    >
                      <option value="">{t('bindings.none')}</option>
                      {props.agents.map((a) => (
                        <option key={a.id} value={String(a.id)}>
                          {a.name}
                        </option>
                      ))}
                    </select>
                    {agentId !== null ? (
                      <select
                        class="kai-input kai-small"
                        value={binding?.onStageEnter ?? 'off'}
                        disabled={props.savingKey === k}
                        aria-label={t('bindings.on_enter_for', { stage: s.name, pipeline: p.name })}
                        title={t('bindings.on_enter_hint')}
                        data-testid={`kai-binding-enter-${k}`}
                        onChange={(e) => props.onChangeEnter(p.id, s.id, agentId, (e.target as HTMLSelectElement).value as OnStageEnter)}
                      >
                        {ON_ENTER.map((v) => (
                          <option key={v} value={v}>
                            {t(`bindings.on_enter.${v}`)}
                          </option>
                        ))}
                      </select>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
