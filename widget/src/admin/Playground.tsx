import { useState } from 'preact/hooks';
import type { Agent, PlaygroundInput, PlaygroundResult } from '../api.js';
import { Button, Empty, ErrorBox, Field, Section } from '../ui/components.js';
import { useWidget } from '../ui/context.js';
import { parseId } from '../ui/format.js';
import { useAction } from '../ui/hooks.js';
import { PlaygroundAnswer } from '../ui/ProposedActions.js';
import { AgentPicker } from './AgentPicker.js';

interface Turn {
  id: number;
  message: string;
  result: PlaygroundResult;
}

/** `key=value` per line → custom field values of the test lead. */
export function parseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    if (k) fields[k] = line.slice(i + 1).trim();
  }
  return fields;
}

/** Talk to an agent without touching any lead: each message is one dry run, nothing is sent or changed. */
export function Playground(props: { agents: Agent[] }) {
  const { api, t } = useWidget();
  const [agentId, setAgentId] = useState<number | null>(props.agents[0]?.id ?? null);
  const [leadText, setLeadText] = useState('');
  const [leadName, setLeadName] = useState('');
  const [price, setPrice] = useState('');
  const [fieldsText, setFieldsText] = useState('');
  const [message, setMessage] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const send = useAction();

  if (!props.agents.length) {
    return (
      <Section title={t('playground.title')} testId="kai-playground">
        <Empty>{t('knowledge.need_agent')}</Empty>
      </Section>
    );
  }

  const leadId = parseId(leadText);
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = message.trim();
    if (!text || agentId === null) return;
    const input: PlaygroundInput = { message: text };
    if (leadId !== null) input.leadId = leadId;
    else {
      const lead: NonNullable<PlaygroundInput['lead']> = {};
      if (leadName.trim()) lead.name = leadName.trim();
      if (price.trim() && Number.isFinite(Number(price))) lead.price = Number(price);
      const fields = parseFields(fieldsText);
      if (Object.keys(fields).length) lead.fields = fields;
      if (Object.keys(lead).length) input.lead = lead;
    }
    const result = await send.run(() => api.playground(agentId, input));
    if (result) {
      setTurns((cur) => [...cur, { id: cur.length + 1, message: text, result }]);
      setMessage('');
    }
  };

  return (
    <Section title={t('playground.title')} testId="kai-playground">
      <p class="kai-small kai-muted">{t('playground.hint')}</p>
      <div class="kai-grid">
        <AgentPicker
          agents={props.agents}
          value={agentId}
          onChange={(id) => {
            setAgentId(id);
            setTurns([]);
          }}
        />
        <Field label={t('playground.lead_id')} hint={t('playground.lead_id_hint')}>
          <input class="kai-input kai-input--short" inputMode="numeric" value={leadText} onInput={(e) => setLeadText((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      {leadId === null ? (
        <details class="kai-details">
          <summary>{t('playground.test_lead')}</summary>
          <div class="kai-grid">
            <Field label={t('playground.lead_name')}>
              <input class="kai-input" value={leadName} onInput={(e) => setLeadName((e.target as HTMLInputElement).value)} />
            </Field>
            <Field label={t('playground.lead_price')}>
              <input class="kai-input" inputMode="decimal" value={price} onInput={(e) => setPrice((e.target as HTMLInputElement).value)} />
            </Field>
          </div>
          <Field label={t('playground.lead_fields')} hint={t('playground.lead_fields_hint')}>
            <textarea
              class="kai-input kai-textarea kai-mono"
              rows={3}
              value={fieldsText}
              onInput={(e) => setFieldsText((e.target as HTMLTextAreaElement).value)}
            />
          </Field>
        </details>
      ) : null}

      <div class="kai-chat" data-testid="kai-chat">
        {turns.length === 0 ? <div class="kai-muted kai-small">{t('playground.empty')}</div> : null}
        {turns.map((turn) => (
          <div key={turn.id} class="kai-chat__turn">
            <div class="kai-chat__msg kai-chat__msg--user">{turn.message}</div>
            <div class="kai-chat__msg kai-chat__msg--agent">
              <PlaygroundAnswer result={turn.result} />
            </div>
          </div>
        ))}
      </div>
      <form class="kai-chat__form" onSubmit={submit}>
        <textarea
          class="kai-input kai-textarea"
          rows={2}
          placeholder={t('playground.placeholder')}
          value={message}
          data-testid="kai-chat-input"
          onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
        />
        <Button kind="primary" type="submit" busy={send.busy} disabled={!message.trim()} testId="kai-chat-send">
          {t('playground.send')}
        </Button>
      </form>
      {send.error ? <ErrorBox error={send.error} onRetry={send.retry} compact /> : null}
    </Section>
  );
}
