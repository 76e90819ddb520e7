import { useState } from 'preact/hooks';
import type { EmailTemplate, EmailTemplateInput } from '../api.js';
import { Button, Empty, ErrorBox, Field, Section, Spinner, ConfirmButton, Saved, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { fieldErrors, useAction, useLoad } from '../ui/hooks.js';

/** Filled when the lead card sends a template, besides the lead's own (the scripts' catalogue). */
const CARD_VARIABLES = ['contact.email', 'lead.id'];
const VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;
const variablesIn = (...texts: string[]) => [...new Set(texts.flatMap((s) => [...s.matchAll(VAR)].map((m) => m[1]!)))];

const blank: EmailTemplateInput = { name: '', subject: '', text: '' };

/** Email templates: name, subject and text with {{variables}}, and a preview with values filled in. Admins only. */
export function Templates() {
  const { api, t } = useWidget();
  const list = useLoad(() => api.emailTemplates().then((r) => r.items), []);
  const [editing, setEditing] = useState<EmailTemplate | 'new' | null>(null);
  const [saved, setSaved] = useState(false);
  if (list.loading && !list.data) return <Spinner />;
  if (list.error && !list.data) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (editing) {
    return (
      <TemplateEditor
        template={editing === 'new' ? null : editing}
        onDone={(ok) => {
          setEditing(null);
          setSaved(ok === true);
          list.reload();
        }}
      />
    );
  }
  return (
    <div data-testid="kai-templates">
      <Section
        title={t('email_ui.templates.title')}
        actions={
          <>
            <Saved show={saved} />
            <Button kind="primary" onClick={() => setEditing('new')} testId="kai-template-new">
              {t('email_ui.templates.new')}
            </Button>
          </>
        }
      >
        {list.data?.length ? (
          <ul class="kai-list">
            {list.data.map((x) => (
              <li key={x.id} class="kai-list__item kai-row kai-row--between" data-testid="kai-template" data-id={x.id}>
                <span>
                  <strong>{x.name}</strong> <span class="kai-muted">{x.subject}</span>
                </span>
                <Button kind="link" onClick={() => setEditing(x)}>
                  {t('common.edit')}
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>{t('email_ui.templates.empty')}</Empty>
        )}
      </Section>
    </div>
  );
}

function TemplateEditor(props: { template: EmailTemplate | null; onDone: (saved?: boolean) => void }) {
  const { api, t } = useWidget();
  const [v, setV] = useState<EmailTemplateInput>(
    props.template ? { name: props.template.name, subject: props.template.subject, text: props.template.text ?? '' } : blank,
  );
  const [values, setValues] = useState<Record<string, string>>({});
  const [leadText, setLeadText] = useState('');
  const catalogue = useLoad(() => api.scriptVariables().then((r) => r.variables.map((x) => x.key)), []);
  const preview = useAction();
  const [shown, setShown] = useState<{ subject: string; text: string } | null>(null);
  const save = useAction();
  const remove = useAction();
  const fieldError = fieldErrors(t, save.error);
  const used = variablesIn(v.subject, v.text ?? '');
  const set = (patch: Partial<EmailTemplateInput>) => setV({ ...v, ...patch });
  const leadId = /^\d+$/.test(leadText.trim()) ? Number(leadText.trim()) : undefined;

  const submit = async () => {
    const body = { ...v, html: props.template?.html ?? null };
    const done = await save.run(() => (props.template ? api.updateEmailTemplate(props.template.id, body) : api.createEmailTemplate(body)));
    if (done) props.onDone(true);
  };
  const del = async () => {
    if (props.template && (await remove.run(() => api.deleteEmailTemplate(props.template!.id))) !== undefined) props.onDone();
  };
  const insert = (name: string) => set({ text: `${v.text ?? ''}{{${name}}}` });
  const typed = Object.fromEntries(Object.entries(values).filter(([, x]) => x !== ''));
  const showPreview = async () => {
    const r = await preview.run(() => api.renderEmailTemplate({ subject: v.subject, text: v.text ?? null, variables: typed, ...(leadId ? { leadId } : {}) }));
    if (r) setShown(r);
  };

  return (
    <div data-testid="kai-template-editor">
      <Section title={props.template ? props.template.name : t('email_ui.templates.new')}>
        <Field label={t('email_ui.templates.name')} error={fieldError('name')}>
          <input class="kai-input" value={v.name} data-testid="kai-template-name" onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />
        </Field>
        <Field label={t('email_ui.templates.subject')} error={fieldError('subject')}>
          <input
            class="kai-input"
            value={v.subject}
            data-testid="kai-template-subject"
            onInput={(e) => set({ subject: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <Field label={t('email_ui.templates.text')} hint={t('email_ui.templates.variables_hint')} error={fieldError('text')}>
          <textarea
            class="kai-input kai-textarea"
            rows={8}
            value={v.text ?? ''}
            data-testid="kai-template-text"
            onInput={(e) => set({ text: (e.target as HTMLTextAreaElement).value })}
          />
        </Field>
        <div class="kai-row kai-row--wrap" data-testid="kai-template-variables">
          {[...(catalogue.data ?? []), ...CARD_VARIABLES].map((name) => (
            <button type="button" key={name} class="kai-chip" onClick={() => insert(name)}>{`{{${name}}}`}</button>
          ))}
        </div>
      </Section>
      <Section title={t('email_ui.templates.preview')}>
        <div class="kai-grid">
          <Field label={t('email_ui.templates.preview_lead')} hint={t('email_ui.templates.preview_lead_hint')}>
            <input
              class="kai-input kai-input--short"
              inputMode="numeric"
              value={leadText}
              data-testid="kai-template-lead"
              onInput={(e) => setLeadText((e.target as HTMLInputElement).value)}
            />
          </Field>
          {used.map((name) => (
            <Field key={name} label={name}>
              <input class="kai-input" value={values[name] ?? ''} onInput={(e) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value })} />
            </Field>
          ))}
        </div>
        <Button onClick={showPreview} busy={preview.busy} disabled={!v.subject} testId="kai-template-preview">
          {t('email_ui.templates.show_preview')}
        </Button>
        {preview.error ? <ErrorBox error={preview.error} compact /> : null}
        {shown ? (
          <div class="kai-card" data-testid="kai-template-preview-out">
            <strong>{shown.subject}</strong>
            <p class="kai-email__body">{shown.text}</p>
          </div>
        ) : null}
      </Section>
      <FormError error={save.error} fields={['name', 'subject', 'text']} />
      {remove.error ? <ErrorBox error={remove.error} compact /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" onClick={submit} busy={save.busy} disabled={!v.name || !v.subject} testId="kai-template-save">
          {t('common.save')}
        </Button>
        <Button onClick={() => props.onDone()}>{t('common.cancel')}</Button>
        {props.template ? <ConfirmButton label={t('common.delete')} onConfirm={del} busy={remove.busy} testId="kai-template-delete" /> : null}
      </div>
    </div>
  );
}
