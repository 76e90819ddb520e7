/**
 * Messenger chats and Salesbot, as Kommo runs them for a lead (docs/kommo.md §4-5):
 * a client writes → the message is stored, `add_message` goes to every subscribed destination (form-encoded),
 * and each Salesbot watching the lead's stage runs its `widget_request` step: a POST of
 * `{token (JWT, HS256 with the client secret), data, return_url}` to the widget's handler. The bot then waits
 * until `POST /api/v4/salesbot/{bot}/continue/{id}` arrives; its `show` handlers (or, without them,
 * `{{json.reply}}` in the bot's next step) become the bot's messages to the client in the same chat.
 */
import { createHash, createHmac } from 'node:crypto';
import { fakeUuid, incomingMessageWebhook } from '../fixtures/kommo-webhooks.js';
import type { SimCore } from './core.js';
import type { ChatMessage, ChatsState, Delivery } from './chats-state.js';

export type { ChatMessage, ChatsState, Delivery, Salesbot, SalesbotRun } from './chats-state.js';

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** The `token` of a widget_request: HS256 with the integration's secret, claims as docs/kommo.md §5 lists them. */
export function salesbotToken(core: SimCore, secret: string, claims: { clientId: string; leadId: number }): string {
  const now = core.now();
  const body = {
    account_id: core.accountId,
    subdomain: core.state.account.subdomain,
    client_uuid: claims.clientId,
    entity_id: claims.leadId,
    entity_type: 2,
    bot_type: 'salesbot',
    iat: now,
    exp: now + 600,
  };
  const unsigned = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(body))}`;
  return `${unsigned}.${b64url(createHmac('sha256', secret).update(unsigned).digest())}`;
}

/** Salesbot placeholders the widget's step uses: {{lead.id}}, {{contact.id}}, {{message_text}}, {{origin}}. */
function render(template: Record<string, unknown>, vars: Record<string, string>): Record<string, unknown> {
  const one = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, k: string) => vars[k] ?? m) : v);
  return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, one(v)]));
}

async function post(url: string, init: RequestInit): Promise<Delivery> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return { url, status: res.status };
  } catch (err) {
    return { url, status: null, error: (err as Error).message };
  }
}

export interface ClientWrote {
  message: ChatMessage;
  /** add_message deliveries, one per subscribed destination. */
  webhooks: Delivery[];
  /** widget_requests of the Salesbots that ran, with the continue id each one waits on. */
  salesbots: (Delivery & { botId: number; continueId: string })[];
}

export async function clientWrites(
  core: SimCore,
  chats: ChatsState,
  integration: { clientId: string; clientSecret: string },
  leadId: number,
  text: string,
  opts: { origin?: string } = {},
): Promise<ClientWrote> {
  const lead = core.state.leads.get(leadId);
  if (!lead) throw new Error(`kommo-sim: no lead ${leadId}`);
  const origin = opts.origin ?? 'telegram';
  const contactId = lead._embedded.contacts.find((c) => c.is_main)?.id ?? lead._embedded.contacts[0]?.id ?? null;
  const contact = contactId ? core.state.contacts.get(contactId) : undefined;
  const previous = chats.messages.find((m) => m.leadId === leadId && m.origin === origin);
  const chatId = previous?.chatId ?? fakeUuid('sim-chat', core.accountId, leadId, origin);
  const talkId = previous?.talkId ?? chats.seq.talk++;
  const now = core.now();
  const message: ChatMessage = {
    id: fakeUuid('sim-message', chatId, chats.messages.length, text),
    chatId,
    talkId,
    leadId,
    contactId,
    direction: 'incoming',
    author: 'client',
    origin,
    text,
    createdAt: now,
  };
  chats.messages.push(message);
  core.addEvent('incoming_chat_message', 'lead', leadId, [{ message: { id: message.id, origin, talk_id: talkId } }]);

  const authorId = fakeUuid('sim-client', contactId ?? leadId);
  const body = incomingMessageWebhook(
    {
      id: message.id,
      chat_id: chatId,
      talk_id: talkId,
      contact_id: contactId ?? undefined,
      text,
      created_at: now,
      element_type: 2,
      element_id: leadId,
      entity_type: 'lead',
      entity_id: leadId,
      origin,
      author: {
        id: authorId,
        type: 'external',
        name: contact?.name ?? 'Client',
        avatar_url: `https://amojo.kommo.com/attachments/profiles/${authorId}/avatar_128x128.jpg`,
      },
    },
    { id: core.accountId, subdomain: core.state.account.subdomain },
  );
  const destinations = [...core.state.webhooks.values()].filter((w) => !w.disabled && w.settings.includes('add_message')).map((w) => w.destination);
  const webhooks = await Promise.all(
    destinations.map((url) =>
      post(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'amoCRM-Webhooks/3.0' }, body }),
    ),
  );

  const bots = [...chats.salesbots.values()].filter((b) => !b.stage || (b.stage.pipelineId === lead.pipeline_id && b.stage.statusId === lead.status_id));
  const salesbots = await Promise.all(
    bots.map(async (bot) => {
      const continueId = `${chats.seq.run++}`;
      chats.runs.set(continueId, { botId: bot.id, continueId, leadId, chatId, talkId, contactId, origin, status: 'waiting', startedAt: now });
      const data = render(bot.widgetRequest.data, { 'lead.id': String(leadId), 'contact.id': contactId ? String(contactId) : '', message_text: text, origin });
      const payload = {
        token: salesbotToken(core, integration.clientSecret, { clientId: integration.clientId, leadId }),
        data,
        return_url: `${core.baseUrl}/api/v4/salesbot/${bot.id}/continue/${continueId}`,
      };
      const d = await post(bot.widgetRequest.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      return { ...d, botId: bot.id, continueId };
    }),
  );
  return { message, webhooks, salesbots };
}

/**
 * `POST /api/v4/bots/{id}/run` for a lead: Kommo queues the run (202) and the bot starts without a client
 * message, so its widget step sends a widget_request with an empty `message_text`. The request is sent
 * after the answer, as Kommo's queue would.
 */
export function launchBot(
  core: SimCore,
  chats: ChatsState,
  botId: number,
  leadId: number,
): { ok: true; continueId: string } | { ok: false; status: number; detail: string } {
  const bot = chats.salesbots.get(botId);
  if (!bot) return { ok: false, status: 404, detail: 'Salesbot not found' };
  const lead = core.state.leads.get(leadId);
  if (!lead) return { ok: false, status: 400, detail: 'Entity not found' };
  if (!chats.integration) return { ok: false, status: 400, detail: 'no integration to sign the widget request' };
  const integration = chats.integration;
  const origin = chats.messages.find((m) => m.leadId === leadId)?.origin ?? 'telegram';
  const chatId = chats.messages.find((m) => m.leadId === leadId)?.chatId ?? fakeUuid('sim-chat', core.accountId, leadId, origin);
  const talkId = chats.messages.find((m) => m.leadId === leadId)?.talkId ?? chats.seq.talk++;
  const contactId = lead._embedded.contacts.find((c) => c.is_main)?.id ?? lead._embedded.contacts[0]?.id ?? null;
  const continueId = `${chats.seq.run++}`;
  const now = core.now();
  chats.runs.set(continueId, { botId, continueId, leadId, chatId, talkId, contactId, origin, status: 'waiting', startedAt: now });
  chats.launches.push({ botId, leadId, continueId, at: now });
  const data = render(bot.widgetRequest.data, { 'lead.id': String(leadId), 'contact.id': contactId ? String(contactId) : '', message_text: '', origin });
  const payload = {
    token: salesbotToken(core, integration.clientSecret, { clientId: integration.clientId, leadId }),
    data,
    return_url: `${core.baseUrl}/api/v4/salesbot/${bot.id}/continue/${continueId}`,
  };
  setImmediate(() => void post(bot.widgetRequest.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }));
  return { ok: true, continueId };
}

/**
 * A continue for a run that waits: the bot resumes and writes to the client. Each `show` handler is one
 * message; with none, the bot's next step sends `{{json.reply}}`. Unknown or finished runs change nothing.
 */
export function botContinued(core: SimCore, chats: ChatsState, botId: string, continueId: string, body: { data?: unknown; execute_handlers?: unknown }): void {
  const run = chats.runs.get(continueId);
  if (!run || String(run.botId) !== botId || run.status !== 'waiting') return;
  run.status = 'continued';
  const shown = (Array.isArray(body.execute_handlers) ? body.execute_handlers : [])
    .filter((h): h is { handler: string; params: { value: string } } => h?.handler === 'show' && typeof h.params?.value === 'string')
    .map((h) => h.params.value);
  const reply = (body.data as { reply?: unknown } | undefined)?.reply;
  const texts = shown.length ? shown : typeof reply === 'string' && reply.trim() ? [reply] : [];
  for (const text of texts) {
    chats.messages.push({
      id: `bot-${createHash('sha1').update(`${continueId}:${chats.messages.length}`).digest('hex').slice(0, 16)}`,
      chatId: run.chatId,
      talkId: run.talkId,
      leadId: run.leadId,
      contactId: run.contactId,
      direction: 'outgoing',
      author: 'bot',
      origin: run.origin,
      text,
      createdAt: core.now(),
      salesbot: { botId: run.botId, continueId },
    });
  }
  if (texts.length) core.addEvent('outgoing_chat_message', 'lead', run.leadId, [{ message: { origin: run.origin, talk_id: run.talkId } }]);
}
