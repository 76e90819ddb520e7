import { useState } from 'preact/hooks';
import type { CrmField, Pipeline } from '../api.js';
import type { NamedRef } from '../automation-contract.js';
import { Button, Field } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { useLoad } from '../ui/hooks.js';
import { splitList } from '../ui/format.js';

type Args = Record<string, unknown>;
/** The edited arguments in the tool's own shape, and the same in words for the draft's action list. */
export interface EditedAction {
  args: Args;
  label: string;
}

/** The action kinds a person can edit before approving, each with a small form (never JSON). */
export const EDITABLE = new Set(['add_note', 'create_task', 'move_to_stage', 'update_field', 'add_tags', 'remove_tags', 'schedule_followup', 'assign_user']);

type Refs = { pipelines: Pipeline[]; fields: CrmField[]; users: NamedRef[] };
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/**
 * One proposed action's arguments as a form: a note's text, a task's text and due time, the stage to move to,
 * a field's value, tags, a follow-up, the responsible user. The server checks the result exactly as it checks
 * the model's call; `error` is its word on this action, shown here, next to the fields.
 */
export function ActionArgsEditor(props: { type: string; input: Args; error?: string; onSave: (edit: EditedAction) => void; onCancel: () => void }) {
  const { api, t } = useWidget();
  const { type, input } = props;
  const refs = useLoad<Refs>(
    () =>
      type === 'move_to_stage'
        ? api.pipelines().then((r) => ({ pipelines: r.items, fields: [], users: [] }))
        : type === 'update_field'
          ? api.fields().then((r) => ({ pipelines: [], fields: r.items, users: [] }))
          : type === 'assign_user'
            ? api.users().then((r) => ({ pipelines: [], fields: [], users: r.items }))
            : Promise.resolve({ pipelines: [], fields: [], users: [] }),
    [type],
  );
  const [text, setText] = useState(str(input.text ?? input.reason));
  const [num, setNum] = useState(str(type === 'create_task' ? input.dueInHours : input.inHours));
  const [stage, setStage] = useState(input.statusId ? `${str(input.pipelineId)}:${str(input.statusId)}` : '');
  const [value, setValue] = useState(Array.isArray(input.value) ? (input.value as unknown[]).map(str).join(', ') : str(input.value));
  const [tags, setTags] = useState(Array.isArray(input.tags) ? (input.tags as string[]).join(', ') : '');
  const [user, setUser] = useState(str(input.userId));
  const [local, setLocal] = useState<string | null>(null);

  const field = refs.data?.fields.find((f) => f.id === Number(input.fieldId));
  // The model may name only the stage; its pipeline is the one that has it.
  const stageValue =
    stage.startsWith(':') || stage.startsWith('undefined')
      ? (() => {
          const s = Number(input.statusId);
          const p = refs.data?.pipelines.find((x) => x.statuses.some((y) => y.id === s));
          return p ? `${p.id}:${s}` : stage;
        })()
      : stage;
  const submit = () => {
    setLocal(null);
    const required = () => {
      setLocal(t('validation.required'));
      return null;
    };
    const out = ((): EditedAction | null => {
      switch (type) {
        case 'add_note':
          return text.trim() ? { args: { text: text.trim() }, label: text.trim() } : required();
        case 'create_task':
        case 'schedule_followup': {
          if (!text.trim()) return required();
          const n = num.trim() === '' ? undefined : Number(num);
          if (n !== undefined && (!Number.isFinite(n) || n < 0)) {
            setLocal(t('validation.number'));
            return null;
          }
          if (type === 'schedule_followup' && n === undefined) return required();
          const key = type === 'create_task' ? 'dueInHours' : 'inHours';
          const base = type === 'create_task' ? { ...input } : {};
          return {
            args: { ...base, text: text.trim(), [key]: n },
            label: n === undefined ? text.trim() : `${text.trim()} (${t('action_edit.in_hours', { n })})`,
          };
        }
        case 'move_to_stage': {
          const [p, s] = stageValue.split(':').map(Number);
          const pipeline = refs.data?.pipelines.find((x) => x.id === p);
          const status = pipeline?.statuses.find((x) => x.id === s);
          return status && pipeline ? { args: { statusId: status.id, pipelineId: pipeline.id }, label: `${pipeline.name} › ${status.name}` } : required();
        }
        case 'update_field': {
          const multi = Array.isArray(input.value);
          const raw = multi ? splitList(value) : value.trim();
          if ((Array.isArray(raw) && !raw.length) || raw === '') return required();
          const typed = typeof input.value === 'number' ? Number(raw) : typeof input.value === 'boolean' ? raw === 'true' : raw;
          return {
            args: { fieldId: input.fieldId, value: typed },
            label: `${field?.name ?? `#${str(input.fieldId)}`}: ${Array.isArray(raw) ? raw.join(', ') : raw}`,
          };
        }
        case 'add_tags':
        case 'remove_tags': {
          const list = splitList(tags);
          return list.length ? { args: { tags: list }, label: list.join(', ') } : required();
        }
        case 'assign_user': {
          const u = refs.data?.users.find((x) => String(x.id) === user);
          return u ? { args: { userId: u.id }, label: u.name } : required();
        }
        default:
          return null;
      }
    })();
    if (out) props.onSave(out);
  };

  const textField = (label: string) => (
    <Field label={label}>
      <textarea
        class="kai-input kai-textarea"
        rows={2}
        value={text}
        data-testid="kai-action-edit-text"
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
      />
    </Field>
  );
  return (
    <div class="kai-action-edit" data-testid="kai-action-edit">
      {type === 'add_note' ? textField(t('action_edit.note')) : null}
      {type === 'create_task' || type === 'schedule_followup' ? (
        <>
          {textField(t('action_edit.task'))}
          <Field label={t('action_edit.due')}>
            <input
              class="kai-input kai-input--short"
              type="number"
              min={0}
              step={1}
              value={num}
              data-testid="kai-action-edit-hours"
              onInput={(e) => setNum((e.target as HTMLInputElement).value)}
            />
          </Field>
        </>
      ) : null}
      {type === 'move_to_stage' ? (
        <Field label={t('action_edit.stage')}>
          <select class="kai-input" value={stageValue} data-testid="kai-action-edit-stage" onChange={(e) => setStage((e.target as HTMLSelectElement).value)}>
            {(refs.data?.pipelines ?? []).map((p) => (
              <optgroup key={p.id} label={p.name}>
                {[...p.statuses]
                  .sort((a, b) => a.sort - b.sort)
                  .map((s) => (
                    <option key={s.id} value={`${p.id}:${s.id}`}>
                      {s.name}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </Field>
      ) : null}
      {type === 'update_field' ? (
        <Field label={field?.name ?? t('action_edit.value')}>
          {field?.enums?.length && !Array.isArray(input.value) ? (
            <select class="kai-input" value={value} data-testid="kai-action-edit-value" onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
              {field.enums.map((o) => (
                <option key={o.id} value={o.value}>
                  {o.value}
                </option>
              ))}
            </select>
          ) : (
            <input class="kai-input" value={value} data-testid="kai-action-edit-value" onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          )}
        </Field>
      ) : null}
      {type === 'add_tags' || type === 'remove_tags' ? (
        <Field label={t('action_edit.tags')}>
          <input class="kai-input" value={tags} data-testid="kai-action-edit-tags" onInput={(e) => setTags((e.target as HTMLInputElement).value)} />
        </Field>
      ) : null}
      {type === 'assign_user' ? (
        <Field label={t('action_edit.user')}>
          <select class="kai-input" value={user} data-testid="kai-action-edit-user" onChange={(e) => setUser((e.target as HTMLSelectElement).value)}>
            {(refs.data?.users ?? []).map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      {local || props.error ? (
        <div class="kai-field__error" role="alert">
          {local ?? props.error}
        </div>
      ) : null}
      <div class="kai-row">
        <Button kind="primary" onClick={submit} testId="kai-action-edit-done">
          {t('action_edit.done')}
        </Button>
        <Button kind="link" onClick={props.onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </div>
  );
}
