import { useState } from 'preact/hooks';
import type { KnowledgeSource } from '../api.js';
import { Badge, Button, Field } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import type { StageForm } from './stage-form.js';

/**
 * The agent's knowledge: its entries, text entries to add and the account's entries to share with it.
 * Additions wait in the form and are saved with the stage (a new agent has no id before that).
 */
export function StageKnowledge(props: {
  agentId: number | 'new';
  entries: KnowledgeSource[];
  /** Titles saved by a save that stopped at a later entry (the list above is from before it). */
  saved: string[];
  form: StageForm;
  set: (patch: Partial<StageForm>) => void;
  readOnly: boolean;
}) {
  const { t } = useWidget();
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const { form, set } = props;
  const mine = props.entries.filter((e) => props.agentId !== 'new' && (e.agentIds ?? []).includes(props.agentId));
  const shareable = props.entries.filter((e) => !mine.includes(e) && !form.share.includes(e.id));
  const add = () => {
    set({ newEntries: [...form.newEntries, { title: title.trim(), content }] });
    setTitle('');
    setContent('');
  };
  const pending = t('stage_setup.pending');
  return (
    <fieldset class="kai-fieldset" data-testid="kai-stage-knowledge">
      <legend>{t('stage_setup.knowledge')}</legend>
      <ul class="kai-list">
        {mine.map((e) => (
          <li key={e.id} class="kai-list__item" data-testid="kai-stage-entry">
            {e.title}
          </li>
        ))}
        {props.saved.map((title, i) => (
          <li key={`d${i}`} class="kai-list__item" data-testid="kai-stage-entry">
            {title}
          </li>
        ))}
        {form.share.map((id) => (
          <li key={`s${id}`} class="kai-list__item" data-testid="kai-stage-entry">
            {props.entries.find((e) => e.id === id)?.title} <Badge tone="info">{pending}</Badge>
          </li>
        ))}
        {form.newEntries.map((e, i) => (
          <li key={`n${i}`} class="kai-list__item" data-testid="kai-stage-entry">
            {e.title} <Badge tone="info">{pending}</Badge>
          </li>
        ))}
      </ul>
      {mine.length + props.saved.length + form.share.length + form.newEntries.length === 0 ? (
        <div class="kai-small kai-muted">{t('stage_setup.knowledge_none')}</div>
      ) : null}
      {props.readOnly ? null : (
        <>
          <div class="kai-grid">
            <Field label={t('knowledge.fields.title')}>
              <input class="kai-input" value={title} data-testid="kai-stage-entry-title" onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
            </Field>
            <Field label={t('knowledge.fields.content')}>
              <textarea
                class="kai-input kai-textarea"
                rows={3}
                value={content}
                data-testid="kai-stage-entry-content"
                onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)}
              />
            </Field>
          </div>
          <Button onClick={add} disabled={!title.trim() || !content.trim()} testId="kai-stage-entry-add">
            {t('stage_setup.add_entry')}
          </Button>
          {shareable.length ? (
            <label class="kai-field kai-field--inline">
              <span class="kai-field__label">{t('stage_setup.share')}</span>
              <select
                class="kai-input"
                value=""
                data-testid="kai-stage-share"
                onChange={(e) => {
                  const id = Number((e.target as HTMLSelectElement).value);
                  if (id) set({ share: [...form.share, id] });
                }}
              >
                <option value="">{t('stage_setup.share_pick')}</option>
                {shareable.map((e) => (
                  <option key={e.id} value={String(e.id)}>
                    {e.title}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </>
      )}
    </fieldset>
  );
}
