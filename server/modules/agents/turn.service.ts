import type { Db } from '../../../db/client.js';
import type { AgentRow, AgentTurnRow } from '../../../db/schema/index.js';
import { PermanentJobError, RetryAfterError } from '../../jobs/errors.js';
import type { JobContext } from '../../jobs/worker.js';
import type { Clock } from '../../lib/clock.js';
import type { Notifier } from '../../lib/ports.js';
import { LlmPermanentError, LlmRateLimitedError } from '../../llm/llm.errors.js';
import type { LlmClient } from '../../llm/llm.types.js';
import type { ModelPolicy } from '../../llm/models.js';
import { estimateCostUsd } from '../../llm/pricing.js';
import type { ActivityParams, ActivityService } from '../activity/activity.service.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { PlannedAction } from '../actions/actions.validate.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { CrmLead, MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { agentForStage, getAgent, stageBinding } from './agents.repo.js';
import { texts } from './agents.texts.js';
import type { BudgetService } from './budget.service.js';
import type { DeliveryService, ReplyTarget } from './delivery.service.js';
import type { HandoffService } from './handoff.service.js';
import type { HandoffReasonKey } from './handoff.texts.js';
import type { LeadStateRepo } from './lead-state.repo.js';
import { gatherTurn, leadHistory } from './turn.gather.js';
import { clientLang, PRICE_GUARDRAIL, SAFE_PRICE_REPLIES, trimReply, unsupportedAmounts } from './turn.guardrails.js';
import type { TurnPayload, TurnTrigger } from './turn.job.js';
import { describeCuts, type TurnCuts, type TurnLimits } from './turn.caps.js';
import { runModel } from './turn.model.js';
import { countAnswers, countAnswersSince, FINAL_TURN, insertTurn, turnByKey, updateTurn, type TurnStatus } from './turns.repo.js';
import { nextOpenAt } from './working-hours.js';

export interface TurnDeps {
  db: Db;
  conversations: ConversationsRepo;
  clock: Clock;
  activity: ActivityService;
  tx<T>(fn: () => T): T;
  llm: LlmClient;
  crm: MirrorReadRepo;
  knowledge: KnowledgeService;
  leadState: LeadStateRepo;
  actions: ActionsService;
  delivery: DeliveryService;
  handoff: HandoffService;
  budget: BudgetService;
  models: ModelPolicy;
  limits: TurnLimits;
  notifier: Notifier;
}

/** The model's answer, kept on the turn so a retried job executes and delivers without asking again. */
export interface TurnPlan {
  reply: string;
  actions: PlannedAction[];
  handoffReason: string | null;
  invalidAfterRetry: string | null;
  citations: { entryId: number; title: string }[];
  guardrail: string | null;
  /** The model's reply the guardrail replaced, and the rule that did. */
  guardrailOriginal?: string | null;
  guardrailRule?: string;
  model: string;
  /** What the per-turn caps cut from the prompt or the plan (missing on plans saved before the caps). */
  cuts?: TurnCuts | null;
  /** Set when the agent's model has left the allowlist and the default answered. */
  modelFallback?: { configured: string; used: string } | null;
}

const DAY_MS = 86_400_000;

/** Draft mode holds the model's actions for the draft's approval, except the kinds an admin lets run at once. */
const heldBy = (agent: AgentRow) => (agent.mode === 'autopilot' ? undefined : (a: PlannedAction) => !agent.runWithoutApproval.includes(a.type));
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export function createTurnService(deps: TurnDeps) {
  const { db, clock, activity, crm, conversations } = deps;

  function inboundTexts(accountId: number, trigger: TurnTrigger): string[] {
    if (trigger.kind !== 'message') return [];
    return conversations.texts(accountId, trigger.messageIds);
  }

  function eventText(accountId: number, trigger: TurnTrigger): string | undefined {
    if (trigger.kind === 'call_missed')
      return `The client called${trigger.phone ? ` from ${trigger.phone}` : ''} and nobody answered. Write a short message offering to help.`;
    if (trigger.kind === 'stage_entered') {
      const st = crm.stage(accountId, trigger.pipelineId, trigger.statusId);
      return `The lead entered the stage "${st?.name ?? trigger.statusId}". Start or continue the conversation as the script says for this stage.`;
    }
    if (trigger.kind === 'proactive') {
      const why =
        trigger.reason === 'greet'
          ? 'The lead has just entered this stage. Write the first message to the client: greet them and open the conversation as the script says for this stage.'
          : trigger.reason === 'followup'
            ? 'The client has not answered. Write a short, friendly follow-up that moves the conversation on, using what was said so far; do not repeat earlier messages.'
            : 'Write to the client now, as the script says for this stage, using what was said so far.';
      return trigger.instruction ? `${why} Instruction from the sales team: ${trigger.instruction}` : why;
    }
    return undefined;
  }

  /** Plan the turn: context, the model with validated tools, then the guardrails on the reply. */
  async function plan(agent: AgentRow, lead: CrmLead & { accountId: number }, trigger: TurnTrigger, clientTexts: string[], signal: AbortSignal) {
    const maxId = trigger.kind === 'message' ? Math.max(...trigger.messageIds) : null;
    const history = leadHistory(conversations, lead.accountId, lead.id, maxId);
    const queryText = clientTexts.length
      ? clientTexts.join('\n')
      : history
          .filter((h) => h.direction === 'inbound')
          .slice(-3)
          .map((h) => h.text)
          .join('\n');
    const g = gatherTurn(deps, { accountId: lead.accountId, agent, lead, history, event: eventText(lead.accountId, trigger), queryText });
    const chosen = deps.models.effective(agent.model);
    // In draft mode a held action waits for a person, and the model is told so ("do not tell the client it is
    // done"). The flag only words the tool result: runPlan holds these as proposed, not pending approval.
    const held = heldBy(agent);
    const out = await runModel(deps.llm, {
      model: chosen.model,
      temperature: agent.temperature,
      messages: g.messages,
      tools: g.tools,
      validate: (name, args) => {
        const v = g.validate(name, args);
        return v.ok && v.action.type !== 'handoff_to_human' && held?.(v.action) ? { ok: true, action: { ...v.action, needsApproval: true } } : v;
      },
      signal,
      maxActions: deps.limits.actions,
    });
    let reply = trimReply(out.reply, agent.maxReplyChars);
    let guardrail: string | null = null;
    let guardrailOriginal: string | null = null;
    const invented = unsupportedAmounts(reply, g.trustedText);
    if (invented.length) {
      guardrail = `The reply stated ${invented.join(', ')}, which is not in the knowledge base or the lead data; a safe reply was sent instead.`;
      guardrailOriginal = reply;
      reply = SAFE_PRICE_REPLIES[clientLang(agent.language, queryText)];
    }
    const cuts: TurnCuts | null = out.dropped.length ? { ...g.cuts, actions: { limit: deps.limits.actions, dropped: out.dropped } } : g.cuts;
    const p: TurnPlan = {
      reply,
      actions: out.actions,
      handoffReason: out.handoffReason,
      invalidAfterRetry: out.invalidAfterRetry,
      citations: g.citations,
      guardrail,
      ...(guardrail ? { guardrailOriginal, guardrailRule: PRICE_GUARDRAIL } : {}),
      model: out.model,
      cuts,
      modelFallback: chosen.fallback ? { configured: agent.model, used: chosen.model } : null,
    };
    return { plan: p, usage: out.usage };
  }

  async function run(payload: TurnPayload, ctx: JobContext): Promise<void> {
    const { accountId, leadId, trigger } = payload;
    const now = clock.now();
    const mirrorLead = crm.lead(accountId, leadId);
    if (!mirrorLead || mirrorLead.pipelineId === null || mirrorLead.statusId === null) return;
    let turn = turnByKey(db, accountId, payload.turnKey);
    if (turn && FINAL_TURN.has(turn.status)) return;
    // Until the model has answered, the agent of the stage the lead is in now answers (or nobody: the
    // stage may have changed since the trigger). Once planned, the turn finishes with its own agent,
    // even if its own move_to_stage took the lead out of that stage.
    // A trigger may name its agent (a DP or Salesbot agent_id, a rule's or a sequence's); else the stage's.
    const named = 'agentId' in trigger && trigger.agentId ? getAgent(db, accountId, trigger.agentId) : undefined;
    const agent = turn?.plan ? getAgent(db, accountId, turn.agentId) : (named ?? agentForStage(db, accountId, mirrorLead.pipelineId, mirrorLead.statusId));
    if (!agent) return;
    const lead = { ...mirrorLead, accountId };
    if (turn && turn.agentId !== agent.id) deps.tx(() => updateTurn(db, accountId, turn!.id, { agentId: agent.id }));
    // The stage the lead is in as the turn starts: the quality figures per stage count the turn there.
    const stage = { pipelineId: mirrorLead.pipelineId, statusId: mirrorLead.statusId };
    turn ??= deps.tx(() => insertTurn(db, { accountId, leadId, agentId: agent.id, turnKey: payload.turnKey, trigger, ...stage }, now));
    const t: AgentTurnRow = turn;

    const log = (type: string, title: string, description: string | null, metadata: Record<string, unknown> = {}, params: ActivityParams = {}) =>
      activity.write({
        accountId,
        agentId: agent.id,
        leadId,
        type,
        title,
        description,
        metadata: { turnId: t.id, trigger: trigger.kind, ...metadata },
        params: { agent: agent.name, ...params },
      });
    const finish = (status: TurnStatus, reason: string | null, extra: Partial<Omit<AgentTurnRow, 'status'>> = {}) =>
      deps.tx(() => updateTurn(db, accountId, t.id, { status, reason, finishedAt: clock.now(), ...extra }));
    const skip = (reason: string, title: string, params: ActivityParams = {}) =>
      deps.tx(() => {
        updateTurn(db, accountId, t.id, { status: 'skipped', reason, finishedAt: clock.now() });
        log('agent.skipped', title, reason, {}, { variant: reason, ...params });
      });
    const inbound = inboundTexts(accountId, trigger);
    type HandoffOpts = {
      type?: string;
      stop?: boolean;
      metadata?: Record<string, unknown>;
      reasonText?: { key: HandoffReasonKey; vars: Record<string, string | number> };
    };
    const handoff = async (reason: string, opts: HandoffOpts = {}) => {
      await deps.handoff.run({ accountId, leadId, agentId: agent.id, agentName: agent.name, turnId: t.id, reason, lastClientText: inbound.at(-1), ...opts });
      finish('handoff', reason);
    };
    /**
     * The model API refuses us for good (no credit, a bad key): no retry. The lead goes to its responsible
     * user (the agent is not stopped on it: it answers again once the service is fixed), the turn fails,
     * the admins hear about it once a day per cause, and the job ends dead with the reason.
     */
    const failPermanently = async (err: LlmPermanentError): Promise<never> => {
      await deps.handoff.run({
        accountId,
        leadId,
        agentId: agent.id,
        agentName: agent.name,
        turnId: t.id,
        reason: err.message,
        lastClientText: inbound.at(-1),
        stop: false,
        type: 'agent.error',
        metadata: { error: err.message, llmError: err.reason },
      });
      deps.tx(() => {
        updateTurn(db, accountId, t.id, { status: 'failed', reason: `llm_${err.reason}`, finishedAt: clock.now() });
        deps.budget.notifyUnavailable(accountId, err.reason);
      });
      throw new PermanentJobError(err.message, { cause: err });
    };

    try {
      // Checks, cheapest first. They run on every attempt: a human may have stepped in meanwhile.
      const st = deps.leadState.get(accountId, leadId);
      if (st?.handoffActive) return skip('handoff_active', `${agent.name} stays quiet: a human has taken over this lead`);
      if (st?.pausedUntil && st.pausedUntil > now)
        return skip('paused', `${agent.name} is paused for this lead until ${new Date(st.pausedUntil).toISOString()}`, {
          until: new Date(st.pausedUntil).toISOString(),
        });
      const openAt = nextOpenAt(agent.workingHours ?? null, now);
      if (openAt === null) return skip('no_working_hours', `${agent.name} has no working hours set, so it never replies`);
      if (openAt > now) {
        if (t.status !== 'deferred') {
          deps.tx(() => {
            updateTurn(db, accountId, t.id, { status: 'deferred', reason: 'outside_working_hours' });
            log(
              'agent.deferred',
              `${agent.name} will reply when working hours start`,
              `Outside working hours; the reply is scheduled for ${new Date(openAt).toISOString()}.`,
              { runAt: openAt },
              { at: new Date(openAt).toISOString() },
            );
          });
        }
        throw new RetryAfterError(openAt - now, `outside working hours until ${new Date(openAt).toISOString()}`);
      }

      let p = t.plan as TurnPlan | null;
      if (!p) {
        if (countAnswersSince(db, accountId, leadId, now - DAY_MS) >= agent.maxRepliesPerLeadPerDay) {
          return skip('daily_cap', `${agent.name} reached its limit of ${agent.maxRepliesPerLeadPerDay} replies to this lead in 24 hours`, {
            limit: agent.maxRepliesPerLeadPerDay,
          });
        }
        const joined = inbound.join('\n').toLowerCase();
        const keyword = agent.handoff.keywords.find((k) => joined.includes(k.toLowerCase()));
        if (keyword) return handoff(`the client wrote "${keyword}"`, { reasonText: { key: 'reasonKeyword', vars: { keyword } } });
        if (agent.handoff.afterTurns !== null && countAnswers(db, accountId, leadId, agent.id) >= agent.handoff.afterTurns) {
          const turns = agent.handoff.afterTurns;
          return handoff(`the agent already answered ${turns} times on this lead`, { reasonText: { key: 'reasonAfterTurns', vars: { turns } } });
        }
        const budget = deps.budget.state(accountId);
        if (budget.exhausted) {
          const d = deps.budget.describe(budget);
          return deps.tx(() => {
            updateTurn(db, accountId, t.id, { status: 'skipped', reason: 'budget_exhausted', finishedAt: clock.now() });
            log(
              'agent.skipped',
              texts.budgetSkipTitle(agent.name),
              texts.budgetSkipDetail(d.used, d.limit, d.resetsAt),
              { reason: 'budget_exhausted', budget: { month: budget.month, used: budget.used, limit: budget.limit, exhaustedBy: budget.exhaustedBy } },
              { variant: 'budget_exhausted', used: d.used, limit: d.limit, resetsAt: d.resetsAt },
            );
            deps.budget.notifyExhausted(accountId, budget);
          });
        }
        let planned: Awaited<ReturnType<typeof plan>>;
        try {
          planned = await plan(agent, lead, trigger, inbound, ctx.signal);
        } catch (err) {
          if (err instanceof LlmRateLimitedError) throw new RetryAfterError(err.retryAfterMs, err.message);
          if (err instanceof LlmPermanentError) return failPermanently(err);
          if (ctx.job.attempts < ctx.job.maxAttempts) throw err;
          return handoff(`the AI model could not answer after ${ctx.job.attempts} attempts (${errText(err)})`, {
            type: 'agent.error',
            reasonText: { key: 'reasonModelFailed', vars: { attempts: ctx.job.attempts, error: errText(err) } },
            metadata: { error: errText(err) },
          });
        }
        p = planned.plan;
        const cost = estimateCostUsd(p.model, planned.usage.promptTokens, planned.usage.completionTokens);
        const saved = p;
        deps.tx(() => {
          updateTurn(db, accountId, t.id, {
            plan: { ...saved },
            reply: saved.reply,
            promptTokens: planned.usage.promptTokens,
            completionTokens: planned.usage.completionTokens,
            costUsd: cost,
          });
          if (saved.guardrail) log('agent.guardrail', `${agent.name}'s reply was replaced by a safe one`, saved.guardrail, {}, { rule: 'price' });
          const cut = describeCuts(saved.cuts);
          if (cut) log('agent.limits', texts.limitsTitle(agent.name), cut, { cuts: saved.cuts });
        });
        deps.budget.record(accountId, { ...planned.usage, costUsd: cost }, 'turn');
        t.promptTokens = planned.usage.promptTokens;
        t.completionTokens = planned.usage.completionTokens;
        t.costUsd = cost;
      }
      const meta = {
        model: p.model,
        tokens: { prompt: t.promptTokens, completion: t.completionTokens },
        costUsd: t.costUsd,
        citations: p.citations,
        ...(p.cuts ? { cuts: p.cuts } : {}),
        ...(p.modelFallback ? { modelFallback: p.modelFallback } : {}),
      };
      if (p.invalidAfterRetry) return handoff(`the model asked for an invalid CRM action twice (${p.invalidAfterRetry.slice(0, 300)})`, { metadata: meta });

      // Draft means draft: the actions wait for the person who approves the reply, except the kinds an
      // admin lets run at once. Autopilot runs them now (the approval list still holds the risky ones).
      const hold = heldBy(agent);
      const heldAny = Boolean(hold && p.actions.some(hold));
      if (p.actions.length) {
        const r = await deps.actions.runPlan({
          accountId,
          leadId,
          agentId: agent.id,
          turnId: t.id,
          actions: p.actions,
          meta,
          finalAttempt: ctx.job.attempts >= ctx.job.maxAttempts,
          hold,
        });
        await deps.actions.refreshLead(accountId, leadId);
        if (!r.ok) {
          const undone = r.rolledBack.length ? ` ${r.rolledBack.length} earlier action(s) of the turn were rolled back.` : '';
          return handoff(`the action "${r.failed.summary}" failed in Kommo (${r.error}).${undone}`, {
            stop: agent.handoff.onToolFailure === 'handoff',
            metadata: { ...meta, failedActionId: r.failed.id, rolledBack: r.rolledBack.map((a) => a.id) },
          });
        }
      }

      let status: TurnStatus = 'skipped';
      if (p.reply || heldAny) {
        const target: ReplyTarget | null =
          trigger.kind === 'message'
            ? {
                channel: trigger.channel,
                contactId: trigger.contactId,
                ...(trigger.salesbot ? { salesbot: trigger.salesbot } : {}),
                ...(trigger.email ? { email: trigger.email } : {}),
              }
            : trigger.kind === 'proactive'
              ? deps.delivery.firstContactTarget(accountId, leadId)
              : null;
        // Email is a channel an admin switches on per stage: until then a reply to an email waits as a draft.
        const emailOff = !!target?.email && !stageBinding(db, accountId, stage.pipelineId, stage.statusId)?.replyByEmail;
        const d = await deps.delivery.deliver({
          accountId,
          leadId,
          agentId: agent.id,
          agentName: agent.name,
          turnId: t.id,
          mode: emailOff ? 'draft' : agent.mode,
          ...(emailOff ? { draftWhy: "email replies are off for this lead's stage" } : {}),
          text: p.reply,
          target,
          meta,
        });
        status = d.status;
      }
      if (p.handoffReason) return handoff(p.handoffReason, { metadata: meta });
      finish(status, p.reply ? null : 'no_reply_text');
    } catch (err) {
      // The queue retries; after the last attempt the lead goes to a human instead of silence.
      if (err instanceof RetryAfterError || err instanceof PermanentJobError || ctx.job.attempts < ctx.job.maxAttempts) throw err;
      return handoff(`the agent could not finish this turn after ${ctx.job.attempts} attempts (${errText(err)})`, {
        type: 'agent.error',
        metadata: { error: errText(err) },
      });
    }
  }

  return { run };
}

export type TurnService = ReturnType<typeof createTurnService>;
