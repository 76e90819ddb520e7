import { RetryAfterError } from '../../jobs/errors.js';
import { KommoBlockedError, KommoRateLimitedError, KommoUnavailableError } from '../../kommo/client/errors.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import type { LeadSnapshot } from '../../lib/events.js';
import type { ClientMailer, Notifier } from '../../lib/ports.js';
import type { ActionsService } from '../actions/actions.service.js';
import { TOOL_NAMES } from '../actions/actions.tools.js';
import { validateToolCall } from '../actions/actions.validate.js';
import type { CrmLead, MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { emailValues } from '../mirror/template-values.js';
import type { LoadedRule, RulesRepo } from './rules.repo.js';
import type { RuleAction } from './rules.schemas.js';
import type { WebhookSender } from './rules.webhook.js';

/** What other modules do for a rule: each port is filled by the module that owns the capability. */
export interface RulePorts {
  templates: {
    render(accountId: number, id: number, values: Record<string, string | number | null | undefined>): { subject: string; text: string; html: string | null };
  };
  clientMail: ClientMailer;
  notifier: Notifier;
  agents: {
    pause(accountId: number, leadId: number, until: number | null, reason: string): void;
    resume(accountId: number, leadId: number): void;
    /** The stage's (or a named) agent writes to the client first: queued, or why not. */
    reply(accountId: number, leadId: number, agentId: number | undefined, key: string): { queued: boolean; reason?: string };
  };
  sequences: {
    enroll(accountId: number, sequenceId: number, leadId: number, by: string): { enrolled: boolean; reason?: string };
    stop(accountId: number, leadId: number, sequenceId: number | undefined, reason: string): number;
  };
}

export interface RunnerDeps {
  clock: Clock;
  tx<T>(fn: () => T): T;
  bus: EventBus;
  repo: RulesRepo;
  crm: MirrorReadRepo;
  actions: ActionsService;
  kommo: { api(accountId: number): KommoApi };
  ports: RulePorts;
  /** An outgoing webhook, signed; returns the HTTP status. Throws a retryable error for 5xx/timeouts. */
  webhook: Pick<WebhookSender, 'send'>;
}

export interface ActionResult {
  type: RuleAction['type'];
  status: 'done' | 'skipped' | 'failed';
  detail?: string;
  actionId?: number;
}

const KOMMO_WRITES: Partial<Record<RuleAction['type'], string>> = {
  move_stage: 'move_to_stage',
  set_field: 'update_field',
  add_tags: 'add_tags',
  remove_tags: 'remove_tags',
  assign: 'assign_user',
  add_note: 'add_note',
  create_task: 'create_task',
};

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

function snapshot(lead: CrmLead): LeadSnapshot {
  const fields: Record<number, string> = {};
  for (const f of lead.customFields) fields[f.field_id] = f.values.map((v) => String(v.value ?? '')).join(', ');
  return { statusId: lead.statusId, pipelineId: lead.pipelineId, responsibleUserId: lead.responsibleUserId, tags: lead.tags, fields };
}

/**
 * Runs a fired rule's actions in order, once each: results are saved after every action, so a retried
 * run skips what is done. CRM writes go through the action log (before/after, undo). A change a rule
 * made is announced as a rule event one level deeper, so other rules can react and loops stop at the limit.
 */
export function createRunner(d: RunnerDeps) {
  /** Round-robin over the rule's users, skipping inactive ones; the position is saved atomically. */
  function nextAssignee(rule: LoadedRule, seq: number, userIds: number[], active: Set<number>): number | null {
    return d.tx(() => {
      const key = `rr:${seq}`;
      const last = Number(d.repo.getState(rule.accountId, rule.id, key) ?? -1);
      for (let i = 1; i <= userIds.length; i++) {
        const at = (last + i) % userIds.length;
        const userId = userIds[at]!;
        if (!active.has(userId)) continue;
        d.repo.setState(rule.accountId, rule.id, key, String(at));
        return userId;
      }
      return null;
    });
  }

  function argsFor(a: RuleAction, rule: LoadedRule, seq: number, active: Set<number>): Record<string, unknown> | string {
    switch (a.type) {
      case 'move_stage':
        return { pipelineId: a.pipelineId, statusId: a.statusId };
      case 'set_field':
        return { fieldId: a.fieldId, value: a.value };
      case 'add_tags':
      case 'remove_tags':
        return { tags: a.tags };
      case 'add_note':
        return { text: a.text };
      case 'create_task':
        return { text: a.text, dueInHours: a.dueInHours, taskTypeId: a.taskTypeId, responsibleUserId: a.responsibleUserId };
      case 'assign': {
        const userId = nextAssignee(rule, seq, a.userIds, active);
        return userId === null ? 'none of the users is active' : { userId };
      }
      default:
        return 'not a CRM write';
    }
  }

  /** Announce what a rule changed, one level deeper, keyed to this action (so a rerun announces it once). */
  function announce(accountId: number, before: CrmLead, after: CrmLead | undefined, key: string, depth: number) {
    if (!after) return;
    const origin = { eventKey: key, depth: depth + 1 };
    if (after.statusId !== before.statusId && after.statusId !== null && after.pipelineId !== null) {
      d.bus.emit('lead_stage_entered', {
        accountId,
        leadId: after.id,
        pipelineId: after.pipelineId,
        statusId: after.statusId,
        prevPipelineId: before.pipelineId,
        prevStatusId: before.statusId,
        source: 'rule',
        ...origin,
      });
    }
    d.bus.emit('lead_changed', {
      accountId,
      leadId: after.id,
      action: 'update',
      statusId: after.statusId,
      pipelineId: after.pipelineId,
      prev: snapshot(before),
      next: snapshot(after),
      ...origin,
    });
  }

  async function one(rule: LoadedRule, a: RuleAction, seq: number, run: { id: number; leadId: number | null; depth: number }): Promise<ActionResult> {
    const accountId = rule.accountId;
    const key = `rule:${run.id}:${seq}`;
    const lead = run.leadId === null ? undefined : d.crm.lead(accountId, run.leadId);
    if (!lead) return { type: a.type, status: 'skipped', detail: 'the lead is not in the mirror (deleted?)' };
    const tool = KOMMO_WRITES[a.type];
    if (tool) {
      const catalog = d.crm.catalog(accountId);
      const args = argsFor(a, rule, seq, new Set(catalog.users.map((u) => u.id)));
      if (typeof args === 'string') return { type: a.type, status: 'skipped', detail: args };
      const v = validateToolCall(tool, JSON.stringify(args), { catalog, lead, allowed: TOOL_NAMES, approvalRequired: [] });
      if (!v.ok) return { type: a.type, status: 'skipped', detail: v.error };
      const row = await d.actions.runAutomationAction({
        accountId,
        leadId: lead.id,
        origin: { ruleRunId: run.id, seq },
        action: v.action,
        meta: { ruleId: rule.id, version: rule.version },
      });
      d.tx(() => announce(accountId, lead, d.crm.lead(accountId, lead.id), key, run.depth));
      return { type: a.type, status: 'done', detail: row.summary, actionId: row.id };
    }
    switch (a.type) {
      case 'send_email': {
        const contact = lead.mainContactId ? d.crm.contact(accountId, lead.mainContactId) : undefined;
        const to = contact?.emails[0];
        if (!to) return { type: a.type, status: 'skipped', detail: "the lead's contact has no email address" };
        const content = d.ports.templates.render(accountId, a.templateId, emailValues(d.crm, accountId, lead, contact));
        const q = d.tx(() => {
          const r = d.ports.clientMail.queue({
            accountId,
            leadId: lead.id,
            to: [to],
            subject: content.subject,
            text: content.text,
            html: content.html ?? undefined,
            idempotencyKey: key,
          });
          d.bus.emit('message_sent', { accountId, leadId: lead.id, channel: 'email', by: 'rule', eventKey: key, depth: run.depth + 1 });
          return r;
        });
        return { type: a.type, status: 'done', detail: `email queued to ${to} (outbox #${q.outboxId})` };
      }
      case 'agent_reply': {
        const r = d.tx(() => d.ports.agents.reply(accountId, lead.id, a.agentId, key));
        return { type: a.type, status: r.queued ? 'done' : 'skipped', detail: r.queued ? 'the agent will write to the client' : r.reason };
      }
      case 'run_salesbot':
        await d.kommo.api(accountId).runSalesbot(a.botId, lead.id);
        return { type: a.type, status: 'done', detail: `Salesbot ${a.botId} started` };
      case 'start_sequence': {
        const r = d.tx(() => d.ports.sequences.enroll(accountId, a.sequenceId, lead.id, `rule:${rule.id}`));
        return { type: a.type, status: r.enrolled ? 'done' : 'skipped', detail: r.enrolled ? `enrolled in sequence ${a.sequenceId}` : r.reason };
      }
      case 'stop_sequence': {
        const n = d.tx(() => d.ports.sequences.stop(accountId, lead.id, a.sequenceId, `stopped by rule "${rule.name}"`));
        return { type: a.type, status: 'done', detail: `${n} enrollment(s) stopped` };
      }
      case 'notify_user': {
        const userId = a.userId ?? lead.responsibleUserId;
        d.tx(() =>
          d.ports.notifier.notify({
            accountId,
            userId,
            kind: 'rule_notice',
            title: `${rule.name}: ${lead.name || `lead #${lead.id}`}`,
            body: a.text,
            leadId: lead.id,
            dedupeKey: key,
          }),
        );
        return { type: a.type, status: 'done', detail: userId ? `user #${userId} notified` : 'the admins were notified' };
      }
      case 'pause_agent':
        d.tx(() => d.ports.agents.pause(accountId, lead.id, a.minutes ? d.clock.now() + a.minutes * 60_000 : null, `paused by rule "${rule.name}"`));
        return { type: a.type, status: 'done' };
      case 'resume_agent':
        d.tx(() => d.ports.agents.resume(accountId, lead.id));
        return { type: a.type, status: 'done' };
      case 'call_webhook': {
        const status = await d.webhook.send(accountId, a.url, `${rule.accountId}-${run.id}-${seq}`, {
          rule: { id: rule.id, version: rule.version, name: rule.name },
          lead: { id: lead.id, name: lead.name, pipelineId: lead.pipelineId, statusId: lead.statusId, price: lead.price, tags: lead.tags },
        });
        return { type: a.type, status: status < 300 ? 'done' : 'failed', detail: `answered ${status}` };
      }
      default:
        return { type: a.type, status: 'skipped', detail: 'unknown action' };
    }
  }

  return {
    /** An event's fired rules as runs (made on the first call, the same ones after), in rule order. */
    runsOf: (accountId: number, eventId: number): number[] => d.tx(() => d.repo.runsOf(accountId, eventId)),
    /** The rules.run job: the fired run's actions, once each, in order. */
    async run(accountId: number, runId: number): Promise<void> {
      const run = d.repo.getRun(accountId, runId);
      if (!run || (run.status !== 'fired' && run.status !== 'failed') || run.finishedAt) return;
      const rule = d.repo.atVersion(accountId, run.ruleId, run.version);
      if (!rule) return;
      const results = [...((run.results ?? []) as unknown as ActionResult[])];
      for (const [seq, a] of rule.definition.actions.entries()) {
        if (results[seq] && results[seq]!.status !== 'failed') continue;
        try {
          results[seq] = await one(rule, a, seq, { id: run.id, leadId: run.leadId, depth: run.depth });
        } catch (err) {
          // Kommo asked us to wait (or is down): the queue retries this run; what is done stays done.
          if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
          if (err instanceof KommoBlockedError || err instanceof KommoUnavailableError || (err as { retryable?: boolean }).retryable) {
            d.tx(() => d.repo.setResults(accountId, runId, results, 'fired', null));
            throw err;
          }
          results[seq] = { type: a.type, status: 'failed', detail: errText(err) };
        }
        d.tx(() => d.repo.setResults(accountId, runId, results, 'fired', null));
      }
      const failed = results.some((r) => r.status === 'failed');
      d.tx(() => d.repo.setResults(accountId, runId, results, failed ? 'failed' : 'done', d.clock.now()));
    },
  };
}

export type RuleRunner = ReturnType<typeof createRunner>;
