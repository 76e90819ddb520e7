import type { Db } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, notFound } from '../../lib/errors.js';
import { LlmError, LlmNotConfiguredError, LlmRateLimitedError } from '../../llm/llm.errors.js';
import type { LlmClient } from '../../llm/llm.types.js';
import type { ModelPolicy } from '../../llm/models.js';
import { estimateCostUsd } from '../../llm/pricing.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { getAgent, listBindings } from './agents.repo.js';
import { texts } from './agents.texts.js';
import type { BudgetService } from './budget.service.js';
import type { RateLimiter } from './rate-limit.js';
import type { TurnLimits } from './turn.caps.js';
import { gatherTurn, leadHistory, type TurnLead } from './turn.gather.js';
import { clientLang, PRICE_GUARDRAIL, SAFE_PRICE_REPLIES, trimReply, unsupportedAmounts } from './turn.guardrails.js';
import { runModel } from './turn.model.js';
import { PLAYGROUND_ACTIVITY } from './usage.repo.js';

export interface PlaygroundInput {
  message: string;
  leadId?: number;
  lead?: { name?: string; price?: number; fields?: Record<string, string | number | boolean> };
}

export interface PlaygroundDeps {
  db: Db;
  clock: Clock;
  conversations: ConversationsRepo;
  crm: MirrorReadRepo;
  knowledge: KnowledgeService;
  llm: LlmClient;
  activity: ActivityService;
  budget: BudgetService;
  models: ModelPolicy;
  limits: TurnLimits;
  /** Runs per account and user. */
  rateLimit: RateLimiter;
  env: { LLM_PLAYGROUND_PER_MINUTE: number };
}

/**
 * Try an agent on a message: the same context, model, caps and tool validation as a real turn, but
 * nothing is executed or delivered, and nothing is written to Kommo. What the run cost is recorded (one
 * activity entry) because it counts toward the account's monthly budget, like the rate limit per user.
 */
export function createPlaygroundService(deps: PlaygroundDeps) {
  return {
    async run(accountId: number, userId: number, agentId: number, input: PlaygroundInput) {
      const agent = getAgent(deps.db, accountId, agentId);
      if (!agent) throw notFound(`Agent ${agentId}`);
      const slot = deps.rateLimit.take(`${accountId}:${userId}`);
      if (!slot.ok) {
        const retryAfterSec = Math.max(1, Math.ceil(slot.retryAfterMs / 1000));
        throw new AppError('RATE_LIMITED', texts.playgroundRateLimited(deps.env.LLM_PLAYGROUND_PER_MINUTE, retryAfterSec), { meta: { retryAfterSec } });
      }
      const budget = deps.budget.state(accountId);
      if (budget.exhausted) {
        const d = deps.budget.describe(budget);
        // A spent quota is a 429, as the model APIs answer it too; it clears when the month does.
        const retryAfterSec = Math.max(1, Math.ceil((Date.parse(budget.resetsAt) - deps.clock.now()) / 1000));
        throw new AppError('RATE_LIMITED', texts.budgetPlayground(d.used, d.limit), {
          title: texts.budgetPlaygroundTitle,
          meta: { reason: 'budget_exhausted', resetsAt: budget.resetsAt, retryAfterSec },
        });
      }
      let lead: TurnLead;
      let history: { direction: string; author: string; channel: string; text: string }[] = [];
      if (input.leadId !== undefined) {
        const l = deps.crm.lead(accountId, input.leadId);
        if (!l) throw notFound(`Lead ${input.leadId} (in the synced data)`);
        lead = l;
        history = leadHistory(deps.conversations, accountId, l.id, null);
      } else {
        // A made-up lead sits in the agent's first bound stage, so the stage script renders.
        const stage = listBindings(deps.db, accountId).find((b) => b.agentId === agentId);
        lead = {
          id: null,
          name: input.lead?.name ?? 'Test lead',
          price: input.lead?.price ?? null,
          pipelineId: stage?.pipelineId ?? null,
          statusId: stage?.statusId ?? null,
          responsibleUserId: null,
          mainContactId: null,
          tags: [],
          customFields: [],
          extraFields: input.lead?.fields,
        };
      }
      history = [...history, { direction: 'inbound', author: 'client', channel: 'playground', text: input.message }];
      const g = gatherTurn(deps, { accountId, agent, lead, history, queryText: input.message });
      const chosen = deps.models.effective(agent.model);
      let out: Awaited<ReturnType<typeof runModel>>;
      try {
        out = await runModel(deps.llm, {
          model: chosen.model,
          temperature: agent.temperature,
          messages: g.messages,
          tools: g.tools,
          validate: g.validate,
          maxActions: deps.limits.actions,
        });
      } catch (err) {
        if (err instanceof LlmNotConfiguredError)
          throw new AppError('NOT_CONFIGURED', err.message, { meta: { feature: 'AI model', variables: ['OPENAI_API_KEY'] } });
        if (err instanceof LlmRateLimitedError) throw new AppError('RATE_LIMITED', `${err.message}.`);
        if (err instanceof LlmError) throw new AppError('UPSTREAM_FAILED', err.message);
        throw err;
      }
      const costUsd = estimateCostUsd(out.model, out.usage.promptTokens, out.usage.completionTokens);
      deps.activity.write({
        accountId,
        agentId,
        userId,
        type: PLAYGROUND_ACTIVITY,
        title: texts.playgroundRunTitle(agent.name),
        params: { agent: agent.name },
        metadata: {
          model: out.model,
          tokens: { prompt: out.usage.promptTokens, completion: out.usage.completionTokens },
          costUsd,
          ...(input.leadId !== undefined ? { leadId: input.leadId } : {}),
          ...(chosen.fallback ? { modelFallback: { configured: agent.model, used: chosen.model } } : {}),
          ...(g.cuts ? { cuts: g.cuts } : {}),
        },
      });
      deps.budget.record(accountId, { ...out.usage, costUsd }, 'playground');
      let reply = trimReply(out.reply, agent.maxReplyChars);
      // As in a real turn: a price we cannot back is replaced, and the admin sees the original and why.
      const invented = unsupportedAmounts(reply, g.trustedText);
      let guardrail: { rule: string; reason: string; original: string } | null = null;
      if (invented.length) {
        guardrail = {
          rule: PRICE_GUARDRAIL,
          reason: `The reply stated ${invented.join(', ')}, which is not in the knowledge base or the lead data; a safe reply was sent instead.`,
          original: reply,
        };
        reply = SAFE_PRICE_REPLIES[clientLang(agent.language, input.message)];
      }
      const overLimit = `dropped: a turn may take at most ${deps.limits.actions} CRM actions`;
      return {
        reply,
        ...(guardrail ? { guardrail } : {}),
        actions: out.calls.map((c) =>
          c.dropped
            ? { type: c.type, args: c.args, valid: false, error: overLimit, ...(c.summary ? { summary: c.summary } : {}) }
            : { type: c.type, args: c.args, valid: c.valid, ...(c.summary ? { summary: c.summary } : {}), ...(c.error ? { error: c.error } : {}) },
        ),
        citations: g.citations,
        /** The knowledge chunks the model was given, so an admin sees why it answered as it did. */
        retrieved: g.retrieved.map((h) => ({ chunkId: h.chunkId, entryId: h.entryId, title: h.title, text: h.text })),
      };
    },
  };
}

export type PlaygroundService = ReturnType<typeof createPlaygroundService>;
