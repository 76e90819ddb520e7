import { z } from 'zod';
import type { Deps } from '../../deps.js';
import type { KommoEvent } from '../../kommo/webhook/events.js';
import { KommoAuthError } from '../../kommo/client/errors.js';
import { PermanentJobError } from '../../jobs/errors.js';
import { defineJob } from '../../jobs/worker.js';
import type { DpRequest } from '../../kommo/webhook/dp.js';
import { handleContactEvent } from './handlers/contacts.js';
import { type HandlerCtx } from './handlers/context.js';
import { handleLeadEvent, refetchLead, REFETCH_LEAD_QUEUE } from './handlers/leads.js';
import { BURST_QUEUE, flushBurst, handleMessageEvent, takeFromBurst } from './handlers/messages.js';
import { handleLoggedEvent, handleTalkEvent } from './handlers/misc.js';
import { handleNoteEvent } from './handlers/notes.js';
import { handleTaskEvent } from './handlers/tasks.js';
import { EVENT_QUEUE } from './inbox.service.js';
import { DP_QUEUE, SALESBOT_QUEUE, SALESBOT_RELEASE_QUEUE } from './triggers.service.js';

/** Route one stored event to its handler. Everything a handler writes, plus marking the event, is one transaction. */
function dispatch(ctx: HandlerCtx, e: KommoEvent) {
  switch (e.kind) {
    case 'lead':
      return handleLeadEvent(ctx, e);
    case 'contact':
    case 'company':
      return handleContactEvent(ctx, e);
    case 'task':
      return handleTaskEvent(ctx, e);
    case 'lead_note':
    case 'contact_note':
      return handleNoteEvent(ctx, e);
    case 'message':
      return handleMessageEvent(ctx, e);
    case 'talk':
      return handleTalkEvent(ctx, e);
    case 'customer':
    case 'unsorted':
      return handleLoggedEvent(ctx, e);
    default:
      return undefined;
  }
}

const reauthAsPermanent = (err: unknown) => (err instanceof KommoAuthError ? new PermanentJobError(err.message) : err);

export function webhookJobs(deps: Deps) {
  // Every lookup is scoped by the job's account as well as the id it carries.
  const markDone = deps.stmt("UPDATE webhook_events SET status = 'processed', processed_at = ? WHERE id = ? AND account_id = ? AND status = 'received'");
  const loadEvent = deps.stmt('SELECT account_id AS accountId, payload, status FROM webhook_events WHERE id = ? AND account_id = ?');

  const eventJob = defineJob({
    queue: EVENT_QUEUE,
    payload: z.object({ eventId: z.number().int() }),
    async handle({ eventId }, { job, complete }) {
      // Group-committed with the other events (and webhook deliveries) of this tick: one COMMIT for many.
      await deps.groupTx(() => {
        const row = loadEvent.get(eventId, job.accountId) as { accountId: number; payload: string; status: string } | undefined;
        if (!row || row.status !== 'received') return; // processed already: a rerun is a no-op
        dispatch({ deps, accountId: row.accountId, eventId }, JSON.parse(row.payload) as KommoEvent);
        markDone.run(deps.clock.now(), eventId, row.accountId);
        complete(); // the event's effects and the job's completion commit together
      });
    },
  });

  const refetchJob = defineJob({
    queue: REFETCH_LEAD_QUEUE,
    payload: z.object({ leadId: z.number().int() }),
    async handle({ leadId }, { job }) {
      try {
        await refetchLead({ deps, accountId: job.accountId!, eventId: 0 }, leadId);
      } catch (err) {
        throw reauthAsPermanent(err);
      }
    },
  });

  const burstJob = defineJob({
    queue: BURST_QUEUE,
    payload: z.object({ leadId: z.number().int(), firstAt: z.number() }),
    async handle({ leadId, firstAt }, { job, complete }) {
      await deps.groupTx(() => {
        flushBurst({ deps, accountId: job.accountId!, eventId: 0 }, leadId, firstAt);
        complete();
      });
    },
  });

  /** A Digital Pipeline trigger: refresh the lead from Kommo (the request carries no version), then wake the stage's agent. */
  const dpJob = defineJob({
    queue: DP_QUEUE,
    payload: z.object({ eventId: z.number().int() }),
    async handle({ eventId }, { job }) {
      const row = loadEvent.get(eventId, job.accountId) as { accountId: number; payload: string; status: string } | undefined;
      if (!row || row.status !== 'received') return;
      const r = JSON.parse(row.payload) as DpRequest;
      const accountId = row.accountId;
      let lead;
      try {
        lead = await deps.kommo.api(accountId).getLead(r.event.leadId, ['contacts']);
      } catch (err) {
        throw reauthAsPermanent(err);
      }
      deps.tx(() => {
        if (markDone.run(deps.clock.now(), eventId, accountId).changes === 0) return;
        deps.mirror.upsertLeads(accountId, [lead], deps.clock.now());
        deps.activity.write({ accountId, leadId: lead.id, type: 'dp.trigger', title: `Digital Pipeline: ${r.event.typeCode.replace(/_/g, ' ')} for ${lead.name || `lead #${lead.id}`}`, metadata: { kommo: { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id }, typeCode: r.event.typeCode, eventId } });
        deps.bus.emit('lead_stage_entered', { accountId, leadId: lead.id, pipelineId: lead.pipeline_id, statusId: lead.status_id, source: 'dp' });
      });
    },
  });

  /** A Salesbot widget_request: the client's text becomes a message and one agent turn, answered through continue. */
  const salesbotJob = defineJob({
    queue: SALESBOT_QUEUE,
    payload: z.object({ requestId: z.number().int() }),
    async handle({ requestId }, { job }) {
      deps.tx(() => {
        const r = deps.stmt("SELECT * FROM salesbot_requests WHERE id = ? AND account_id = ? AND status = 'pending'").get(requestId, job.accountId) as Record<string, any> | undefined;
        if (!r || !r.lead_id) return;
        const data = JSON.parse(r.data) as Record<string, unknown>;
        const text = String(data.message ?? data.text ?? data.message_text ?? '').trim();
        const lead = deps.stmt('SELECT main_contact_id FROM leads WHERE account_id = ? AND id = ?').get(r.account_id, r.lead_id) as { main_contact_id: number | null } | undefined;
        const handled = deps.stmt("SELECT 1 FROM conversation_messages WHERE account_id = ? AND lead_id = ? AND json_extract(metadata, '$.salesbotRequestId') = ?").get(r.account_id, r.lead_id, requestId);
        if (handled) return;
        // The same message usually came first as add_message: answer that one here, through Salesbot, and only once.
        let messageId = takeFromBurst({ deps, accountId: r.account_id, eventId: 0 }, r.lead_id, text);
        if (messageId !== undefined) {
          deps.stmt("UPDATE conversation_messages SET metadata = json_set(coalesce(metadata, '{}'), '$.salesbotRequestId', ?) WHERE account_id = ? AND id = ?").run(requestId, r.account_id, messageId);
        } else {
          const ins = deps.stmt(`INSERT INTO conversation_messages (account_id, lead_id, contact_id, direction, author, channel, external_id, text, metadata, created_at) VALUES (?, ?, ?, 'inbound', 'client', ?, ?, ?, ?, ?) ON CONFLICT (account_id, channel, external_id) DO NOTHING`)
            .run(r.account_id, r.lead_id, lead?.main_contact_id ?? null, String(data.origin ?? 'salesbot'), `salesbot:${requestId}`, text, JSON.stringify({ salesbotRequestId: requestId }), deps.clock.now());
          if (ins.changes === 0) return;
          messageId = Number(ins.lastInsertRowid);
        }
        deps.activity.write({ accountId: r.account_id, leadId: r.lead_id, type: 'salesbot.request', title: `Salesbot asked the agent to answer${text ? '' : ' (no client text)'}`, metadata: { kommo: { leadId: r.lead_id }, salesbotRequestId: requestId, preview: text.slice(0, 80) } });
        deps.bus.emit('message_received', {
          accountId: r.account_id,
          leadId: r.lead_id,
          contactId: lead?.main_contact_id ?? null,
          messageIds: [messageId],
          channel: 'salesbot',
          salesbot: { returnUrl: r.return_url, requestId },
        });
      });
    },
  });

  /** No agent will answer: continue the bot with `status: 'no_agent'` so its next steps run (e.g. hand to a person). */
  const salesbotReleaseJob = defineJob({
    queue: SALESBOT_RELEASE_QUEUE,
    payload: z.object({ requestId: z.number().int() }),
    async handle({ requestId }, { job }) {
      const r = deps.stmt("SELECT id, account_id AS accountId, lead_id AS leadId, return_url AS returnUrl FROM salesbot_requests WHERE id = ? AND account_id = ? AND status = 'pending'").get(requestId, job.accountId) as
        | { id: number; accountId: number; leadId: number | null; returnUrl: string }
        | undefined;
      if (!r) return; // answered meanwhile
      try {
        await deps.kommo.api(r.accountId).salesbotContinue(r.returnUrl, { data: { status: 'no_agent', reply: '' } });
      } catch (err) {
        throw reauthAsPermanent(err);
      }
      deps.tx(() => {
        deps.stmt("UPDATE salesbot_requests SET status = 'continued', continued_at = ? WHERE id = ? AND account_id = ?").run(deps.clock.now(), r.id, r.accountId);
        deps.activity.write({ accountId: r.accountId, leadId: r.leadId, type: 'salesbot.released', title: 'Salesbot continued without an AI reply (no agent works this stage)', metadata: { kommo: { leadId: r.leadId }, salesbotRequestId: r.id } });
      });
    },
  });

  return [eventJob, refetchJob, burstJob, dpJob, salesbotJob, salesbotReleaseJob];
}
