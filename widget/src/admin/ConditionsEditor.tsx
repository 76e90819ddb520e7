import type { CrmField } from '../api.js';
import { CONDITION_KINDS, type ConditionLeaf, FIELD_OPS } from '../automation-contract.js';
import { Button } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { type AutomationRefs, defaultsOf, IdChecks, IdSelect, KeySelect, ListInput, NumInput } from './automation-inputs.js';
import { type ConditionGroup, type ConditionGroups, type ConditionRow, newCondition } from './rule-form.js';

const MODES = ['all', 'any'] as const;

/** Groups of conditions (all/any) joined by all/any, one row per condition. */
export function ConditionsEditor(props: { value: ConditionGroups; refs: AutomationRefs; onChange: (v: ConditionGroups) => void }) {
  const { t } = useWidget();
  const v = props.value;
  const setGroup = (i: number, g: ConditionGroup | null) =>
    props.onChange({ ...v, groups: g ? v.groups.map((x, j) => (j === i ? g : x)) : v.groups.filter((_, j) => j !== i) });
  const fresh = () => newCondition('stage', defaultsOf(props.refs));
  return (
    <div data-testid="kai-rule-conditions">
      {v.groups.length > 1 ? (
        <div class="kai-row">
          <span>{t('automation_admin.groups_join')}</span>
          <KeySelect
            value={v.mode}
            keys={MODES}
            group="automation_admin.mode"
            label={t('automation_admin.groups_join')}
            onChange={(mode) => props.onChange({ ...v, mode })}
          />
        </div>
      ) : null}
      {v.groups.length === 0 ? <p class="kai-small kai-muted">{t('automation_admin.no_conditions')}</p> : null}
      {v.groups.map((g, i) => (
        <fieldset key={i} class="kai-fieldset kai-auto__group" data-testid="kai-rule-group">
          <legend class="kai-auto__legend">
            <span>{t('automation_admin.group_mode')}</span>{' '}
            <KeySelect
              value={g.mode}
              keys={MODES}
              group="automation_admin.mode"
              label={t('automation_admin.group_mode')}
              onChange={(mode) => setGroup(i, { ...g, mode })}
            />
          </legend>
          {g.rows.map((row, j) => (
            <div key={j} class="kai-row kai-auto__row" data-testid="kai-rule-condition">
              <ConditionRowEditor value={row} refs={props.refs} onChange={(r) => setGroup(i, { ...g, rows: g.rows.map((x, k) => (k === j ? r : x)) })} />
              <Button kind="link" onClick={() => setGroup(i, g.rows.length === 1 ? null : { ...g, rows: g.rows.filter((_, k) => k !== j) })}>
                {t('common.remove')}
              </Button>
            </div>
          ))}
          <Button kind="link" testId="kai-rule-add-condition" onClick={() => setGroup(i, { ...g, rows: [...g.rows, fresh()] })}>
            {t('automation_admin.add_condition')}
          </Button>
        </fieldset>
      ))}
      <Button testId="kai-rule-add-group" onClick={() => props.onChange({ ...v, groups: [...v.groups, { mode: 'all', rows: [fresh()] }] })}>
        {t('automation_admin.add_group')}
      </Button>
    </div>
  );
}

function ConditionRowEditor(props: { value: ConditionRow; refs: AutomationRefs; onChange: (r: ConditionRow) => void }) {
  const { t } = useWidget();
  if ('nested' in props.value) return <code class="kai-small">{JSON.stringify(props.value.nested)}</code>;
  const c = props.value;
  const set = (patch: Record<string, unknown>) => props.onChange({ ...c, ...patch } as ConditionLeaf);
  return (
    <>
      <KeySelect
        value={c.kind}
        keys={CONDITION_KINDS}
        group="automation_admin.condition"
        label={t('automation_admin.condition_kind')}
        testId="kai-rule-condition-kind"
        onChange={(kind) => props.onChange(newCondition(kind, defaultsOf(props.refs)))}
      />
      {c.kind === 'stage' ? (
        <>
          <IdSelect
            label={t('automation_admin.pipeline')}
            value={c.pipelineId}
            options={props.refs.pipelines}
            onChange={(pipelineId) => set({ pipelineId: pipelineId ?? 0, statusIds: undefined })}
          />
          <IdChecks
            label={t('automation_admin.stage')}
            options={props.refs.pipelines.find((p) => p.id === c.pipelineId)?.statuses ?? []}
            value={c.statusIds ?? []}
            onChange={(statusIds) => set({ statusIds: statusIds.length ? statusIds : undefined })}
          />
        </>
      ) : null}
      {c.kind === 'field' ? <FieldCondition value={c} refs={props.refs} onChange={props.onChange} /> : null}
      {c.kind === 'tags' ? (
        <>
          <KeySelect
            value={c.op}
            keys={['has', 'lacks'] as const}
            group="automation_admin.op"
            label={t('automation_admin.operator')}
            onChange={(op) => set({ op })}
          />
          <input class="kai-input" value={c.tag} aria-label={t('automation_admin.tag')} onInput={(e) => set({ tag: (e.target as HTMLInputElement).value })} />
        </>
      ) : null}
      {c.kind === 'responsible' ? (
        <>
          <KeySelect
            value={c.op}
            keys={['in', 'not_in'] as const}
            group="automation_admin.op"
            label={t('automation_admin.operator')}
            onChange={(op) => set({ op })}
          />
          <IdChecks label={t('automation_admin.users')} options={props.refs.users} value={c.userIds} onChange={(userIds) => set({ userIds })} />
        </>
      ) : null}
      {c.kind === 'channel' ? (
        <ListInput value={c.channels} label={t('automation_admin.channels')} placeholder="whatsapp, telegram" onChange={(channels) => set({ channels })} />
      ) : null}
      {c.kind === 'price' ? (
        <>
          <KeySelect
            value={c.op}
            keys={['eq', 'gt', 'lt', 'between'] as const}
            group="automation_admin.op"
            label={t('automation_admin.operator')}
            onChange={(op) => set({ op })}
          />
          <NumInput value={c.value} step="any" label={t('automation_admin.value')} onChange={(value) => set({ value })} />
          {c.op === 'between' ? <NumInput value={c.max} step="any" label={t('automation_admin.max')} onChange={(max) => set({ max })} /> : null}
        </>
      ) : null}
      {c.kind === 'working_hours' ? (
        <select
          class="kai-input"
          value={c.inside ? 'inside' : 'outside'}
          aria-label={t('automation_admin.condition.working_hours')}
          onChange={(e) => set({ inside: (e.target as HTMLSelectElement).value === 'inside' })}
        >
          <option value="inside">{t('automation_admin.inside')}</option>
          <option value="outside">{t('automation_admin.outside')}</option>
        </select>
      ) : null}
      {c.kind === 'agent' ? (
        <KeySelect
          value={c.state}
          keys={['active', 'paused'] as const}
          group="automation_admin.agent_state"
          label={t('automation_admin.condition.agent')}
          onChange={(state) => set({ state })}
        />
      ) : null}
    </>
  );
}

const NUMERIC = ['numeric', 'price'];

/** Field + operator + value, the value input following the synced field's type (options, number, text). */
function FieldCondition(props: { value: Extract<ConditionLeaf, { kind: 'field' }>; refs: AutomationRefs; onChange: (r: ConditionLeaf) => void }) {
  const { t } = useWidget();
  const c = props.value;
  const set = (patch: Partial<typeof c>) => props.onChange({ ...c, ...patch });
  const field: CrmField | undefined = props.refs.fields.find((f) => f.id === c.fieldId);
  const options = (field?.enums ?? []).map((e) => ({ id: e.id, name: e.value }));
  const numeric = field ? NUMERIC.includes(field.type) : false;
  const label = t('automation_admin.value');
  let value = null;
  if (c.op === 'between') {
    value = (
      <>
        <NumInput value={c.min} step="any" label={t('automation_admin.min')} onChange={(min) => set({ min })} />
        <NumInput value={c.max} step="any" label={t('automation_admin.max')} onChange={(max) => set({ max })} />
      </>
    );
  } else if (c.op === 'in') {
    value = options.length ? (
      <IdChecks
        label={label}
        options={options}
        value={(c.values ?? []).filter((x): x is number => typeof x === 'number')}
        onChange={(values) => set({ values })}
      />
    ) : (
      <ListInput value={(c.values ?? []).map(String)} label={label} onChange={(values) => set({ values })} />
    );
  } else if (c.op !== 'empty') {
    if (options.length && (c.op === 'eq' || c.op === 'neq'))
      value = <IdSelect label={label} value={typeof c.value === 'number' ? c.value : null} options={options} onChange={(id) => set({ value: id ?? '' })} />;
    else if (numeric || c.op === 'gt' || c.op === 'lt')
      value = <NumInput value={typeof c.value === 'number' ? c.value : undefined} step="any" label={label} onChange={(n) => set({ value: n })} />;
    else
      value = (
        <input
          class="kai-input"
          value={String(c.value ?? '')}
          aria-label={label}
          data-testid="kai-rule-field-value"
          onInput={(e) => set({ value: (e.target as HTMLInputElement).value })}
        />
      );
  }
  return (
    <>
      <IdSelect
        label={t('automation_admin.field')}
        value={c.fieldId}
        options={props.refs.fields}
        testId="kai-rule-condition-field"
        onChange={(fieldId) => set({ fieldId: fieldId ?? 0, value: '', values: undefined })}
      />
      <KeySelect
        value={c.op}
        keys={FIELD_OPS}
        group="automation_admin.op"
        label={t('automation_admin.operator')}
        testId="kai-rule-condition-op"
        onChange={(op) => set({ op })}
      />
      {value}
    </>
  );
}
