import { useEffect, useState } from 'preact/hooks';
import type { Agent, KnowledgeInput, KnowledgeKind, KnowledgeSource } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge, Button, Empty, ErrorBox, Field, Section, Spinner, ConfirmButton, Saved, FormError } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { fieldErrors, useAction, useLoad } from '../ui/hooks.js';
import { AgentPicker } from './AgentPicker.js';

/** Text files are read in the browser and sent as text; anything bigger is not a knowledge entry. */
export const MAX_UPLOAD_BYTES = 512 * 1024;
/** PDF, DOCX, CSV and XLSX go to the server as base64 and are read there (KNOWLEDGE_UPLOAD_MAX_BYTES). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
const DOCUMENT = /\.(pdf|docx|csv|xlsx)$/i;
const KINDS: KnowledgeKind[] = ['text', 'markdown', 'faq', 'upload'];

/** Entries added while one agent is chosen are that agent's; in the whole library they start unshared. */
const agentsOf = (agentId: number | null) => (agentId === null ? [] : [agentId]);

/** The file's bytes as base64 (a data: URL without its prefix). */
const readBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });

export function Knowledge(props: { agents: Agent[] }) {
  const { t } = useWidget();
  /** An agent's entries, or (null) the account's whole library, where entries no agent uses stay reachable. */
  const [agentId, setAgentId] = useState<number | null>(props.agents[0]?.id ?? null);
  if (!props.agents.length) {
    return (
      <Section title={t('knowledge.title')} testId="kai-knowledge">
        <Empty>{t('knowledge.need_agent')}</Empty>
      </Section>
    );
  }
  const known = agentId === null || props.agents.some((a) => a.id === agentId) ? agentId : null;
  return <AgentKnowledge key={known ?? 'all'} agents={props.agents} agentId={known} onAgent={setAgentId} />;
}

function AgentKnowledge(props: { agents: Agent[]; agentId: number | null; onAgent: (id: number | null) => void }) {
  const { api, t } = useWidget();
  const entries = useLoad(
    () => (props.agentId === null ? api.knowledgeSources.list() : (api.knowledge(props.agentId) as Promise<{ items: KnowledgeSource[] }>)),
    [props.agentId],
  );
  const items = entries.data?.items ?? [];
  const importing = items.some((e) => e.status === 'pending');
  // A URL import runs as a job on the server: look again until it has finished.
  useEffect(() => {
    if (!importing) return;
    const timer = setInterval(entries.reload, 3000);
    return () => clearInterval(timer);
  }, [importing, entries.reload]);
  return (
    <Section title={t('knowledge.title')} testId="kai-knowledge">
      <AgentPicker agents={props.agents} value={props.agentId} onChange={props.onAgent} allowAll />
      <AddEntry agentId={props.agentId} onAdded={entries.reload} />
      <ImportUrl agentId={props.agentId} onAdded={entries.reload} />
      {entries.loading && !entries.data ? <Spinner /> : null}
      {entries.error ? <ErrorBox error={entries.error} onRetry={entries.reload} /> : null}
      {entries.data && items.length === 0 ? <Empty>{t('knowledge.empty')}</Empty> : null}
      <ul class="kai-list">
        {items.map((entry) => (
          <EntryRow key={entry.id} entry={entry} agents={props.agents} onChanged={entries.reload} />
        ))}
      </ul>
    </Section>
  );
}

function EntryRow(props: { entry: KnowledgeSource; agents: Agent[]; onChanged: () => void }) {
  const { api, t, lang } = useWidget();
  const del = useAction();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const e = props.entry;
  const remove = async () => {
    if (await del.run(() => api.deleteKnowledge(e.id).then(() => true))) props.onChanged();
  };
  const kindLabel = e.kind === 'url' || e.kind === 'file' || e.kind === 'table' ? t(`knowledge_sources.kind.${e.kind}`) : labelOf(t, 'knowledge.kind', e.kind);
  const shared = e.agentIds?.length ?? 1;
  return (
    <li class="kai-list__item" data-testid="kai-knowledge-row">
      <div class="kai-row kai-row--between">
        <div class="kai-row">
          <Badge>{kindLabel}</Badge>
          {e.status === 'pending' || e.status === 'failed' ? (
            <Badge tone={e.status === 'failed' ? 'bad' : 'info'}>{t(`knowledge_sources.status.${e.status}`)}</Badge>
          ) : null}
          {shared > 1 ? <Badge tone="muted">{t('knowledge_sources.shared_count', { n: shared })}</Badge> : null}
          <strong>{e.title}</strong>
          <Saved show={saved} />
        </div>
        <div class="kai-row">
          {e.status !== 'pending' ? (
            <Button kind="link" onClick={() => setEditing(!editing)} testId="kai-knowledge-edit">
              {t('common.edit')}
            </Button>
          ) : null}
          <ConfirmButton kind="link" label={t('common.delete')} onConfirm={remove} busy={del.busy} testId="kai-knowledge-delete" />
        </div>
      </div>
      {e.source ? <div class="kai-small kai-muted">{t('knowledge_sources.source', { source: e.source })}</div> : null}
      {e.error ? <div class="kai-small kai-field__error">{e.error}</div> : null}
      {editing ? (
        <EditEntry
          entry={e}
          agents={props.agents}
          onDone={(changed) => {
            setEditing(false);
            setSaved(changed === true);
            if (changed) props.onChanged();
          }}
        />
      ) : (
        <div class="kai-small kai-muted kai-clamp">{e.content}</div>
      )}
      <div class="kai-small kai-muted">{formatDateTime(e.createdAt, lang)}</div>
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
    </li>
  );
}

/** Edit in place: the text (or question and answer) and which agents use the entry. */
function EditEntry(props: { entry: KnowledgeSource; agents: Agent[]; onDone: (changed: boolean) => void }) {
  const { api, t } = useWidget();
  const save = useAction();
  const e = props.entry;
  const [title, setTitle] = useState(e.title);
  const [content, setContent] = useState(e.content);
  const [question, setQuestion] = useState(e.question ?? '');
  const [answer, setAnswer] = useState(e.answer ?? '');
  const [agentIds, setAgentIds] = useState<number[]>(e.agentIds ?? []);
  const faq = e.kind === 'faq';
  const toggle = (id: number) => setAgentIds(agentIds.includes(id) ? agentIds.filter((x) => x !== id) : [...agentIds, id]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const patch = faq ? { title: title.trim(), question: question.trim(), answer: answer.trim(), agentIds } : { title: title.trim(), content, agentIds };
    if (await save.run(() => api.knowledgeSources.update(e.id, patch).then(() => true))) props.onDone(true);
  };
  const editError = fieldErrors(t, save.error);
  const input = (value: string, set: (v: string) => void) => (
    <input class="kai-input" value={value} onInput={(ev) => set((ev.target as HTMLInputElement).value)} />
  );
  return (
    <form class="kai-form" onSubmit={submit} data-testid="kai-knowledge-editor" noValidate>
      <Field label={t('knowledge.fields.title')} error={editError('title')}>
        {input(title, setTitle)}
      </Field>
      {faq ? (
        <>
          <Field label={t('knowledge.fields.question')} error={editError('question')}>
            {input(question, setQuestion)}
          </Field>
          <Field label={t('knowledge.fields.answer')} error={editError('answer')}>
            {input(answer, setAnswer)}
          </Field>
        </>
      ) : (
        <Field label={t('knowledge.fields.content')} error={editError('content')}>
          <textarea class="kai-input kai-textarea" rows={6} value={content} onInput={(ev) => setContent((ev.target as HTMLTextAreaElement).value)} />
        </Field>
      )}
      <Field label={t('knowledge_sources.shared_with')} hint={t('knowledge_sources.shared_hint')}>
        <span class="kai-row">
          {props.agents.map((a) => (
            <span key={a.id} class="kai-row">
              <input type="checkbox" checked={agentIds.includes(a.id)} onChange={() => toggle(a.id)} aria-label={a.name} />
              {a.name}
            </span>
          ))}
        </span>
      </Field>
      <FormError error={save.error} fields={['title', 'question', 'answer', 'content']} />
      <div class="kai-form__foot">
        <Button kind="link" onClick={() => props.onDone(false)}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" type="submit" busy={save.busy} testId="kai-knowledge-edit-save">
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}

/** A web page, fetched and converted on the server; the entry shows "Importing…" until its job is done. */
function ImportUrl(props: { agentId: number | null; onAdded: () => void }) {
  const { api, t } = useWidget();
  const run = useAction();
  const [url, setUrl] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!url.trim()) return;
    if (await run.run(() => api.knowledgeSources.importUrl(url.trim(), agentsOf(props.agentId)).then(() => true))) {
      setUrl('');
      props.onAdded();
    }
  };
  return (
    <form class="kai-form kai-card" onSubmit={submit} data-testid="kai-knowledge-import" noValidate>
      <Field label={t('knowledge_sources.import_url')} hint={t('knowledge_sources.import_hint')} error={fieldErrors(t, run.error)('url')}>
        <input class="kai-input" type="url" placeholder="https://" value={url} onInput={(ev) => setUrl((ev.target as HTMLInputElement).value)} />
      </Field>
      <FormError error={run.error} fields={['url']} />
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={run.busy} disabled={!url.trim()} testId="kai-knowledge-import-save">
          {t('knowledge_sources.import')}
        </Button>
      </div>
    </form>
  );
}

function AddEntry(props: { agentId: number | null; onAdded: () => void }) {
  const { api, t } = useWidget();
  const add = useAction();
  const [kind, setKind] = useState<KnowledgeKind>('text');
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  /** A PDF, DOCX, CSV or XLSX chosen for upload: read on the server, not shown as text here. */
  const [picked, setPicked] = useState<{ name: string; base64: string } | null>(null);
  // A file input cannot be cleared through its value; a new key gives a fresh, empty one.
  const [fileKey, setFileKey] = useState(0);

  const reset = () => {
    setFileKey((k) => k + 1);
    setPicked(null);
    setTitle('');
    setContent('');
    setQuestion('');
    setAnswer('');
  };

  const onFile = async (e: Event) => {
    setFileError(null);
    const file = (e.target as HTMLInputElement).files?.[0];
    setPicked(null);
    if (!file) return;
    if (DOCUMENT.test(file.name)) {
      if (file.size > MAX_DOCUMENT_BYTES) return setFileError(t('knowledge_sources.file_too_big', { mb: MAX_DOCUMENT_BYTES / 1024 / 1024 }));
      setPicked({ name: file.name, base64: await readBase64(file) });
      if (!title) setTitle(file.name.replace(/\.[a-z0-9]+$/i, ''));
      return;
    }
    if (!/\.(txt|md|markdown)$/i.test(file.name)) return setFileError(t('knowledge_sources.file_type'));
    if (file.size > MAX_UPLOAD_BYTES) return setFileError(t('knowledge.file_too_big', { kb: MAX_UPLOAD_BYTES / 1024 }));
    const text = await file.text();
    setContent(text);
    if (!title) setTitle(file.name);
  };

  const doc = kind === 'upload' ? picked : null;
  const valid = doc ? title.trim() : kind === 'faq' ? title.trim() && question.trim() && answer.trim() : title.trim() && content.trim();
  const [added, setAdded] = useState(false);
  const addError = fieldErrors(t, add.error);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!valid) return;
    setAdded(false);
    if (doc) {
      if (await add.run(() => api.knowledgeSources.upload(doc.name, doc.base64, agentsOf(props.agentId)).then(() => true))) {
        reset();
        setAdded(true);
        props.onAdded();
      }
      return;
    }
    const input: KnowledgeInput =
      kind === 'faq' ? { kind, title: title.trim(), question: question.trim(), answer: answer.trim() } : { kind, title: title.trim(), content };
    const agentId = props.agentId;
    const done = await add.run(() => (agentId === null ? api.knowledgeSources.create(input) : api.addKnowledge(agentId, input)).then(() => true));
    if (done) {
      reset();
      setAdded(true);
      props.onAdded();
    }
  };

  return (
    <form class="kai-form kai-card" onSubmit={submit} data-testid="kai-knowledge-add" noValidate>
      <div class="kai-grid">
        <Field label={t('knowledge.fields.kind')}>
          <select class="kai-input" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as KnowledgeKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k === 'upload' ? t('knowledge_sources.kind_upload') : labelOf(t, 'knowledge.kind', k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('knowledge.fields.title')} error={addError('title')}>
          <input class="kai-input" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      {kind === 'faq' ? (
        <>
          <Field label={t('knowledge.fields.question')} error={addError('question')}>
            <input class="kai-input" value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label={t('knowledge.fields.answer')} error={addError('answer')}>
            <textarea class="kai-input kai-textarea" rows={4} value={answer} onInput={(e) => setAnswer((e.target as HTMLTextAreaElement).value)} />
          </Field>
        </>
      ) : (
        <>
          {kind === 'upload' ? (
            <Field label={t('knowledge.fields.file')} hint={t('knowledge_sources.file_hint')} error={fileError ?? addError('fileName')}>
              <input key={fileKey} class="kai-input" type="file" accept=".txt,.md,.markdown,.pdf,.docx,.csv,.xlsx,text/plain,text/markdown" onChange={onFile} />
            </Field>
          ) : null}
          {doc ? null : (
            <Field label={t('knowledge.fields.content')} error={addError('content')}>
              <textarea
                class={`kai-input kai-textarea${kind === 'markdown' ? ' kai-mono' : ''}`}
                rows={6}
                value={content}
                onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)}
              />
            </Field>
          )}
        </>
      )}
      <FormError error={add.error} fields={['title', 'question', 'answer', 'content', ...(kind === 'upload' && !fileError ? ['fileName'] : [])]} />
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={add.busy} disabled={!valid} testId="kai-knowledge-save">
          {t('knowledge.add')}
        </Button>
        <Saved show={added} />
      </div>
    </form>
  );
}
