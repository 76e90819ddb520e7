import { INTENTS, TRIGGER_TYPES, type Trigger } from '../automation-contract.js';
import { Field } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { type AutomationRefs, FieldGroup, DurationInput, defaultsOf, IdSelect, KeySelect, ListInput, StagePicker } from './automation-inputs.js';
import { newTrigger } from './rule-form.js';

/** The trigger select and the parameters of the chosen trigger. */
export function TriggerFields(props: { value: Trigger; refs: AutomationRefs; error?: (path: string) => string | undefined; onChange: (t: Trigger) => void }) {
  const { t } = useWidget();
  const tr = props.value;
  const set = (patch: Record<string, unknown>) => props.onChange({ ...tr, ...patch } as Trigger);
  const err = (k: string) => props.error?.(`definition.trigger${k ? `.${k}` : ''}`);
  return (
    <div class="kai-grid" data-testid="kai-rule-trigger">
      <Field label={t('automation_admin.trigger_label')} error={err('')}>
        <KeySelect
          value={tr.type}
          keys={TRIGGER_TYPES}
          group="automation_admin.trigger"
          label={t('automation_admin.trigger_label')}
          testId="kai-rule-trigger-type"
          onChange={(type) => props.onChange(newTrigger(type, defaultsOf(props.refs)))}
        />
      </Field>
      {tr.type === 'stage_entered' || tr.type === 'stage_left' || tr.type === 'time_in_stage' ? (
        <FieldGroup label={t('automation_admin.stage')} error={err('pipelineId')}>
          <StagePicker
            refs={props.refs}
            pipelineId={tr.pipelineId}
            statusId={tr.statusId}
            anyPipeline
            anyStage
            testId="kai-rule-trigger-stage"
            onChange={(pipelineId, statusId) => set({ pipelineId: pipelineId ?? undefined, statusId: statusId ?? undefined })}
          />
        </FieldGroup>
      ) : null}
      {tr.type === 'no_client_reply_for' || tr.type === 'time_in_stage' ? (
        <FieldGroup label={t('automation_admin.duration')} error={err('minutes')}>
          <DurationInput
            minutes={tr.minutes}
            label={t('automation_admin.duration')}
            testId="kai-rule-trigger-duration"
            onChange={(minutes) => set({ minutes })}
          />
        </FieldGroup>
      ) : null}
      {tr.type === 'field_changed' ? (
        <Field label={t('automation_admin.field')} error={err('fieldId')}>
          <IdSelect label={t('automation_admin.field')} value={tr.fieldId} options={props.refs.fields} onChange={(fieldId) => set({ fieldId: fieldId ?? 0 })} />
        </Field>
      ) : null}
      {tr.type === 'tag_added' ? (
        <Field label={t('automation_admin.tag')} hint={t('automation_admin.tag_any_hint')}>
          <input class="kai-input" value={tr.tag ?? ''} onInput={(e) => set({ tag: (e.target as HTMLInputElement).value })} />
        </Field>
      ) : null}
      {tr.type === 'schedule' ? (
        <Field label={t('automation_admin.cron')} hint={t('automation_admin.cron_hint')} error={err('cron')}>
          <input class="kai-input kai-mono" value={tr.cron} data-testid="kai-rule-cron" onInput={(e) => set({ cron: (e.target as HTMLInputElement).value })} />
        </Field>
      ) : null}
      {tr.type === 'message_received' ? (
        <>
          <Field label={t('automation_admin.keywords')} hint={t('automation_admin.list_hint')}>
            <ListInput value={tr.keywords} label={t('automation_admin.keywords')} testId="kai-rule-keywords" onChange={(keywords) => set({ keywords })} />
          </Field>
          <Field label={t('automation_admin.regex')} error={err('regex')}>
            <input
              class="kai-input kai-mono"
              value={tr.regex ?? ''}
              data-testid="kai-rule-regex"
              onInput={(e) => set({ regex: (e.target as HTMLInputElement).value })}
            />
          </Field>
          <Field label={t('automation_admin.channels')} hint={t('automation_admin.channels_hint')}>
            <ListInput value={tr.channels} label={t('automation_admin.channels')} onChange={(channels) => set({ channels })} />
          </Field>
          <fieldset class="kai-fieldset">
            <legend>{t('automation_admin.intents')}</legend>
            {INTENTS.map((i) => (
              <label key={i} class="kai-check kai-check--inline">
                <input
                  type="checkbox"
                  checked={tr.intents?.includes(i) ?? false}
                  onChange={() => {
                    const cur = tr.intents ?? [];
                    set({ intents: cur.includes(i) ? cur.filter((x) => x !== i) : [...cur, i] });
                  }}
                />
                <span>{t(`automation_admin.intent.${i}`)}</span>
              </label>
            ))}
          </fieldset>
        </>
      ) : null}
    </div>
  );
}
