import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CrmField, Pipeline } from '../api.js';
import type { MailTemplate, NamedRef, Sequence } from '../automation-contract.js';
import { useWidget } from '../ui/context.js';
import { splitList } from '../ui/format.js';
import { type Loaded, useLoad } from '../ui/hooks.js';
import { type DurationUnit, type FormDefaults, splitMinutes, UNIT_MINUTES } from './rule-form.js';

/** What the builders pick from: the synced pipelines, lead fields, users and task types, templates and sequences. */
export interface AutomationRefs {
  pipelines: Pipeline[];
  fields: CrmField[];
  users: NamedRef[];
  taskTypes: NamedRef[];
  templates: MailTemplate[];
  sequences: Sequence[];
}

/** A picker list that fails to load is left empty (its select then shows only "none"); the rest still works. */
export function useAutomationRefs(): Loaded<AutomationRefs> {
  const { api } = useWidget();
  const items = <T,>(p: Promise<{ items: T[] }>) => p.then((r) => r.items).catch(() => [] as T[]);
  return useLoad(async () => {
    const [pipelines, fields, users, taskTypes, templates, sequences] = await Promise.all([
      api.pipelines().then((r) => r.items),
      items(api.fields()),
      items(api.users()),
      items(api.taskTypes()),
      items(api.mailTemplates()),
      items(api.sequences()),
    ]);
    return { pipelines, fields: fields.filter((f) => f.entity === 'leads'), users, taskTypes, templates, sequences };
  }, []);
}

export function defaultsOf(r: AutomationRefs | undefined): FormDefaults {
  const p = r?.pipelines[0];
  return {
    pipelineId: p?.id,
    statusId: p?.statuses[0]?.id,
    fieldId: r?.fields[0]?.id,
    userId: r?.users[0]?.id,
    templateId: r?.templates[0]?.id,
    sequenceId: r?.sequences[0]?.id,
  };
}

const sorted = <T extends { sort: number }>(xs: T[]) => [...xs].sort((a, b) => a.sort - b.sort);

export function stageName(refs: AutomationRefs | undefined, pipelineId: number | null | undefined, statusId?: number | null): string {
  const p = refs?.pipelines.find((x) => x.id === pipelineId);
  if (!p) return pipelineId ? `#${pipelineId}` : '';
  const s = statusId ? p.statuses.find((x) => x.id === statusId) : undefined;
  return s ? `${p.name} › ${s.name}` : statusId ? `${p.name} › #${statusId}` : p.name;
}

/** A select of numeric ids; '' is "none" when `none` is given. */
export function IdSelect(props: {
  value: number | null | undefined;
  options: { id: number; name: string }[];
  none?: string;
  label: string;
  testId?: string;
  onChange: (id: number | null) => void;
}) {
  const v = props.value ? String(props.value) : '';
  const known = props.options.some((o) => String(o.id) === v);
  return (
    <select
      class="kai-input"
      value={v}
      aria-label={props.label}
      data-testid={props.testId}
      onChange={(e) => {
        const raw = (e.target as HTMLSelectElement).value;
        props.onChange(raw === '' ? null : Number(raw));
      }}
    >
      {props.none !== undefined || !v ? <option value="">{props.none ?? '—'}</option> : null}
      {v && !known ? <option value={v}>#{v}</option> : null}
      {props.options.map((o) => (
        <option key={o.id} value={String(o.id)}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

/** Pipeline then stage; `anyStage` lets the stage stay open ("any stage of the pipeline"). */
export function StagePicker(props: {
  refs: AutomationRefs;
  pipelineId: number | null | undefined;
  statusId: number | null | undefined;
  anyPipeline?: boolean;
  anyStage?: boolean;
  testId?: string;
  onChange: (pipelineId: number | null, statusId: number | null) => void;
}) {
  const { t } = useWidget();
  const pipeline = props.refs.pipelines.find((p) => p.id === props.pipelineId);
  const pipelines = sorted(props.refs.pipelines);
  return (
    <span class="kai-row kai-auto__pair" data-testid={props.testId}>
      <IdSelect
        label={t('automation_admin.pipeline')}
        value={props.pipelineId}
        options={pipelines}
        none={props.anyPipeline ? t('automation_admin.any_pipeline') : undefined}
        testId={props.testId ? `${props.testId}-pipeline` : undefined}
        onChange={(id) => {
          const p = props.refs.pipelines.find((x) => x.id === id);
          props.onChange(id, props.anyStage ? null : (sorted(p?.statuses ?? [])[0]?.id ?? null));
        }}
      />
      {pipeline || !props.anyPipeline ? (
        <IdSelect
          label={t('automation_admin.stage')}
          value={props.statusId}
          options={sorted(pipeline?.statuses ?? [])}
          none={props.anyStage ? t('automation_admin.any_stage') : undefined}
          testId={props.testId ? `${props.testId}-stage` : undefined}
          onChange={(id) => props.onChange(props.pipelineId ?? null, id)}
        />
      ) : null}
    </span>
  );
}

/** Checkboxes over a list of ids (users for round-robin, stages of a pipeline). */
export function IdChecks(props: { options: NamedRef[]; value: number[]; label: string; onChange: (ids: number[]) => void }) {
  return (
    <fieldset class="kai-auto__checks" aria-label={props.label}>
      {props.options.map((o) => (
        <label key={o.id} class="kai-check kai-check--inline">
          <input
            type="checkbox"
            checked={props.value.includes(o.id)}
            onChange={() => props.onChange(props.value.includes(o.id) ? props.value.filter((x) => x !== o.id) : [...props.value, o.id])}
          />
          <span>{o.name}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** A comma-separated list that keeps what is typed (a trailing comma) while the value is the parsed list. */
export function ListInput(props: { value: string[] | undefined; label: string; placeholder?: string; testId?: string; onChange: (list: string[]) => void }) {
  const joined = (props.value ?? []).join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => {
    if (splitList(text).join(', ') !== joined) setText(joined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [joined]);
  return (
    <input
      class="kai-input"
      value={text}
      aria-label={props.label}
      placeholder={props.placeholder}
      data-testid={props.testId}
      onInput={(e) => {
        const raw = (e.target as HTMLInputElement).value;
        setText(raw);
        props.onChange(splitList(raw));
      }}
    />
  );
}

/** A number input whose value is NaN while it is empty or unparsable (the form flags it, the server refuses it). */
export function NumInput(props: { value: number | undefined; label: string; step?: string; testId?: string; onChange: (n: number) => void }) {
  const shown = props.value === undefined || Number.isNaN(props.value) ? '' : String(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => {
    if (Number(text) !== props.value) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  return (
    <input
      class="kai-input kai-input--short"
      type="number"
      step={props.step ?? '1'}
      value={text}
      aria-label={props.label}
      data-testid={props.testId}
      onInput={(e) => {
        const raw = (e.target as HTMLInputElement).value;
        setText(raw);
        props.onChange(raw.trim() === '' ? Number.NaN : Number(raw));
      }}
    />
  );
}

export const DURATION_UNITS: DurationUnit[] = ['minutes', 'hours', 'days'];

/** A duration in minutes as amount + unit; the unit chosen stays while the amount is edited. */
export function DurationInput(props: { minutes: number; label: string; testId?: string; onChange: (minutes: number) => void }) {
  const { t } = useWidget();
  const [unit, setUnit] = useState<DurationUnit>(() => splitMinutes(props.minutes).unit);
  const amount = props.minutes / UNIT_MINUTES[unit];
  return (
    <span class="kai-row kai-auto__pair" data-testid={props.testId}>
      <NumInput value={amount} label={props.label} onChange={(n) => props.onChange(Math.round(n * UNIT_MINUTES[unit]))} />
      <UnitSelect
        value={unit}
        onChange={(u) => {
          setUnit(u);
          props.onChange(Math.round(amount * UNIT_MINUTES[u]));
        }}
        label={t('automation_admin.unit')}
      />
    </span>
  );
}

export function UnitSelect(props: { value: DurationUnit; label: string; onChange: (u: DurationUnit) => void }) {
  const { t } = useWidget();
  return (
    <select
      class="kai-input"
      value={props.value}
      aria-label={props.label}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as DurationUnit)}
    >
      {DURATION_UNITS.map((u) => (
        <option key={u} value={u}>
          {t(`automation_admin.units.${u}`)}
        </option>
      ))}
    </select>
  );
}

/** A select over string keys, labelled through i18n (`group.key`). */
export function KeySelect<K extends string>(props: { value: K; keys: readonly K[]; group: string; label: string; testId?: string; onChange: (k: K) => void }) {
  const { t } = useWidget();
  return (
    <select
      class="kai-input"
      value={props.value}
      aria-label={props.label}
      data-testid={props.testId}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as K)}
    >
      {props.keys.map((k) => (
        <option key={k} value={k}>
          {t(`${props.group}.${k}`)}
        </option>
      ))}
    </select>
  );
}

/**
 * A labelled group of controls (a stage pair, a duration, checkboxes): a `div`, not a `label`, since a label
 * around several controls would forward every click on it to the first one. Each control has its own aria-label.
 */
export function FieldGroup(props: { label: string; hint?: string; error?: string; testId?: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <div class={props.wide ? 'kai-field kai-auto__wide' : 'kai-field'} data-testid={props.testId}>
      <span class="kai-field__label">{props.label}</span>
      {props.children}
      {props.hint ? <span class="kai-field__hint">{props.hint}</span> : null}
      {props.error ? <span class="kai-field__error">{props.error}</span> : null}
    </div>
  );
}
