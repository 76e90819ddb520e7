import { useState } from 'preact/hooks';
import type { Agent, KnowledgeEntry, KnowledgeInput, KnowledgeKind } from '../api.js';
import { labelOf } from '../i18n.js';
import { Badge, Button, Empty, ErrorBox, Field, Section, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { AgentPicker } from './AgentPicker.js';

/** Files are read in the browser and sent as text; anything bigger is not a knowledge entry. */
export const MAX_UPLOAD_BYTES = 512 * 1024;
const KINDS: KnowledgeKind[] = ['text', 'markdown', 'faq', 'upload'];

export function Knowledge(props: { agents: Agent[] }) {
  const { t } = useWidget();
  const [agentId, setAgentId] = useState<number | null>(props.agents[0]?.id ?? null);
  if (agentId === null || !props.agents.some((a) => a.id === agentId)) {
    return (
      <Section title={t('knowledge.title')} testId="kai-knowledge">
        {props.agents.length ? (
          <AgentPicker agents={props.agents} value={null} onChange={setAgentId} allowAll={false} />
        ) : (
          <Empty>{t('knowledge.need_agent')}</Empty>
        )}
      </Section>
    );
  }
  return <AgentKnowledge key={agentId} agents={props.agents} agentId={agentId} onAgent={setAgentId} />;
}

function AgentKnowledge(props: { agents: Agent[]; agentId: number; onAgent: (id: number | null) => void }) {
  const { api, t } = useWidget();
  const entries = useLoad(() => api.knowledge(props.agentId), [props.agentId]);
  return (
    <Section title={t('knowledge.title')} testId="kai-knowledge">
      <AgentPicker agents={props.agents} value={props.agentId} onChange={props.onAgent} />
      <AddEntry agentId={props.agentId} onAdded={entries.reload} />
      {entries.loading && !entries.data ? <Spinner /> : null}
      {entries.error ? <ErrorBox error={entries.error} onRetry={entries.reload} /> : null}
      {entries.data && entries.data.items.length === 0 ? <Empty>{t('knowledge.empty')}</Empty> : null}
      <ul class="kai-list">
        {(entries.data?.items ?? []).map((entry) => (
          <EntryRow key={entry.id} entry={entry} onDeleted={entries.reload} />
        ))}
      </ul>
    </Section>
  );
}

function EntryRow(props: { entry: KnowledgeEntry; onDeleted: () => void }) {
  const { api, t, lang } = useWidget();
  const del = useAction();
  const e = props.entry;
  const remove = async () => {
    if (await del.run(() => api.deleteKnowledge(e.id).then(() => true))) props.onDeleted();
  };
  return (
    <li class="kai-list__item" data-testid="kai-knowledge-row">
      <div class="kai-row kai-row--between">
        <div class="kai-row">
          <Badge>{labelOf(t, 'knowledge.kind', e.kind)}</Badge>
          <strong>{e.title}</strong>
        </div>
        <Button kind="link" onClick={remove} busy={del.busy}>
          {t('common.delete')}
        </Button>
      </div>
      <div class="kai-small kai-muted kai-clamp">{e.content}</div>
      <div class="kai-small kai-muted">{formatDateTime(e.createdAt, lang)}</div>
      {del.error ? <ErrorBox error={del.error} onRetry={del.retry} compact /> : null}
    </li>
  );
}

function AddEntry(props: { agentId: number; onAdded: () => void }) {
  const { api, t } = useWidget();
  const add = useAction();
  const [kind, setKind] = useState<KnowledgeKind>('text');
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  // A file input cannot be cleared through its value; a new key gives a fresh, empty one.
  const [fileKey, setFileKey] = useState(0);

  const reset = () => {
    setFileKey((k) => k + 1);
    setTitle('');
    setContent('');
    setQuestion('');
    setAnswer('');
  };

  const onFile = async (e: Event) => {
    setFileError(null);
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    if (!/\.(txt|md|markdown)$/i.test(file.name)) return setFileError(t('knowledge.file_type'));
    if (file.size > MAX_UPLOAD_BYTES) return setFileError(t('knowledge.file_too_big', { kb: MAX_UPLOAD_BYTES / 1024 }));
    const text = await file.text();
    setContent(text);
    if (!title) setTitle(file.name);
  };

  const valid = kind === 'faq' ? title.trim() && question.trim() && answer.trim() : title.trim() && content.trim();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!valid) return;
    const input: KnowledgeInput =
      kind === 'faq' ? { kind, title: title.trim(), question: question.trim(), answer: answer.trim() } : { kind, title: title.trim(), content };
    const done = await add.run(() => api.addKnowledge(props.agentId, input).then(() => true));
    if (done) {
      reset();
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
                {labelOf(t, 'knowledge.kind', k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('knowledge.fields.title')}>
          <input class="kai-input" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      {kind === 'faq' ? (
        <>
          <Field label={t('knowledge.fields.question')}>
            <input class="kai-input" value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label={t('knowledge.fields.answer')}>
            <textarea class="kai-input kai-textarea" rows={4} value={answer} onInput={(e) => setAnswer((e.target as HTMLTextAreaElement).value)} />
          </Field>
        </>
      ) : (
        <>
          {kind === 'upload' ? (
            <Field label={t('knowledge.fields.file')} hint={t('knowledge.file_hint')} error={fileError ?? undefined}>
              <input key={fileKey} class="kai-input" type="file" accept=".txt,.md,.markdown,text/plain,text/markdown" onChange={onFile} />
            </Field>
          ) : null}
          <Field label={t('knowledge.fields.content')}>
            <textarea
              class={`kai-input kai-textarea${kind === 'markdown' ? ' kai-mono' : ''}`}
              rows={6}
              value={content}
              onInput={(e) => setContent((e.target as HTMLTextAreaElement).value)}
            />
          </Field>
        </>
      )}
      {add.error ? <ErrorBox error={add.error} /> : null}
      <div class="kai-form__foot">
        <Button kind="primary" type="submit" busy={add.busy} disabled={!valid} testId="kai-knowledge-save">
          {t('knowledge.add')}
        </Button>
      </div>
    </form>
  );
}
