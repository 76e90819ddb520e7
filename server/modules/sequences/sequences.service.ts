import type { EnrollmentRow } from '../../../db/schema/index.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit, AuditAction } from '../activity/audit.js';
import { catalogChecker } from '../mirror/catalog-check.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { LoadedSequence, SequencesRepo } from './sequences.repo.js';
import type { CreateSequenceInput, PatchSequenceInput, SequenceDefinition } from './sequences.schemas.js';

export const SEQUENCE_STEP_QUEUE = 'sequences.step';
const WON_LOST = new Set([142, 143]);

export interface SequencesServiceDeps {
  clock: Clock;
  tx<T>(fn: () => T): T;
  queue: JobQueue;
  repo: SequencesRepo;
  crm: MirrorReadRepo;
  activity: ActivityService;
  audit: Pick<Audit, 'change'>;
  exists: { template(accountId: number, id: number): boolean; agent(accountId: number, id: number): boolean };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type SequenceDto = ReturnType<typeof toDto>;
const toDto = (s: LoadedSequence) => ({
  id: s.id,
  name: s.name,
  enabled: s.enabled,
  pipelineId: s.pipelineId,
  statusId: s.statusId,
  definition: s.definition,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

export const enrollmentDto = (e: EnrollmentRow, seq?: LoadedSequence) => ({
  id: e.id,
  sequenceId: e.sequenceId,
  sequenceName: seq?.name ?? null,
  leadId: e.leadId,
  status: e.status,
  step: e.step,
  steps: seq?.definition.steps.length ?? null,
  nextStep: seq?.definition.steps[e.step]?.type ?? null,
  nextRunAt: e.status === 'active' ? iso(e.nextRunAt) : null,
  stopReason: e.stopReason,
  enrolledBy: e.enrolledBy,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

/**
 * Sequences (CRUD for admins) and enrollments (enroll, pause, resume, stop). Each step of an enrollment is
 * a durable scheduled job keyed on (enrollment, step, due time): a restart finds it in the queue, and a
 * job whose enrollment moved on (paused, stopped, deferred) does nothing.
 */
export function createSequencesService(d: SequencesServiceDeps) {
  function check(accountId: number, def: SequenceDefinition, scope: { pipelineId: number | null; statusId: number | null }) {
    const c = catalogChecker(d.crm.catalog(accountId));
    c.stage(scope.pipelineId, scope.statusId, 'pipelineId');
    for (const [i, s] of def.steps.entries()) {
      const at = `definition.steps.${i}`;
      if (s.type === 'move_stage') c.stage(s.pipelineId, s.statusId, at);
      if (s.type === 'create_task' && s.responsibleUserId) c.user(s.responsibleUserId, `${at}.responsibleUserId`);
      if (s.type === 'send_email' && !d.exists.template(accountId, s.templateId))
        c.add(`${at}.templateId`, `email template ${s.templateId} does not exist`, 'template_missing', { id: s.templateId });
      if (s.type === 'agent_followup' && s.agentId && !d.exists.agent(accountId, s.agentId))
        c.add(`${at}.agentId`, `agent ${s.agentId} does not exist`, 'agent_missing', { id: s.agentId });
    }
    if (c.errors.length)
      throw new AppError(
        'VALIDATION_FAILED',
        `The sequence refers to something that does not exist: ${c.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        { errors: c.errors },
      );
  }

  const audit = (accountId: number, userId: number | null, action: AuditAction, before: SequenceDto | null, after: SequenceDto | null) => {
    const x = (after ?? before)!;
    d.audit.change({ accountId, userId, entity: 'sequence', action, id: x.id, name: x.name, before, after });
  };

  const getSeq = (accountId: number, id: number) => {
    const s = d.repo.get(accountId, id);
    if (!s || s.deletedAt) throw notFound(`Sequence ${id}`);
    return s;
  };

  /** Queue the enrollment's next step at its due time (joins the caller's transaction). */
  function scheduleStep(e: Pick<EnrollmentRow, 'id' | 'accountId' | 'step' | 'nextRunAt'>) {
    if (e.nextRunAt === null) return;
    d.queue.enqueue({
      queue: SEQUENCE_STEP_QUEUE,
      accountId: e.accountId,
      payload: { enrollmentId: e.id, step: e.step, at: e.nextRunAt },
      idempotencyKey: `seq:${e.accountId}:${e.id}:${e.step}:${e.nextRunAt}`,
      runAt: e.nextRunAt,
    });
  }

  /** End an enrollment (joins the caller's transaction). */
  function end(e: EnrollmentRow, status: 'stopped' | 'completed', reason: string | null, title: string, userId: number | null = null) {
    d.repo.setState(e.accountId, e.id, { status, step: e.step, nextRunAt: null, stopReason: reason, pausedAt: null }, d.clock.now());
    d.activity.write({
      accountId: e.accountId,
      leadId: e.leadId,
      userId,
      type: status === 'completed' ? 'sequence.completed' : 'sequence.stopped',
      title,
      metadata: { enrollmentId: e.id, sequenceId: e.sequenceId, step: e.step, reason },
      // The widget words the stop reason (a code: won, client_replied, …) in the viewer's language.
      params: { sequence: seqName(e), ...(status === 'stopped' && reason ? { reason } : {}) },
    });
  }

  function liveEnrollment(accountId: number, id: number) {
    const e = d.repo.enrollment(accountId, id);
    if (!e) throw notFound(`Enrollment ${id}`);
    return e;
  }

  const seqName = (e: EnrollmentRow) => d.repo.get(e.accountId, e.sequenceId)?.name ?? `#${e.sequenceId}`;

  return {
    scheduleStep,
    end,

    list(accountId: number) {
      const counts = new Map(d.repo.counts(accountId).map((c) => [c.sequenceId, c]));
      return d.repo.list(accountId).map((s) => {
        const c = counts.get(s.id);
        return {
          ...toDto(s),
          stats: {
            enrolled: c?.enrolled ?? 0,
            active: (c?.active ?? 0) + (c?.paused ?? 0),
            stoppedByReply: c?.stoppedByReply ?? 0,
            stopped: c?.stopped ?? 0,
            completed: c?.completed ?? 0,
          },
        };
      });
    },
    get: (accountId: number, id: number) => toDto(getSeq(accountId, id)),
    create(accountId: number, input: CreateSequenceInput, userId: number | null) {
      check(accountId, input.definition, input);
      return d.tx(() => {
        const id = d.repo.insert(accountId, input, d.clock.now());
        const dto = toDto(d.repo.get(accountId, id)!);
        audit(accountId, userId, 'created', null, dto);
        return dto;
      });
    },
    update(accountId: number, id: number, patch: PatchSequenceInput, userId: number | null) {
      const cur = getSeq(accountId, id);
      const next = {
        name: patch.name ?? cur.name,
        enabled: patch.enabled ?? cur.enabled,
        pipelineId: patch.pipelineId === undefined ? cur.pipelineId : patch.pipelineId,
        statusId: patch.statusId === undefined ? cur.statusId : patch.statusId,
        definition: patch.definition ?? cur.definition,
      };
      check(accountId, next.definition, next);
      return d.tx(() => {
        d.repo.update(accountId, id, next, d.clock.now());
        const dto = toDto(d.repo.get(accountId, id)!);
        audit(accountId, userId, 'updated', toDto(cur), dto);
        return dto;
      });
    },
    /** Deleting a sequence stops its live enrollments. */
    remove(accountId: number, id: number, userId: number | null) {
      const cur = getSeq(accountId, id);
      d.tx(() => {
        d.repo.remove(accountId, id, d.clock.now());
        for (const e of d.repo.liveOfSequence(accountId, id))
          end(e, 'stopped', 'sequence_deleted', `Sequence "${cur.name}" stopped: the sequence was deleted`, userId);
        audit(accountId, userId, 'deleted', toDto(cur), null);
      });
    },

    /**
     * Enroll a lead (by hand, a rule or Digital Pipeline). Joins the caller's transaction. Refuses a
     * disabled or deleted sequence, a lead the mirror does not know, a closed lead and a second live
     * enrollment in the same sequence.
     */
    enroll(
      accountId: number,
      sequenceId: number,
      leadId: number,
      by: string,
      userId: number | null = null,
      /** Where the lead is, when the caller knows better than the mirror (a DP trigger can beat the lead webhook). */
      at?: { pipelineId: number; statusId: number },
    ): { enrolled: boolean; reason?: string; enrollmentId?: number } {
      const seq = d.repo.get(accountId, sequenceId);
      if (!seq || seq.deletedAt) return { enrolled: false, reason: `sequence ${sequenceId} does not exist` };
      if (!seq.enabled) return { enrolled: false, reason: `sequence "${seq.name}" is disabled` };
      const lead = d.crm.lead(accountId, leadId);
      if (!lead) return { enrolled: false, reason: `lead ${leadId} is not synced yet` };
      const stage = at ?? { pipelineId: lead.pipelineId, statusId: lead.statusId };
      if (stage.statusId !== null && WON_LOST.has(stage.statusId)) return { enrolled: false, reason: 'the lead is closed (won or lost)' };
      const now = d.clock.now();
      const id = d.repo.enroll({ accountId, sequenceId, leadId, nextRunAt: now, enrolledBy: by, pipelineId: stage.pipelineId, statusId: stage.statusId, now });
      if (id === null) return { enrolled: false, reason: `the lead is already in sequence "${seq.name}"` };
      scheduleStep({ id, accountId, step: 0, nextRunAt: now });
      d.activity.write({
        accountId,
        leadId,
        userId,
        type: 'sequence.enrolled',
        title: `Enrolled in sequence "${seq.name}"`,
        metadata: { enrollmentId: id, sequenceId, by },
        params: { sequence: seq.name },
      });
      return { enrolled: true, enrollmentId: id };
    },

    /** From the lead card: enroll, or a 409 that says why not. */
    enrollByUser(accountId: number, sequenceId: number, leadId: number, userId: number) {
      return d.tx(() => {
        const r = this.enroll(accountId, sequenceId, leadId, `user:${userId}`, userId);
        if (!r.enrolled) throw conflict(`Cannot enroll: ${r.reason}`);
        return enrollmentDto(d.repo.enrollment(accountId, r.enrollmentId!)!, d.repo.get(accountId, sequenceId));
      });
    },

    /** Stop the lead's live enrollments (of one sequence, or all). Joins the caller's transaction. */
    stopLead(accountId: number, leadId: number, sequenceId: number | undefined, reason: string, title?: (name: string) => string): number {
      let n = 0;
      for (const e of d.repo.live(accountId, leadId)) {
        if (sequenceId !== undefined && e.sequenceId !== sequenceId) continue;
        end(e, 'stopped', reason, title ? title(seqName(e)) : `Sequence "${seqName(e)}" stopped: ${reason}`);
        n++;
      }
      return n;
    },

    leadOf: (accountId: number, enrollmentId: number) => liveEnrollment(accountId, enrollmentId).leadId,

    /** Pause keeps the remaining wait; resume schedules the step again after it; stop ends it. */
    control(accountId: number, enrollmentId: number, action: 'pause' | 'resume' | 'stop', userId: number) {
      return d.tx(() => {
        const e = liveEnrollment(accountId, enrollmentId);
        const now = d.clock.now();
        const name = seqName(e);
        if (action === 'stop') {
          if (e.status !== 'active' && e.status !== 'paused') throw conflict(`The enrollment is already ${e.status}`);
          end(e, 'stopped', 'stopped_by_user', `Sequence "${name}" stopped by a user`, userId);
        } else if (action === 'pause') {
          if (e.status !== 'active') throw conflict(`Only an active enrollment can be paused; this one is ${e.status}`);
          d.repo.setState(accountId, e.id, { status: 'paused', step: e.step, nextRunAt: e.nextRunAt, stopReason: null, pausedAt: now }, now);
          d.activity.write({
            accountId,
            leadId: e.leadId,
            userId,
            type: 'sequence.paused',
            title: `Sequence "${name}" paused`,
            metadata: { enrollmentId: e.id },
            params: { sequence: name },
          });
        } else {
          if (e.status !== 'paused') throw conflict(`Only a paused enrollment can be resumed; this one is ${e.status}`);
          const remaining = Math.max(0, (e.nextRunAt ?? now) - (e.pausedAt ?? now));
          const nextRunAt = now + remaining;
          d.repo.setState(accountId, e.id, { status: 'active', step: e.step, nextRunAt, stopReason: null, pausedAt: null }, now);
          scheduleStep({ id: e.id, accountId, step: e.step, nextRunAt });
          d.activity.write({
            accountId,
            leadId: e.leadId,
            userId,
            type: 'sequence.resumed',
            title: `Sequence "${name}" resumed`,
            metadata: { enrollmentId: e.id },
            params: { sequence: name },
          });
        }
        const after = d.repo.enrollment(accountId, e.id)!;
        return enrollmentDto(after, d.repo.get(accountId, after.sequenceId));
      });
    },

    /** The lead card: this lead's enrollments (newest first) with each one's steps so far. */
    forLead(accountId: number, leadId: number) {
      return d.repo.byLead(accountId, leadId).map((e) => ({
        ...enrollmentDto(e, d.repo.get(accountId, e.sequenceId)),
        history: d.repo.stepRuns(accountId, e.id).map((r) => ({ step: r.step, status: r.status, result: r.result, at: iso(r.finishedAt ?? r.createdAt) })),
      }));
    },
  };
}

export type SequencesService = ReturnType<typeof createSequencesService>;
