import type { Db } from '../../../db/client.js';
import type { AgentActionRow } from '../../../db/schema/index.js';
import { KommoBlockedError, KommoRateLimitedError, KommoUnavailableError } from '../../kommo/client/errors.js';
import type { KommoApi } from '../../kommo/client/types.js';
import { RetryAfterError } from '../../jobs/errors.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { EventBus } from '../../lib/bus.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import { leadRow } from '../mirror/mirror.map.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { actionByRuleSeq, actionByStepRun, actionByTurnSeq, getAction, insertAction, swapActionStatus, updateAction } from './actions.repo.js';
import { executeAction, undoAction, UNDOABLE } from './actions.execute.js';
import { createProposals } from './actions.proposals.js';
import { actionParams } from './action-params.js';
import { accountLang, PROPOSAL_TEXTS, proposalText } from './proposals.texts.js';
import type { ToolName } from './actions.tools.js';
import type { PlannedAction } from './actions.validate.js';

export interface ActionsDeps {
  db: Db;
  clock: Clock;
  activity: ActivityService;
  mirror: MirrorRepo;
  accounts: Pick<AccountsRepo, 'settings'>;
  tx<T>(fn: () => T): T;
  /** The same, committed together with the other writes of this tick (many actions at once share a COMMIT). Defaults to `tx`. */
  groupTx?<T>(fn: () => T): Promise<T>;
  kommo: { api(accountId: number): KommoApi };
  logger: { warn(o: object, msg: string): void };
  /** Announces an agent's own stage moves (lead_moved_by_agent) for the quality figures. */
  bus?: EventBus;
}

export type PlanOutcome =
  | { ok: true; done: AgentActionRow[]; pending: AgentActionRow[] }
  | { ok: false; failed: AgentActionRow; error: string; rolledBack: AgentActionRow[] };

/** Kommo said "later" (rate limit, block, outage): the queue retries the turn instead of rolling it back. */
function transient(err: unknown, now: number): Error | null {
  if (err instanceof KommoRateLimitedError) return new RetryAfterError(err.retryAfterMs, err.message);
  if (err instanceof KommoBlockedError) return new RetryAfterError(Math.max(1000, err.until - now), err.message);
  if (err instanceof KommoUnavailableError) return err;
  return null;
}

/** Who took an action: an agent's turn, a rule run or a sequence step (names the activity entry). */
function originOf(row: AgentActionRow): { kind: 'agent' | 'rule' | 'sequence'; label: string } {
  if (row.ruleRunId) return { kind: 'rule', label: 'Rule' };
  if (row.stepRunId) return { kind: 'sequence', label: 'Sequence' };
  return { kind: 'agent', label: 'Agent' };
}

/** Actions after which the lead in Kommo is as the mirror has it (its stage, fields, tags and responsible user are untouched). */
const LEAVES_LEAD_AS_IS = new Set(['add_note', 'create_task']);

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

export function createActionsService(deps: ActionsDeps) {
  const { db, clock, activity } = deps;
  const commit = <T>(fn: () => T): Promise<T> => (deps.groupTx ? deps.groupTx(fn) : Promise.resolve(deps.tx(fn)));

  /** `variant` picks the widget's text for the type (done, failed, undone, waiting…); the action fills it. */
  function log(row: AgentActionRow, type: string, title: string, extra: Record<string, unknown> = {}, variant?: string) {
    activity.write({
      params: { ...actionParams(row.type, row.args, row.summary), ...(variant ? { variant } : {}) },
      accountId: row.accountId,
      agentId: row.agentId,
      leadId: row.leadId,
      type,
      title,
      description: row.summary,
      metadata: { actionId: row.id, action: row.type, args: row.args, kommoIds: row.kommoIds, turnId: row.turnId, ...extra },
    });
  }

  /** Execute one stored action in Kommo and record before/after. Throws what Kommo threw (the row is then `failed`). */
  async function execute(row: AgentActionRow, meta: Record<string, unknown> = {}): Promise<AgentActionRow> {
    const api = deps.kommo.api(row.accountId);
    try {
      const res = await executeAction(api, row.leadId, row.type as ToolName, row.args, clock.now());
      const done = await commit(() => {
        updateAction(db, row.accountId, row.id, { status: 'done', before: res.before, after: res.after, kommoIds: res.kommoIds, error: null }, clock.now());
        const r = { ...row, status: 'done', before: res.before, after: res.after, kommoIds: res.kommoIds };
        const o = originOf(row);
        log(r, `${o.kind}.action`, `${o.label} action: ${row.summary}`, meta, 'done');
        const from = res.before as { pipelineId?: number; statusId?: number } | null;
        const to = res.after as { pipelineId?: number; statusId?: number } | null;
        if (row.type === 'move_to_stage' && o.kind === 'agent' && from?.pipelineId && from.statusId && to?.pipelineId && to.statusId)
          deps.bus?.emit('lead_moved_by_agent', {
            accountId: row.accountId,
            leadId: row.leadId,
            agentId: row.agentId,
            actionId: row.id,
            from: { pipelineId: from.pipelineId, statusId: from.statusId },
            to: { pipelineId: to.pipelineId, statusId: to.statusId },
          });
        return r;
      });
      return done;
    } catch (err) {
      deps.tx(() => {
        updateAction(db, row.accountId, row.id, { status: 'failed', error: errText(err) }, clock.now());
        const o = originOf(row);
        log(
          { ...row, status: 'failed' },
          `${o.kind}.error`,
          `${o.label} action failed: ${row.summary}`,
          {
            ...meta,
            error: errText(err),
          },
          'failed',
        );
      });
      throw err;
    }
  }

  async function revert(row: AgentActionRow, why: string): Promise<void> {
    const cancelled = PROPOSAL_TEXTS[lang(row.accountId)].taskCancelled;
    await undoAction(deps.kommo.api(row.accountId), row.leadId, row.type, row.before, row.after, cancelled);
    deps.tx(() => {
      updateAction(db, row.accountId, row.id, { status: 'undone' }, clock.now());
      log({ ...row, status: 'undone' }, 'agent.action', `Agent action undone: ${row.summary}`, { why }, 'undone');
    });
  }

  /** Pull the lead back into the mirror after we changed it, so the next turn sees its new stage. */
  async function refreshLead(accountId: number, leadId: number): Promise<void> {
    try {
      const lead = await deps.kommo.api(accountId).getLead(leadId, ['contacts']);
      await commit(() => {
        if (deps.mirror.upsertLeads(accountId, [lead], clock.now()) > 0) return;
        // Kommo's updated_at has 1 s resolution: a write in the same second as the last sync keeps the
        // same timestamp, which the mirror's upsert ignores. This read follows our own write, so it wins ties.
        deps.mirror.applyOwnLeadRead(leadRow(accountId, lead, clock.now()));
      });
    } catch (err) {
      deps.logger.warn({ accountId, leadId, err: errText(err) }, 'could not refresh the lead after agent actions');
    }
  }

  const lang = (accountId: number) => accountLang(deps.accounts.settings(accountId));
  const proposals = createProposals({ db, clock, tx: deps.tx, logger: deps.logger, execute, revert, refreshLead, log, lang });

  return {
    ...proposals,
    /**
     * Run a turn's actions in order. Idempotent per (turn, position): a retried turn skips what ran.
     * Risky actions become `pending_approval`; those `hold` marks (draft mode) are stored as `proposed`,
     * to run when a person approves the turn's draft. When one fails, the turn's earlier actions are
     * undone in Kommo in reverse order.
     */
    async runPlan(input: {
      accountId: number;
      leadId: number;
      agentId: number;
      turnId: number;
      actions: PlannedAction[];
      meta?: Record<string, unknown>;
      finalAttempt?: boolean;
      hold?: (a: PlannedAction) => boolean;
    }): Promise<PlanOutcome> {
      const done: AgentActionRow[] = [];
      const pending: AgentActionRow[] = [];
      for (const [seq, a] of input.actions.entries()) {
        let row = actionByTurnSeq(db, input.accountId, input.turnId, seq);
        if (row?.status === 'done') {
          done.push(row);
          continue;
        }
        if (row && ['pending_approval', 'undone', 'proposed', 'discarded'].includes(row.status)) {
          if (row.status === 'pending_approval' || row.status === 'proposed') pending.push(row);
          continue;
        }
        if (!row) {
          const base = {
            accountId: input.accountId,
            leadId: input.leadId,
            agentId: input.agentId,
            turnId: input.turnId,
            seq,
            type: a.type,
            args: a.args,
            summary: a.summary,
          };
          const held = input.hold?.(a) ?? false;
          row = deps.tx(() => {
            if (held) {
              const r = insertAction(db, { ...base, status: 'proposed' }, clock.now());
              log(r, 'agent.action_proposed', proposalText(lang(r.accountId), 'proposed', a.summary), { ...input.meta, status: 'proposed' }, 'proposed');
              return r;
            }
            const r = insertAction(db, { ...base, status: a.needsApproval ? 'pending_approval' : 'running' }, clock.now());
            if (a.needsApproval)
              log(r, 'agent.action', `Agent action waiting for approval: ${a.summary}`, { ...input.meta, status: 'pending_approval' }, 'waiting');
            return r;
          });
          if (held || a.needsApproval) {
            pending.push(row);
            continue;
          }
        }
        try {
          done.push(await execute(row, input.meta));
        } catch (err) {
          const later = transient(err, clock.now());
          // A retried turn resumes at this action (done ones are skipped); only a real refusal, or the last attempt, rolls back.
          if (later && !input.finalAttempt) throw later;
          const rolledBack: AgentActionRow[] = [];
          for (const prev of [...done].reverse()) {
            if (!UNDOABLE.has(prev.type)) continue;
            try {
              await revert(prev, `rolled back: "${row.summary}" failed in the same turn`);
              rolledBack.push(prev);
            } catch (undoErr) {
              deps.logger.warn({ actionId: prev.id, err: errText(undoErr) }, 'rollback of an agent action failed');
            }
          }
          return { ok: false, failed: { ...row, status: 'failed', error: errText(err) }, error: errText(err), rolledBack };
        }
      }
      return { ok: true, done, pending };
    },

    /**
     * One CRM action of a rule run or a sequence step, through the same log as the agents' (before/after values, undo).
     * Idempotent per origin — (rule run, position) or step run: a retried run finds the action done and skips it.
     */
    async runAutomationAction(input: {
      accountId: number;
      leadId: number;
      origin: { ruleRunId: number; seq: number } | { stepRunId: number };
      action: PlannedAction;
      meta?: Record<string, unknown>;
    }): Promise<AgentActionRow> {
      const o = input.origin;
      let row = 'ruleRunId' in o ? actionByRuleSeq(db, input.accountId, o.ruleRunId, o.seq) : actionByStepRun(db, input.accountId, o.stepRunId);
      if (row && row.status !== 'running' && row.status !== 'failed') return row;
      if (!row) {
        const a = input.action;
        row = await commit(() =>
          insertAction(
            db,
            {
              accountId: input.accountId,
              leadId: input.leadId,
              agentId: 0,
              turnId: null,
              ruleRunId: 'ruleRunId' in o ? o.ruleRunId : null,
              stepRunId: 'stepRunId' in o ? o.stepRunId : null,
              seq: 'seq' in o ? o.seq : 0,
              type: a.type,
              args: a.args,
              summary: a.summary,
              status: 'running',
            },
            clock.now(),
          ),
        );
      }
      const done = await execute(row, { ...input.meta, ...o });
      // A note or a task changes nothing the mirror keeps of the lead: no read back (one Kommo request saved).
      if (!LEAVES_LEAD_AS_IS.has(row.type)) await refreshLead(input.accountId, input.leadId);
      return done;
    },

    /** The lead an action belongs to (the caller checks the user's rights on it first). */
    leadOf(accountId: number, id: number): number {
      const row = getAction(db, accountId, id);
      if (!row) throw notFound(`Action ${id}`);
      return row.leadId;
    },

    /** POST /api/actions/:id/undo, by `userId` (recorded). */
    async undo(accountId: number, id: number, userId: number): Promise<AgentActionRow> {
      const row = getAction(db, accountId, id);
      if (!row) throw notFound(`Action ${id}`);
      if (!UNDOABLE.has(row.type)) throw conflict(`A ${row.type.replace(/_/g, ' ')} action cannot be undone through Kommo's API`);
      if (!swapActionStatus(db, accountId, id, 'done', 'running', clock.now()))
        throw conflict(`Action ${id} is ${row.status}; only a done action can be undone`);
      try {
        await revert(row, 'undone by a user');
      } catch (err) {
        updateAction(db, accountId, id, { status: 'done' }, clock.now());
        throw new AppError('UPSTREAM_FAILED', `Kommo refused the undo: ${errText(err)}`);
      }
      updateAction(db, accountId, id, { undoneBy: userId }, clock.now());
      await refreshLead(accountId, row.leadId);
      return { ...row, status: 'undone', undoneBy: userId };
    },

    /** POST /api/actions/:id/approve: execute an action that waited for a human. */
    async approve(accountId: number, id: number, userId: number): Promise<AgentActionRow> {
      const row = getAction(db, accountId, id);
      if (!row) throw notFound(`Action ${id}`);
      if (!swapActionStatus(db, accountId, id, 'pending_approval', 'running', clock.now()))
        throw conflict(`Action ${id} is ${row.status}; only a pending action can be approved`);
      updateAction(db, accountId, id, { approvedBy: userId }, clock.now());
      try {
        const done = await execute({ ...row, status: 'running' });
        await refreshLead(accountId, row.leadId);
        return done;
      } catch (err) {
        throw new AppError('UPSTREAM_FAILED', `Kommo refused the action: ${errText(err)}`);
      }
    },

    refreshLead,
  };
}

export type ActionsService = ReturnType<typeof createActionsService>;
