import { useState } from 'preact/hooks';
import type { LeadEmail, LeadEmails } from '../api.js';
import { Badge, Button, ErrorBox, Field, Spinner } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { useAction, useLoad } from '../ui/hooks.js';

/**
 * "Email the client": a template or free text to one of the lead's contacts, sent from the account's mailbox
 * (the server records it in the lead as a note), and the lead's email thread, inbound and outbound.
 */
export function EmailClient(props: { leadId: number; version?: number }) {
  const { api, t } = useWidget();
  const thread = useLoad(() => api.leadEmails(props.leadId), [props.leadId, props.version ?? 0]);
  const [open, setOpen] = useState(false);
  return (
    <div class="kai-block" data-testid="kai-email">
      <div class="kai-row kai-row--between">
        <div class="kai-block__title">{t('email_ui.lcard.title')}</div>
        {!open && thread.data?.recipients.length ? (
          <Button kind="link" onClick={() => setOpen(true)} testId="kai-email-compose">
            {t('email_ui.lcard.compose')}
          </Button>
        ) : null}
      </div>
      {thread.loading && !thread.data ? <Spinner /> : null}
      {thread.error ? <ErrorBox error={thread.error} onRetry={thread.reload} compact /> : null}
      {thread.data && thread.data.recipients.length === 0 ? <div class="kai-muted kai-small">{t('email_ui.lcard.no_address')}</div> : null}
      {open && thread.data ? (
        <Compose
          leadId={props.leadId}
          data={thread.data}
          onClose={() => setOpen(false)}
          onSent={() => {
            setOpen(false);
            thread.reload();
          }}
        />
      ) : null}
      {thread.data ? <Thread items={thread.data.items} /> : null}
    </div>
  );
}

function Compose(props: { leadId: number; data: LeadEmails; onClose: () => void; onSent: () => void }) {
  const { api, t } = useWidget();
  const templates = useLoad(() => api.emailTemplates().then((r) => r.items), []);
  const [to, setTo] = useState(props.data.recipients[0] ?? '');
  const [templateId, setTemplateId] = useState('');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const send = useAction();
  const usingTemplate = templateId !== '';
  const value = (e: Event) => (e.target as HTMLInputElement).value;

  const submit = async () => {
    const sent = await send.run(() =>
      api.sendEmail({
        leadId: props.leadId,
        to: [to],
        ...(usingTemplate
          ? { templateId: Number(templateId), variables: { 'contact.email': to, 'lead.id': String(props.leadId) } }
          : { subject: subject.trim(), text }),
      }),
    );
    if (sent) props.onSent();
  };

  return (
    <div class="kai-card" data-testid="kai-email-form">
      <Field label={t('email_ui.lcard.to')}>
        <select class="kai-input" value={to} data-testid="kai-email-to" onChange={(e) => setTo(value(e))}>
          {props.data.recipients.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('email_ui.lcard.template')}>
        <select class="kai-input" value={templateId} data-testid="kai-email-template" onChange={(e) => setTemplateId(value(e))}>
          <option value="">{t('email_ui.lcard.free_text')}</option>
          {(templates.data ?? []).map((x) => (
            <option key={x.id} value={String(x.id)}>
              {x.name}
            </option>
          ))}
        </select>
      </Field>
      {usingTemplate ? null : (
        <>
          <Field label={t('email_ui.lcard.subject')}>
            <input class="kai-input" value={subject} data-testid="kai-email-subject" onInput={(e) => setSubject(value(e))} />
          </Field>
          <Field label={t('email_ui.lcard.text')}>
            <textarea class="kai-input kai-textarea" rows={6} value={text} data-testid="kai-email-text" onInput={(e) => setText(value(e))} />
          </Field>
        </>
      )}
      {send.error ? <ErrorBox error={send.error} compact /> : null}
      <div class="kai-row">
        <Button
          kind="primary"
          onClick={submit}
          busy={send.busy}
          disabled={!to || (!usingTemplate && (!subject.trim() || !text.trim()))}
          testId="kai-email-send"
        >
          {t('email_ui.lcard.send')}
        </Button>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
      </div>
    </div>
  );
}

const tone = { queued: 'info', sending: 'info', sent: 'ok', failed: 'bad', bounced: 'bad', refused: 'warn', cancelled: 'muted' } as const;

function Thread(props: { items: LeadEmail[] }) {
  const { t, lang } = useWidget();
  if (props.items.length === 0) return <div class="kai-muted kai-small">{t('email_ui.lcard.empty')}</div>;
  return (
    <ul class="kai-list kai-email__thread" data-testid="kai-email-thread">
      {props.items.map((m) => (
        <li
          key={`${m.direction}-${m.id}`}
          class={`kai-email__item${m.direction === 'inbound' ? ' kai-email__item--inbound' : ''}`}
          data-testid="kai-email-item"
          data-direction={m.direction}
        >
          <div class="kai-row kai-row--between">
            <strong>{m.subject ?? t('email_ui.lcard.no_subject')}</strong>
            {m.direction === 'outbound' ? (
              <Badge tone={tone[m.status]}>{t(`email_ui.status.${m.status}`)}</Badge>
            ) : (
              <Badge>{t('email_ui.lcard.inbound')}</Badge>
            )}
          </div>
          <div class="kai-small kai-muted">
            {m.direction === 'outbound' ? t('email_ui.lcard.to_line', { to: m.to.join(', ') }) : t('email_ui.lcard.from_line', { from: m.from ?? '?' })} ·{' '}
            {formatDateTime(m.createdAt, lang)}
          </div>
          {m.direction === 'inbound' ? <p class="kai-email__body kai-small">{m.text}</p> : null}
          {m.direction === 'outbound' && (m.status === 'failed' || m.status === 'bounced') && m.lastError ? (
            <div class="kai-small kai-field__error">{m.lastError}</div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
