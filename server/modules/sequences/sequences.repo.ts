import type { Db } from '../../../db/client.js';
import type { EnrollmentRow, SequenceRow } from '../../../db/schema/index.js';
import type { SequenceDefinition } from './sequences.schemas.js';

export type EnrollmentStatus = 'active' | 'paused' | 'stopped' | 'completed';
export type StepRunStatus = 'running' | 'done' | 'skipped' | 'failed';

export interface LoadedSequence extends Omit<SequenceRow, 'definition'> {
  definition: SequenceDefinition;
}
export interface StepRun {
  id: number;
  status: StepRunStatus;
  result: Record<string, unknown> | null;
}
export interface SequenceCounts {
  sequenceId: number;
  enrolled: number;
  active: number;
  paused: number;
  completed: number;
  stopped: number;
  stoppedByReply: number;
}

const ENROLLMENT_COLUMNS = `id, account_id AS accountId, sequence_id AS sequenceId, lead_id AS leadId, status, step, next_run_at AS nextRunAt,
  stop_reason AS stopReason, enrolled_by AS enrolledBy, pipeline_id AS pipelineId, status_id AS statusId, paused_at AS pausedAt,
  created_at AS createdAt, updated_at AS updatedAt`;

/** Sequences, their enrollments, step runs and unsubscribes. Every query is scoped by account. */
export function createSequencesRepo(db: Db) {
  const sqlite = db.$client;
  const s = {
    insert: sqlite.prepare(
      `INSERT INTO sequences (account_id, name, enabled, pipeline_id, status_id, definition, created_at, updated_at)
       VALUES (@accountId, @name, @enabled, @pipelineId, @statusId, @definition, @now, @now)`,
    ),
    update: sqlite.prepare(
      `UPDATE sequences SET name = @name, enabled = @enabled, pipeline_id = @pipelineId, status_id = @statusId, definition = @definition, updated_at = @now
       WHERE account_id = @accountId AND id = @id AND deleted_at IS NULL`,
    ),
    remove: sqlite.prepare('UPDATE sequences SET deleted_at = ?, enabled = 0 WHERE account_id = ? AND id = ? AND deleted_at IS NULL'),
    get: sqlite.prepare('SELECT * FROM sequences WHERE account_id = ? AND id = ?'),
    list: sqlite.prepare('SELECT * FROM sequences WHERE account_id = ? AND deleted_at IS NULL ORDER BY id'),
    counts: sqlite.prepare(
      `SELECT sequence_id AS sequenceId, count(*) AS enrolled, sum(status = 'active') AS active, sum(status = 'paused') AS paused,
              sum(status = 'completed') AS completed, sum(status = 'stopped') AS stopped,
              sum(status = 'stopped' AND stop_reason = 'client_replied') AS stoppedByReply
       FROM sequence_enrollments WHERE account_id = ? GROUP BY sequence_id`,
    ),
    enroll: sqlite.prepare(
      `INSERT INTO sequence_enrollments (account_id, sequence_id, lead_id, status, step, next_run_at, enrolled_by, pipeline_id, status_id, created_at, updated_at)
       VALUES (@accountId, @sequenceId, @leadId, 'active', 0, @nextRunAt, @enrolledBy, @pipelineId, @statusId, @now, @now)
       ON CONFLICT DO NOTHING`,
    ),
    enrollment: sqlite.prepare(`SELECT ${ENROLLMENT_COLUMNS} FROM sequence_enrollments WHERE account_id = ? AND id = ?`),
    live: sqlite.prepare(
      `SELECT ${ENROLLMENT_COLUMNS} FROM sequence_enrollments WHERE account_id = ? AND lead_id = ? AND status IN ('active', 'paused') ORDER BY id`,
    ),
    byLead: sqlite.prepare(`SELECT ${ENROLLMENT_COLUMNS} FROM sequence_enrollments WHERE account_id = ? AND lead_id = ? ORDER BY id DESC LIMIT ?`),
    liveOfSequence: sqlite.prepare(
      `SELECT ${ENROLLMENT_COLUMNS} FROM sequence_enrollments WHERE account_id = ? AND sequence_id = ? AND status IN ('active', 'paused') ORDER BY id`,
    ),
    setState: sqlite.prepare(
      `UPDATE sequence_enrollments SET status = @status, step = @step, next_run_at = @nextRunAt, stop_reason = @stopReason, paused_at = @pausedAt,
              updated_at = @now WHERE account_id = @accountId AND id = @id`,
    ),
    setStage: sqlite.prepare('UPDATE sequence_enrollments SET pipeline_id = ?, status_id = ?, updated_at = ? WHERE account_id = ? AND id = ?'),
    insertStepRun: sqlite.prepare(
      `INSERT INTO sequence_step_runs (account_id, enrollment_id, step, status, created_at) VALUES (?, ?, ?, 'running', ?)
       ON CONFLICT (account_id, enrollment_id, step) DO NOTHING`,
    ),
    stepRun: sqlite.prepare('SELECT id, status, result FROM sequence_step_runs WHERE account_id = ? AND enrollment_id = ? AND step = ?'),
    finishStepRun: sqlite.prepare('UPDATE sequence_step_runs SET status = ?, result = ?, finished_at = ? WHERE account_id = ? AND id = ?'),
    stepRuns: sqlite.prepare(
      'SELECT step, status, result, created_at AS createdAt, finished_at AS finishedAt FROM sequence_step_runs WHERE account_id = ? AND enrollment_id = ? ORDER BY step',
    ),
    unsubscribe: sqlite.prepare(
      'INSERT INTO unsubscribes (account_id, email, lead_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, email) DO NOTHING',
    ),
    unsubscribed: sqlite.prepare('SELECT 1 FROM unsubscribes WHERE account_id = ? AND email = ?'),
  };

  const parse = (r: Record<string, unknown>): LoadedSequence => ({
    id: r.id as number,
    accountId: r.account_id as number,
    name: r.name as string,
    enabled: r.enabled === 1,
    pipelineId: r.pipeline_id as number | null,
    statusId: r.status_id as number | null,
    definition: JSON.parse(r.definition as string) as SequenceDefinition,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    deletedAt: r.deleted_at as number | null,
  });

  return {
    insert(
      accountId: number,
      v: { name: string; enabled: boolean; pipelineId: number | null; statusId: number | null; definition: SequenceDefinition },
      now: number,
    ): number {
      const r = s.insert.run({ accountId, ...v, enabled: v.enabled ? 1 : 0, definition: JSON.stringify(v.definition), now });
      return Number(r.lastInsertRowid);
    },
    update(
      accountId: number,
      id: number,
      v: { name: string; enabled: boolean; pipelineId: number | null; statusId: number | null; definition: SequenceDefinition },
      now: number,
    ): boolean {
      return s.update.run({ accountId, id, ...v, enabled: v.enabled ? 1 : 0, definition: JSON.stringify(v.definition), now }).changes > 0;
    },
    remove: (accountId: number, id: number, now: number): boolean => s.remove.run(now, accountId, id).changes > 0,
    /** A sequence, deleted ones included (a running enrollment must learn its sequence is gone). */
    get(accountId: number, id: number): LoadedSequence | undefined {
      const r = s.get.get(accountId, id) as Record<string, unknown> | undefined;
      return r ? parse(r) : undefined;
    },
    list: (accountId: number): LoadedSequence[] => (s.list.all(accountId) as Record<string, unknown>[]).map(parse),
    counts: (accountId: number): SequenceCounts[] => s.counts.all(accountId) as SequenceCounts[],

    /** A new active enrollment, or null when the lead already has a live one in this sequence. */
    enroll(v: {
      accountId: number;
      sequenceId: number;
      leadId: number;
      nextRunAt: number;
      enrolledBy: string;
      pipelineId: number | null;
      statusId: number | null;
      now: number;
    }): number | null {
      const r = s.enroll.run(v);
      return r.changes === 0 ? null : Number(r.lastInsertRowid);
    },
    enrollment: (accountId: number, id: number): EnrollmentRow | undefined => s.enrollment.get(accountId, id) as EnrollmentRow | undefined,
    /** The lead's active and paused enrollments. */
    live: (accountId: number, leadId: number): EnrollmentRow[] => s.live.all(accountId, leadId) as EnrollmentRow[],
    liveOfSequence: (accountId: number, sequenceId: number): EnrollmentRow[] => s.liveOfSequence.all(accountId, sequenceId) as EnrollmentRow[],
    byLead: (accountId: number, leadId: number, limit = 50): EnrollmentRow[] => s.byLead.all(accountId, leadId, limit) as EnrollmentRow[],
    setState(
      accountId: number,
      id: number,
      v: { status: EnrollmentStatus; step: number; nextRunAt: number | null; stopReason: string | null; pausedAt: number | null },
      now: number,
    ) {
      s.setState.run({ accountId, id, ...v, now });
    },
    setStage: (accountId: number, id: number, pipelineId: number | null, statusId: number | null, now: number) =>
      void s.setStage.run(pipelineId, statusId, now, accountId, id),

    /** The step's run, created `running` if it is the first attempt. */
    stepRun(accountId: number, enrollmentId: number, step: number, now: number): StepRun {
      s.insertStepRun.run(accountId, enrollmentId, step, now);
      const r = s.stepRun.get(accountId, enrollmentId, step) as { id: number; status: StepRunStatus; result: string | null };
      return { id: r.id, status: r.status, result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null };
    },
    finishStepRun: (accountId: number, id: number, status: StepRunStatus, result: Record<string, unknown>, now: number) =>
      void s.finishStepRun.run(status, JSON.stringify(result), now, accountId, id),
    stepRuns: (accountId: number, enrollmentId: number) =>
      (
        s.stepRuns.all(accountId, enrollmentId) as {
          step: number;
          status: StepRunStatus;
          result: string | null;
          createdAt: number;
          finishedAt: number | null;
        }[]
      ).map((r) => ({ ...r, result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null })),

    unsubscribe: (accountId: number, email: string, leadId: number | null, now: number) => void s.unsubscribe.run(accountId, email.toLowerCase(), leadId, now),
    isUnsubscribed: (accountId: number, email: string): boolean => s.unsubscribed.get(accountId, email.toLowerCase()) !== undefined,
  };
}

export type SequencesRepo = ReturnType<typeof createSequencesRepo>;
