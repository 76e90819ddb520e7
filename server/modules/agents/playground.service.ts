import type { Db } from '../../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { LlmError, LlmNotConfiguredError, LlmRateLimitedError } from '../../llm/llm.errors.js';
import type { LlmClient } from '../../llm/llm.types.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { getAgent, listBindings } from './agents.repo.js';
import { gatherTurn, leadHistory, type TurnLead } from './turn.gather.js';
import { SAFE_PRICE_REPLY, trimReply, unsupportedAmounts } from './turn.guardrails.js';
import { runModel } from './turn.model.js';

export interface PlaygroundInput {
  message: string;
  leadId?: number;
  lead?: { name?: string; price?: number; fields?: Record<string, string | number | boolean> };
}

/**
 * Try an agent on a message: the same context, model and tool validation as a real turn, but
 * nothing is executed, delivered or written — not to Kommo, not to the database.
 */
export function createPlaygroundService(deps: { db: Db; conversations: ConversationsRepo; crm: MirrorReadRepo; knowledge: KnowledgeService; llm: LlmClient }) {
  return {
    async run(accountId: number, agentId: number, input: PlaygroundInput) {
      const agent = getAgent(deps.db, accountId, agentId);
      if (!agent) throw notFound(`Agent ${agentId}`);
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
      let out: Awaited<ReturnType<typeof runModel>>;
      try {
        out = await runModel(deps.llm, { model: agent.model, temperature: agent.temperature, messages: g.messages, tools: g.tools, validate: g.validate });
      } catch (err) {
        if (err instanceof LlmNotConfiguredError)
          throw new AppError('NOT_CONFIGURED', err.message, { meta: { feature: 'AI model', variables: ['OPENAI_API_KEY'] } });
        if (err instanceof LlmRateLimitedError) throw new AppError('RATE_LIMITED', `${err.message}.`);
        if (err instanceof LlmError) throw new AppError('UPSTREAM_FAILED', err.message);
        throw err;
      }
      let reply = trimReply(out.reply, agent.maxReplyChars);
      if (unsupportedAmounts(reply, g.trustedText).length) reply = SAFE_PRICE_REPLY;
      return {
        reply,
        actions: out.calls.map((c) => ({ type: c.type, args: c.args, valid: c.valid, ...(c.error ? { error: c.error } : {}) })),
        citations: g.citations,
      };
    },
  };
}

export type PlaygroundService = ReturnType<typeof createPlaygroundService>;
