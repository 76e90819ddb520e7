import type { EnrollmentRow, WorkingHours } from '../../../db/schema/index.js';
import { RetryAfterError } from '../../jobs/errors.js';
import { KommoBlockedError, KommoRateLimitedError, KommoUnavailableError } from '../../kommo/client/errors.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { ClientMailer } from '../../lib/ports.js';
import { isTimeZone, local } from '../../lib/working-hours.js';
import type { ActionsService } from '../actions/actions.service.js';
import { TOOL_NAMES } from '../actions/actions.tools.js';
import { type PlannedAction, validateToolCall } from '../actions/actions.validate.js';
import type { ActivityParams, ActivityService } from '../activity/activity.service.js';
import type { CrmLead, MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { emailValues } from '../mirror/template-values.js';
import type { LoadedSequence, SequencesRepo, StepRun } from './sequences.repo.js';
import type { Step } from './sequences.schemas.js';
import type { SequencesService } from './sequences.service.js';
import { CLIENT_FACING, isWhatsApp, sendAllowedAt, WHATSAPP_WINDOW_MS, waitEnd } from './sequences.timing.js';
import { unsubscribeFooter, type UnsubscribeTokens } from './sequences.unsubscribe.js';

/** What other modules do for a sequence step: each port is filled by the module that owns the capability. */
export interface SequencePorts {
  templates: {
    render(accountId: number, id: number, values: Record<string, string | number | null | undefined>): { subject: string; text: string; html: string | null };
  };
  clientMail: ClientMailer;
  agents: {
    /** The lead's stage agent (or the named one) writes a follow-up to the client: queued, or why not. Joins the caller's transaction. */
    followup(accountId: number, leadId: number, input: { agentId?: number; instruction?: string; key: string }): { queued: boolean; reason?: string };
  };
  /** The account's time zone, working hours and language. */
  account(accountId: number): { timezone: string; hours: WorkingHours; language: string };
  /** The client's last message on the lead, and where. */
  lastInbound(accountId: number, leadId: number): { at: number; channel: string } | null;
}

export interface RunnerDeps {
  clock: Clock;
  tx<T>(fn: () => T): T;
  /**
   * The step's transactions, committed together with the other steps of this tick (a batch of due steps
   * shares its COMMITs instead of paying one per step); resolves after the COMMIT.
   */
  groupTx<T>(fn: () => T): Promise<T>;
  bus: EventBus;
  repo: SequencesRepo;
  service: SequencesService;
  crm: MirrorReadRepo;
  actions: ActionsService;
  activity: ActivityService;
  kommo: { api(accountId: number): KommoApi };
  unsubscribe: { tokens: UnsubscribeTokens; baseUrl: string };
  ports: SequencePorts;
}

const WON_LOST = new Set([142, 143]);
const CRM_TOOLS: Partial<Record<Step['type'], string>> = { create_task: 'create_task', move_stage: 'move_to_stage', add_note: 'add_note' };
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);
const transient = (err: unknown) =>
  err instanceof KommoRateLimitedError ||
  err instanceof KommoBlockedError ||
  err instanceof KommoUnavailableError ||
  (err as { retryable?: boolean }).retryable === true;

type Outcome = { status: 'done' | 'skipped' | 'failed'; detail: string; nextRunAt?: number };
/** Work left after the step's transaction: a CRM write or a Salesbot start, both over the network. */
type Pending =
  | { kind: 'crm'; e: EnrollmentRow; seq: LoadedSequence; run: StepRun; action: PlannedAction }
  | { kind: 'salesbot'; e: EnrollmentRow; seq: LoadedSequence; run: StepRun; botId: number };

/**
 * Runs an enrollment's due step, once. The step run row is written before the step's effect: a step
 * that only touches our database (email into the outbox, an agent turn, a wait) commits its effect and
 * the advance together; a CRM write is keyed on the step run in the action log, so a crash in the middle
 * finds it done and does not repeat it.
 */
export function createSequenceRunner(d: RunnerDeps) {
  /** The lead's own time zone: a lead or main-contact field holding an IANA zone such as "Europe/Madrid". */
  function leadTimezone(accountId: number, lead: CrmLead): string | null {
    const contact = lead.mainContactId ? d.crm.contact(accountId, lead.mainContactId) : undefined;
    for (const f of [...lead.customFields, ...(contact?.customFields ?? [])]) {
      for (const v of f.values) {
        const s = typeof v.value === 'string' ? v.value.trim() : '';
        if (s.includes('/') && s.length <= 64 && isTimeZone(s)) return s;
      }
    }
    return null;
  }
  const zone = (accountId: number, lead: CrmLead, which: 'account' | 'lead') =>
    (which === 'lead' ? leadTimezone(accountId, lead) : null) ?? d.ports.account(accountId).timezone;

  const log = (e: EnrollmentRow, type: string, title: string, meta: Record<string, unknown> = {}, params: ActivityParams = {}) =>
    d.activity.write({
      accountId: e.accountId,
      leadId: e.leadId,
      type,
      title,
      metadata: { enrollmentId: e.id, sequenceId: e.sequenceId, step: e.step, ...meta },
      params: { step: e.step + 1, ...params },
    });

  /** Finish the step run and move the enrollment on: the next step at `nextRunAt` (now by default), or completed. */
  function advance(e: EnrollmentRow, seq: LoadedSequence, run: StepRun, o: Outcome) {
    const now = d.clock.now();
    if (run.status === 'running') d.repo.finishStepRun(e.accountId, run.id, o.status, { type: seq.definition.steps[e.step]?.type, detail: o.detail }, now);
    if (o.status !== 'done')
      log(
        e,
        o.status === 'failed' ? 'sequence.step_failed' : 'sequence.step_skipped',
        `Sequence "${seq.name}", step ${e.step + 1}: ${o.detail}`,
        {},
        {
          sequence: seq.name,
          detail: o.detail,
        },
      );
    const step = e.step + 1;
    if (step >= seq.definition.steps.length) {
      d.service.end({ ...e, step }, 'completed', null, `Sequence "${seq.name}" completed`);
      return;
    }
    const nextRunAt = o.nextRunAt ?? now;
    // A wait that comes due at once is settled here: its end is known now, so the enrollment goes straight
    // to the step after it, without a job of its own that would only compute that end.
    const next = seq.definition.steps[step];
    if (nextRunAt <= now && (next?.type === 'wait' || next?.type === 'wait_until')) {
      const lead = d.crm.lead(e.accountId, e.leadId);
      const waitRun = d.repo.stepRun(e.accountId, e.id, step, now);
      if (lead && waitRun.status === 'running') {
        const until = waitEnd(next, now, zone(e.accountId, lead, next.type === 'wait_until' ? next.timezone : 'account'));
        advance({ ...e, step }, seq, waitRun, { status: 'done', detail: `wait until ${new Date(until).toISOString()}`, nextRunAt: until });
        return;
      }
    }
    d.repo.setState(e.accountId, e.id, { status: 'active', step, nextRunAt, stopReason: null, pausedAt: null }, now);
    d.service.scheduleStep({ id: e.id, accountId: e.accountId, step, nextRunAt });
  }

  function sendEmail(e: EnrollmentRow, seq: LoadedSequence, run: StepRun, step: Extract<Step, { type: 'send_email' }>, lead: CrmLead): Outcome {
    const contact = lead.mainContactId ? d.crm.contact(e.accountId, lead.mainContactId) : undefined;
    const to = contact?.emails[0];
    if (!to) return { status: 'skipped', detail: "the lead's contact has no email address" };
    if (d.repo.isUnsubscribed(e.accountId, to)) return { status: 'skipped', detail: `${to} unsubscribed from follow-up emails` };
    let content: { subject: string; text: string; html: string | null };
    try {
      content = d.ports.templates.render(e.accountId, step.templateId, emailValues(d.crm, e.accountId, lead, contact));
    } catch (err) {
      return { status: 'failed', detail: `the email template cannot be used: ${errText(err)}` };
    }
    const url = `${d.unsubscribe.baseUrl}/unsubscribe/${d.unsubscribe.tokens.sign(e.accountId, lead.id, to)}`;
    const footer = unsubscribeFooter(d.ports.account(e.accountId).language, url);
    try {
      const q = d.ports.clientMail.queue({
        accountId: e.accountId,
        leadId: lead.id,
        to: [to],
        subject: content.subject,
        text: content.text + footer.text,
        html: content.html ? content.html + footer.html : undefined,
        idempotencyKey: `seq-step:${run.id}`,
      });
      d.bus.emit('message_sent', { accountId: e.accountId, leadId: lead.id, channel: 'email', by: 'sequence', eventKey: `seq-step:${run.id}` });
      return { status: 'done', detail: `email queued to ${to} (outbox #${q.outboxId})` };
    } catch (err) {
      if (err instanceof AppError) return { status: 'failed', detail: err.message };
      throw err;
    }
  }

  /** The agent's follow-up; on WhatsApp past the 24-hour window only an approved template (through a Salesbot) may go. */
  function followup(e: EnrollmentRow, seq: LoadedSequence, run: StepRun, step: Extract<Step, { type: 'agent_followup' }>): Outcome | Pending {
    const last = d.ports.lastInbound(e.accountId, e.leadId);
    if (last && isWhatsApp(last.channel) && d.clock.now() - last.at > WHATSAPP_WINDOW_MS) {
      if (step.outsideWindowBotId) return { kind: 'salesbot', e, seq, run, botId: step.outsideWindowBotId };
      return { status: 'skipped', detail: 'outside the WhatsApp 24-hour window and no approved-template Salesbot is set for this step' };
    }
    const r = d.ports.agents.followup(e.accountId, e.leadId, { agentId: step.agentId, instruction: step.instruction, key: `seq-step:${run.id}` });
    return r.queued ? { status: 'done', detail: 'the agent will write a follow-up' } : { status: 'skipped', detail: r.reason ?? 'no agent can write' };
  }

  /**
   * Everything up to the network, in one transaction. Returns the network work left, if any; with none
   * left, the job is marked done in the same transaction (`complete`).
   */
  function prepare(accountId: number, enrollmentId: number, stepNo: number, at: number, complete: () => void): Promise<Pending | null> {
    return d.groupTx(() => {
      const pending = prepareIn(accountId, enrollmentId, stepNo, at);
      if (!pending) complete();
      return pending;
    });
  }

  function prepareIn(accountId: number, enrollmentId: number, stepNo: number, at: number): Pending | null {
    const e = d.repo.enrollment(accountId, enrollmentId);
    if (!e || e.status !== 'active' || e.step !== stepNo || e.nextRunAt !== at) return null; // moved on: paused, stopped, deferred
    const seq = d.repo.get(accountId, e.sequenceId);
    if (!seq || seq.deletedAt) {
      d.service.end(e, 'stopped', 'sequence_deleted', 'Sequence stopped: the sequence was deleted');
      return null;
    }
    const step = seq.definition.steps[e.step];
    if (!step) {
      d.service.end(e, 'completed', null, `Sequence "${seq.name}" completed`);
      return null;
    }
    const lead = d.crm.lead(accountId, e.leadId);
    if (!lead) {
      d.service.end(e, 'stopped', 'lead_deleted', `Sequence "${seq.name}" stopped: the lead no longer exists`);
      return null;
    }
    if (seq.definition.stopOn.wonLost && lead.statusId !== null && WON_LOST.has(lead.statusId)) {
      d.service.end(
        e,
        'stopped',
        lead.statusId === 142 ? 'won' : 'lost',
        `Sequence "${seq.name}" stopped: the lead was ${lead.statusId === 142 ? 'won' : 'lost'}`,
      );
      return null;
    }
    const now = d.clock.now();
    if (CLIENT_FACING.has(step.type)) {
      const w = seq.definition.sendWindow;
      const tz = zone(accountId, lead, w.timezone);
      const allowed = sendAllowedAt(w, tz, d.ports.account(accountId).hours, now);
      if (allowed > now) {
        d.repo.setState(accountId, e.id, { status: 'active', step: e.step, nextRunAt: allowed, stopReason: null, pausedAt: null }, now);
        d.service.scheduleStep({ id: e.id, accountId, step: e.step, nextRunAt: allowed });
        const l = local(allowed, tz);
        const when = `${l.y}-${String(l.m).padStart(2, '0')}-${String(l.d).padStart(2, '0')} ${String(l.h).padStart(2, '0')}:${String(l.min).padStart(2, '0')} (${tz})`;
        log(
          e,
          'sequence.deferred',
          `Sequence "${seq.name}", step ${e.step + 1} deferred to ${when}: ${w.quietHours ? 'quiet hours' : 'outside working hours'}`,
          { until: allowed },
          { sequence: seq.name, at: new Date(allowed).toISOString(), variant: w.quietHours ? 'quiet_hours' : 'working_hours' },
        );
        return null;
      }
    }
    const run = d.repo.stepRun(accountId, e.id, e.step, now);
    if (run.status !== 'running') {
      // It ran while the enrollment was paused, or before a crash that came ahead of the advance: move on without doing it again.
      advance(e, seq, run, { status: run.status, detail: String(run.result?.detail ?? 'already ran') });
      return null;
    }
    switch (step.type) {
      case 'wait':
      case 'wait_until': {
        const until = waitEnd(step, now, zone(accountId, lead, step.type === 'wait_until' ? step.timezone : 'account'));
        advance(e, seq, run, { status: 'done', detail: `wait until ${new Date(until).toISOString()}`, nextRunAt: until });
        return null;
      }
      case 'send_email':
        advance(e, seq, run, sendEmail(e, seq, run, step, lead));
        return null;
      case 'agent_followup': {
        const r = followup(e, seq, run, step);
        if ('kind' in r) return r;
        advance(e, seq, run, r);
        return null;
      }
      default: {
        const tool = CRM_TOOLS[step.type]!;
        const args =
          step.type === 'create_task'
            ? { text: step.text, dueInHours: step.dueInHours, responsibleUserId: step.responsibleUserId }
            : step.type === 'move_stage'
              ? { pipelineId: step.pipelineId, statusId: step.statusId }
              : { text: step.text };
        const v = validateToolCall(tool, JSON.stringify(args), { catalog: d.crm.catalog(accountId), lead, allowed: TOOL_NAMES, approvalRequired: [] });
        if (!v.ok) {
          advance(e, seq, run, { status: 'skipped', detail: v.error });
          return null;
        }
        // Our own move is not "the stage changed": the enrollment learns its new stage before Kommo does.
        if (step.type === 'move_stage') d.repo.setStage(accountId, e.id, step.pipelineId, step.statusId, now);
        return { kind: 'crm', e, seq, run, action: v.action };
      }
    }
  }

  return {
    /** The sequences.step job; `complete` marks the job done inside the step's last transaction (one commit fewer). */
    async run(accountId: number, p: { enrollmentId: number; step: number; at: number }, complete: () => void = () => undefined): Promise<void> {
      const pending = await prepare(accountId, p.enrollmentId, p.step, p.at, complete);
      if (!pending) return;
      const { e, seq, run } = pending;
      let outcome: Outcome;
      try {
        if (pending.kind === 'crm') {
          const row = await d.actions.runAutomationAction({
            accountId,
            leadId: e.leadId,
            origin: { stepRunId: run.id },
            action: pending.action,
            meta: { sequenceId: seq.id, enrollmentId: e.id, step: e.step },
          });
          outcome = { status: 'done', detail: row.summary };
        } else {
          await d.kommo.api(accountId).runSalesbot(pending.botId, e.leadId);
          outcome = { status: 'done', detail: `outside the WhatsApp 24-hour window: Salesbot ${pending.botId} sends the approved template` };
        }
      } catch (err) {
        if (err instanceof KommoRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
        if (transient(err)) throw err; // the queue retries this step; the step run stays open
        outcome = { status: 'failed', detail: errText(err) };
      }
      await d.groupTx(() => {
        complete();
        const cur = d.repo.enrollment(accountId, e.id);
        if (!cur || cur.step !== e.step) return;
        if (pending.kind === 'crm' && pending.action.type === 'move_to_stage' && outcome.status === 'failed') {
          d.repo.setStage(accountId, e.id, e.pipelineId, e.statusId, d.clock.now()); // it did not move after all
        }
        if (cur.status === 'active') advance(cur, seq, run, outcome);
        else d.repo.finishStepRun(accountId, run.id, outcome.status, { type: seq.definition.steps[e.step]?.type, detail: outcome.detail }, d.clock.now());
      });
    },
  };
}

export type SequenceRunner = ReturnType<typeof createSequenceRunner>;
