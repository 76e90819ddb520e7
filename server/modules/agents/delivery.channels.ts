import { KommoError, KommoRateLimitedError } from '../../kommo/client/errors.js';
import { salesbotBody } from '../../kommo/salesbot-body.js';
import { RetryAfterError } from '../../jobs/errors.js';
import { AppError } from '../../lib/errors.js';
import type { DeliveryDeps, EmailTarget, SalesbotTarget } from './delivery.types.js';

const reSubject = (s: string) => (/^re:/i.test(s.trim()) ? s.trim() : `Re: ${s.trim()}`);

/**
 * The ways a reply reaches the client or a person: the conversation record, the Salesbot continue, the
 * email outbox (a reply or a first email), a launched Salesbot, a note in the lead. Each one alone; the
 * delivery service decides which.
 */
export function createDeliveryChannels(deps: Pick<DeliveryDeps, 'conversations' | 'salesbot' | 'kommo' | 'clientMail' | 'tx'>) {
  const { conversations, salesbot } = deps;

  /** The agent's message in the lead's conversation, so the next turn sees what was said. */
  function recordOutbound(
    accountId: number,
    leadId: number,
    contactId: number | null,
    channel: string,
    key: string,
    text: string,
    meta: Record<string, unknown>,
  ) {
    conversations.insertMessage({ accountId, leadId, contactId, direction: 'outbound', author: 'agent', channel, externalId: key, text, metadata: meta });
  }

  async function continueSalesbot(accountId: number, sb: SalesbotTarget, text: string): Promise<'sent' | 'closed'> {
    if (!salesbot.isPending(accountId, sb.requestId)) return 'closed';
    try {
      await deps.kommo.api(accountId).salesbotContinue(sb.returnUrl, salesbotBody(text));
    } catch (err) {
      if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
      // A 4xx means the bot no longer waits on this request: a human sends the reply instead.
      if (err instanceof KommoError && err.status !== undefined && err.status >= 400 && err.status < 500) return 'closed';
      throw err;
    }
    salesbot.markContinued(accountId, sb.requestId);
    return 'sent';
  }

  /** Queue an email reply in the outbox; null when email to clients is not configured yet. */
  function queueEmail(input: { accountId: number; leadId: number; email: EmailTarget; text: string; key: string }): { outboxId: number } | null {
    try {
      return deps.clientMail.queue({
        accountId: input.accountId,
        leadId: input.leadId,
        to: [input.email.from],
        subject: reSubject(input.email.subject || 'your message'),
        text: input.text,
        inReplyTo: input.email.messageId,
        references: [...input.email.references, input.email.messageId],
        idempotencyKey: input.key,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_CONFIGURED') return null;
      throw err;
    }
  }

  /** A new email to the contact (the agent writes first); null when email to clients is not configured. */
  function queueNewEmail(input: { accountId: number; leadId: number; to: string; subject: string; text: string; key: string }): { outboxId: number } | null {
    try {
      return deps.clientMail.queue({
        accountId: input.accountId,
        leadId: input.leadId,
        to: [input.to],
        subject: input.subject,
        text: input.text,
        idempotencyKey: input.key,
      });
    } catch (err) {
      if (err instanceof AppError && (err.code === 'NOT_CONFIGURED' || err.code === 'CONFLICT')) return null;
      throw err;
    }
  }

  /**
   * Launch the account's Salesbot for the lead, holding the text for its widget step (the webhooks module
   * answers the bot's request with it). The message is stored first, so a retry launches at most once more
   * only if the process died between Kommo's 202 and our note of it. 'failed': Kommo refused the run.
   */
  async function launch(
    accountId: number,
    leadId: number,
    botId: number,
    key: string,
    text: string,
    meta: Record<string, unknown>,
  ): Promise<'launched' | 'failed'> {
    const externalId = `launch:${key}`;
    deps.tx(() =>
      conversations.insertMessage({
        accountId,
        leadId,
        contactId: null,
        direction: 'outbound',
        author: 'agent',
        channel: 'salesbot',
        externalId,
        text,
        metadata: { ...meta, launch: { botId, state: 'waiting' } },
      }),
    );
    const row = conversations.byExternalId(accountId, 'salesbot', externalId);
    if (!row) return 'failed';
    const state = conversations.launchState(accountId, row.id);
    if (state && state !== 'waiting') return state === 'failed' ? 'failed' : 'launched';
    try {
      await deps.kommo.api(accountId).runSalesbot(botId, leadId);
    } catch (err) {
      if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
      if (err instanceof KommoError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401) {
        deps.tx(() => conversations.setLaunchState(accountId, row.id, 'failed'));
        return 'failed';
      }
      throw err;
    }
    deps.tx(() => conversations.setLaunchState(accountId, row.id, 'launched'));
    return 'launched';
  }

  async function note(accountId: number, leadId: number, text: string): Promise<number> {
    const [id] = await deps.kommo.api(accountId).createNotes('leads', [{ entity_id: leadId, note_type: 'common', params: { text } }]);
    return id!;
  }

  return { recordOutbound, continueSalesbot, queueEmail, queueNewEmail, launch, note };
}
