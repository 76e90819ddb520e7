import type { Db } from '../../../db/client.js';
import type { AgentActionRow } from '../../../db/schema/index.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import { UNDOABLE } from './actions.execute.js';
import { actionsOfDrafts, attachTurnProposals, proposedForDraft, swapActionStatus, updateAction } from './actions.repo.js';
import type { ToolName } from './actions.tools.js';
import { proposalText } from './proposals.texts.js';
import { needsApproval, validateToolCall, type ValidationContext } from './actions.validate.js';

/** What the proposals need from the action log's core (built in actions.service.ts). */
export interface ProposalCore {
  db: Db;
  clock: Clock;
  tx<T>(fn: () => T): T;
  logger: { warn(o: object, msg: string): void };
  execute(row: AgentActionRow, meta?: Record<string, unknown>): Promise<AgentActionRow>;
  revert(row: AgentActionRow, why: string): Promise<void>;
  refreshLead(accountId: number, leadId: number): Promise<void>;
  log(row: AgentActionRow, type: string, title: string, extra?: Record<string, unknown>, variant?: string): void;
  lang(accountId: number): Lang;
}

/** One action a person keeps when approving a draft; `args` (the tool's own argument shape) replaces the model's. */
export interface KeptAction {
  id: number;
  args?: Record<string, unknown>;
}

/** The account's catalog and the lead, to check edited arguments exactly as a model's tool call is checked. */
export type ProposalContext = Pick<ValidationContext, 'catalog' | 'lead' | 'approvalRequired'>;

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

/**
 * A stored action's arguments in the shape its tool takes (what the model sent), so the card can show
 * them for editing and send them back through the same zod schema.
 */
export function toolInput(type: string, args: Record<string, unknown>): Record<string, unknown> {
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined));
  switch (type) {
    case 'move_to_stage':
      return { statusId: args.statusId, pipelineId: args.pipelineId };
    case 'update_field': {
      const values = ((args.values as { value: unknown }[] | undefined) ?? []).map((v) => v.value);
      return { fieldId: args.fieldId, value: values.length === 1 ? values[0] : values };
    }
    case 'assign_user':
      return { userId: args.userId };
    case 'schedule_followup':
      return { inHours: args.inHours, text: args.text };
    default:
      return defined;
  }
}

/**
 * Draft mode: the model's CRM actions are stored as `proposed` with the draft, and run only when a
 * person approves it (with the list as they edited it). Discarding the draft discards them.
 */
export function createProposals(core: ProposalCore) {
  const { db, clock } = core;

  /** Check the kept list before anything runs: unknown ids and invalid arguments are 422s naming the item. */
  function plan(rows: AgentActionRow[], settled: Set<number>, keep: KeptAction[] | undefined, ctx: ProposalContext) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const list: KeptAction[] = keep ?? rows.map((r) => ({ id: r.id }));
    const errors: FieldError[] = [];
    const seen = new Set<number>();
    const kept: { row: AgentActionRow; args: Record<string, unknown>; summary: string; approval: boolean; edited: boolean }[] = [];
    for (const [i, k] of list.entries()) {
      // Already run by an earlier approval whose reply then failed to go out: the retry sends the reply only.
      if (settled.has(k.id)) continue;
      const row = byId.get(k.id);
      if (!row || seen.has(k.id)) {
        errors.push({ field: `actions.${i}.id`, message: `action ${k.id} is not a pending action of this draft` });
        continue;
      }
      seen.add(k.id);
      if (!k.args) {
        kept.push({ row, args: row.args, summary: row.summary, approval: needsApproval(row.type as ToolName, row.args, ctx.approvalRequired), edited: false });
        continue;
      }
      const v = validateToolCall(row.type, JSON.stringify(k.args), { ...ctx, allowed: [row.type] });
      if (!v.ok) errors.push({ field: `actions.${i}.args`, message: v.error });
      else kept.push({ row, args: v.action.args, summary: v.action.summary, approval: v.action.needsApproval, edited: true });
    }
    if (errors.length) throw new AppError('VALIDATION_FAILED', `Invalid request body: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
    kept.sort((a, b) => a.row.seq - b.row.seq);
    return { kept, dropped: rows.filter((r) => !seen.has(r.id)) };
  }

  return {
    /** Inside the caller's transaction: the turn's proposed actions now belong to its draft. */
    attachToDraft(accountId: number, turnId: number, draftId: number) {
      attachTurnProposals(db, accountId, turnId, draftId, clock.now());
    },

    /** Every action proposed with these drafts (any status), for the lead panel. */
    ofDrafts: (accountId: number, draftIds: number[]) => actionsOfDrafts(db, accountId, draftIds),

    /**
     * Run what a person kept of a draft's proposals, in the model's order. Removed ones are discarded;
     * those the approval list reserves for an admin wait as `pending_approval`. When Kommo refuses one,
     * the ones that ran are rolled back and everything kept is proposed again: the draft stays pending.
     */
    async approveDraft(input: {
      accountId: number;
      leadId: number;
      draftId: number;
      userId: number;
      keep?: KeptAction[];
      ctx: ProposalContext;
    }): Promise<{ done: AgentActionRow[]; pending: AgentActionRow[] }> {
      const { accountId, draftId, userId } = input;
      const all = actionsOfDrafts(db, accountId, [draftId]);
      const settled = new Set(all.filter((a) => a.status !== 'proposed').map((a) => a.id));
      const { kept, dropped } = plan(
        all.filter((a) => a.status === 'proposed'),
        settled,
        input.keep,
        input.ctx,
      );
      core.tx(() => {
        const now = clock.now();
        for (const r of dropped) {
          if (!swapActionStatus(db, accountId, r.id, 'proposed', 'discarded', now)) continue;
          core.log(
            { ...r, status: 'discarded' },
            'agent.action_discarded',
            proposalText(core.lang(accountId), 'removed', r.summary),
            { draftId, by: userId },
            'removed',
          );
        }
        for (const k of kept) if (k.edited) updateAction(db, accountId, k.row.id, { args: k.args, summary: k.summary }, now);
      });
      const done: AgentActionRow[] = [];
      const pending: AgentActionRow[] = [];
      const meta = { draftId, approvedBy: userId };
      for (const k of kept.filter((x) => !x.approval)) {
        if (!swapActionStatus(db, accountId, k.row.id, 'proposed', 'running', clock.now())) continue;
        updateAction(db, accountId, k.row.id, { approvedBy: userId }, clock.now());
        const row = { ...k.row, args: k.args, summary: k.summary, status: 'running', approvedBy: userId };
        try {
          done.push(await core.execute(row, meta));
        } catch (err) {
          await rollBack(done, row, err);
          throw new AppError('UPSTREAM_FAILED', `Kommo refused "${k.summary}" (${errText(err)}); the draft is still pending and nothing else was changed.`);
        }
      }
      core.tx(() => {
        for (const k of kept.filter((x) => x.approval)) {
          if (!swapActionStatus(db, accountId, k.row.id, 'proposed', 'pending_approval', clock.now())) continue;
          const row = { ...k.row, args: k.args, summary: k.summary, status: 'pending_approval' };
          core.log(row, 'agent.action', `Agent action waiting for approval: ${k.summary}`, { ...meta, status: 'pending_approval' }, 'waiting');
          pending.push(row);
        }
      });
      if (done.length) await core.refreshLead(accountId, input.leadId);
      return { done, pending };
    },

    /** Inside the caller's transaction: the draft was discarded, so nothing it proposed will run. */
    discardDraft(accountId: number, draftId: number, userId: number) {
      const now = clock.now();
      for (const r of proposedForDraft(db, accountId, draftId)) {
        if (!swapActionStatus(db, accountId, r.id, 'proposed', 'discarded', now)) continue;
        core.log(
          { ...r, status: 'discarded' },
          'agent.action_discarded',
          proposalText(core.lang(accountId), 'discarded', r.summary),
          { draftId, by: userId },
          'discarded',
        );
      }
    },
  };

  /** Undo what ran of this approval (newest first) and put it, and the failed one, back as proposed. */
  async function rollBack(done: AgentActionRow[], failed: AgentActionRow, err: unknown) {
    const reset: AgentActionRow[] = [];
    for (const prev of [...done].reverse()) {
      if (!UNDOABLE.has(prev.type)) continue;
      try {
        await core.revert(prev, `rolled back: "${failed.summary}" failed when the draft was approved`);
        reset.push(prev);
      } catch (undoErr) {
        core.logger.warn({ actionId: prev.id, err: errText(undoErr) }, 'rollback of an approved action failed');
      }
    }
    core.tx(() => {
      const now = clock.now();
      updateAction(db, failed.accountId, failed.id, { status: 'proposed', approvedBy: null, error: errText(err) }, now);
      for (const r of reset) updateAction(db, r.accountId, r.id, { status: 'proposed', approvedBy: null, before: null, after: null, kommoIds: null }, now);
    });
  }
}

export type Proposals = ReturnType<typeof createProposals>;
