import type { DpRequest } from '../../kommo/webhook/dp.js';
import type { KommoEvent } from '../../kommo/webhook/events.js';
import { KommoAuthError, KommoNotFoundError, KommoResponseError } from '../../kommo/client/errors.js';
import type { KommoLead } from '../../kommo/client/schemas.js';
import { PermanentJobError } from '../../jobs/errors.js';
import type { Platform } from '../../platform.js';
import { salesbotBody } from '../../kommo/salesbot-body.js';
import { SALESBOT_RELEASE_QUEUE } from './triggers.service.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { KommoServices } from '../kommo/index.js';
import type { HandlerDeps } from './handlers/context.js';
import { handlerFor } from './handlers/index.js';
import { flushBurst, takeFromBurst } from './handlers/messages.js';
import type { InboxRepo } from './inbox.repo.js';

/** A DP or Salesbot setting that names an id (a number or a numeric string); absent otherwise. */
function settingId<K extends string>(key: K, v: unknown): Partial<Record<K, number>> {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? ({ [key]: n } as Record<K, number>) : {};
}

/** A bot launched so the agent could write first asks for the text; we answer it through continue. */
export const LAUNCH_CONTINUE_QUEUE = 'webhook.salesbot-launch';
/** How long a launched Salesbot has to ask for its first message. */
const LAUNCH_WINDOW_MS = 60 * 60_000;

export type ProcessingDeps = HandlerDeps &
  Pick<Platform, 'groupTx'> & {
    inbox: InboxRepo;
    salesbot: SalesbotRequestsRepo;
    kommo: Pick<KommoServices, 'api'>;
    accounts: Pick<AccountsRepo, 'settings' | 'mergeSettings'>;
  };

/** Kommo answers a lead it does not have with 404, or with an empty 204 (docs/kommo.md §2). */
const isMissingLead = (err: unknown) => err instanceof KommoNotFoundError || (err instanceof KommoResponseError && err.status === 204);

const reauthAsPermanent = (err: unknown) => (err instanceof KommoAuthError ? new PermanentJobError(err.message) : err);

async function getLead(deps: ProcessingDeps, accountId: number, leadId: number): Promise<KommoLead> {
  try {
    return await deps.kommo.api(accountId).getLead(leadId, ['contacts']);
  } catch (err) {
    throw reauthAsPermanent(err);
  }
}

/**
 * What happens to what Kommo sent, after it is stored: stored events through their family's handler,
 * ambiguous leads re-read, bursts flushed, Digital Pipeline triggers and Salesbot requests turned into
 * the bus events the agents react to. Database work commits with the job (`complete`); network calls
 * happen outside any transaction.
 */
export function createProcessing(deps: ProcessingDeps) {
  const { inbox } = deps;
  return {
    /** One stored event, group-committed with the other events (and webhook deliveries) of this tick: one COMMIT for many. */
    async event(accountId: number, eventId: number, complete: () => boolean): Promise<void> {
      await deps.groupTx(() => {
        const row = inbox.loadEvent(accountId, eventId);
        if (row?.status !== 'received') return; // processed already: a rerun is a no-op
        const e = JSON.parse(row.payload) as KommoEvent;
        handlerFor(e)?.handle({ deps, accountId: row.accountId, eventId }, e);
        inbox.markProcessed(row.accountId, eventId, deps.clock.now());
        complete(); // the event's effects and the job's completion commit together
      });
    },

    /** The ambiguous case (two changes in one second): ask Kommo for the lead and take its state as the truth. */
    async refetchLead(accountId: number, leadId: number): Promise<void> {
      const lead = await getLead(deps, accountId, leadId);
      deps.tx(() => {
        deps.mirror.yieldLeadVersion(accountId, leadId, lead.updated_at);
        deps.mirror.upsertLeads(accountId, [lead], deps.clock.now());
      });
    },

    async flushBurst(accountId: number, leadId: number, firstAt: number, complete: () => boolean): Promise<void> {
      await deps.groupTx(() => {
        flushBurst({ deps, accountId, eventId: 0 }, leadId, firstAt);
        complete();
      });
    },

    /** A Digital Pipeline trigger: refresh the lead from Kommo (the request carries no version), then wake the stage's agent. */
    async dpTrigger(accountId: number, eventId: number): Promise<void> {
      const row = inbox.loadEvent(accountId, eventId);
      if (row?.status !== 'received') return;
      const r = JSON.parse(row.payload) as DpRequest;
      let lead: KommoLead;
      try {
        lead = await getLead(deps, row.accountId, r.event.leadId);
      } catch (err) {
        // Kommo has no such lead: asking again will not change that. Settled, not retried.
        if (!isMissingLead(err)) throw err;
        deps.tx(() => void inbox.markSkipped(row.accountId, eventId, deps.clock.now()));
        return;
      }
      deps.tx(() => {
        if (!inbox.markProcessed(row.accountId, eventId, deps.clock.now())) return;
        deps.mirror.upsertLeads(row.accountId, [lead], deps.clock.now());
        deps.activity.write({
          accountId: row.accountId,
          leadId: lead.id,
          type: 'dp.trigger',
          title: `Digital Pipeline: ${r.event.typeCode.replace(/_/g, ' ')} for ${lead.name || `lead #${lead.id}`}`,
          metadata: { kommo: { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id }, typeCode: r.event.typeCode, eventId },
          params: { trigger: r.event.typeCode.replace(/_/g, ' '), lead: lead.name || `#${lead.id}` },
        });
        deps.bus.emit('lead_stage_entered', {
          accountId: row.accountId,
          leadId: lead.id,
          pipelineId: lead.pipeline_id,
          statusId: lead.status_id,
          source: 'dp',
          eventKey: `dp:${eventId}`,
          ...settingId('agentId', r.widgetSettings.agent_id),
          ...settingId('sequenceId', r.widgetSettings.sequence_id),
        });
      });
    },

    /** A Salesbot widget_request: the client's text becomes a message and one agent turn, answered through continue. */
    salesbotRequest(accountId: number, requestId: number): void {
      deps.tx(() => {
        const r = deps.salesbot.pending(accountId, requestId);
        if (!r?.leadId) return;
        const text = String(r.data.message ?? r.data.text ?? r.data.message_text ?? '').trim();
        const contactId = deps.read.lead(r.accountId, r.leadId)?.mainContactId ?? null;
        if (deps.conversations.answersSalesbot(r.accountId, r.leadId, requestId)) return;
        // The first bot whose widget step reaches us is the account's Salesbot for writing first (an admin may choose another).
        const botId = /\/salesbot\/(\d{1,15})\/continue\//.exec(r.returnUrl)?.[1];
        if (botId && deps.accounts.settings(r.accountId).salesbotBotId === undefined)
          deps.accounts.mergeSettings(r.accountId, { salesbotBotId: Number(botId) }, deps.clock.now());
        if (!text) {
          // A bot we launched so the agent could write first asks for the text we hold: no client message, no new turn.
          const since = deps.clock.now() - LAUNCH_WINDOW_MS;
          const launched = deps.conversations.claimLaunch(r.accountId, r.leadId, requestId, since);
          if (launched) {
            deps.queue.enqueue({
              queue: LAUNCH_CONTINUE_QUEUE,
              accountId: r.accountId,
              payload: { requestId, messageId: launched.id },
              idempotencyKey: `launch-continue:${requestId}`,
            });
            return;
          }
          // A second request from a launch we already answered (Kommo redelivered, or a relaunch after a crash): let the bot go on.
          if (deps.conversations.launchClaimedSince(r.accountId, r.leadId, deps.clock.now() - 10 * 60_000)) {
            deps.queue.enqueue({
              queue: SALESBOT_RELEASE_QUEUE,
              accountId: r.accountId,
              payload: { requestId },
              idempotencyKey: `salesbot-release:${requestId}`,
            });
            return;
          }
        }
        // The same message usually came first as add_message: answer that one here, through Salesbot, and only once.
        let messageId = takeFromBurst({ deps, accountId: r.accountId, eventId: 0 }, r.leadId, text) ?? null;
        if (messageId !== null) {
          deps.conversations.tagSalesbotRequest(r.accountId, messageId, requestId);
        } else {
          messageId = deps.conversations.insertMessage({
            accountId: r.accountId,
            leadId: r.leadId,
            contactId,
            direction: 'inbound',
            author: 'client',
            channel: String(r.data.origin ?? 'salesbot'),
            externalId: `salesbot:${requestId}`,
            text,
            metadata: { salesbotRequestId: requestId },
          });
          if (messageId === null) return;
        }
        deps.activity.write({
          accountId: r.accountId,
          leadId: r.leadId,
          type: 'salesbot.request',
          title: `Salesbot asked the agent to answer${text ? '' : ' (no client text)'}`,
          metadata: { kommo: { leadId: r.leadId }, salesbotRequestId: requestId, preview: text.slice(0, 80) },
          params: { variant: text ? 'default' : 'no_text' },
        });
        deps.bus.emit('message_received', {
          accountId: r.accountId,
          leadId: r.leadId,
          contactId,
          messageIds: [messageId],
          channel: 'salesbot',
          salesbot: { returnUrl: r.returnUrl, requestId },
          ...settingId('agentId', r.data.agent_id),
        });
      });
    },

    /** Continue a bot we launched with the first message the agent wrote for it. */
    async continueLaunch(accountId: number, requestId: number, messageId: number): Promise<void> {
      const r = deps.salesbot.pending(accountId, requestId);
      if (!r) return; // answered meanwhile
      const msg = deps.conversations.byId(accountId, messageId);
      if (!msg) return;
      try {
        await deps.kommo.api(r.accountId).salesbotContinue(r.returnUrl, salesbotBody(msg.text));
      } catch (err) {
        throw reauthAsPermanent(err);
      }
      deps.tx(() => {
        deps.salesbot.markContinued(r.accountId, r.id);
        deps.conversations.setLaunchState(r.accountId, messageId, 'sent');
        deps.activity.write({
          accountId: r.accountId,
          leadId: r.leadId,
          type: 'salesbot.delivered',
          title: 'Salesbot delivered the agent’s first message',
          description: msg.text,
          metadata: { kommo: { leadId: r.leadId }, salesbotRequestId: r.id, messageId },
          params: {},
        });
      });
    },

    /** No agent will answer: continue the bot with `status: 'no_agent'` so its next steps run (e.g. hand to a person). */
    async releaseSalesbot(accountId: number, requestId: number): Promise<void> {
      const r = deps.salesbot.pending(accountId, requestId);
      if (!r) return; // answered meanwhile
      try {
        await deps.kommo.api(r.accountId).salesbotContinue(r.returnUrl, { data: { status: 'no_agent', reply: '' } });
      } catch (err) {
        throw reauthAsPermanent(err);
      }
      deps.tx(() => {
        deps.salesbot.markContinued(r.accountId, r.id);
        deps.activity.write({
          accountId: r.accountId,
          leadId: r.leadId,
          type: 'salesbot.released',
          title: 'Salesbot continued without an AI reply (no agent works this stage)',
          metadata: { kommo: { leadId: r.leadId }, salesbotRequestId: r.id },
          params: {},
        });
      });
    },
  };
}

export type Processing = ReturnType<typeof createProcessing>;
