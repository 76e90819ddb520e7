import type { AgentRow, FieldValues } from '../../../db/schema/index.js';
import type { LlmMessage, LlmTool } from '../../llm/llm.types.js';
import { toolsFor } from '../actions/actions.tools.js';
import { validateToolCall, type Validation } from '../actions/actions.validate.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { scriptForStage } from '../scripts/scripts.repo.js';
import { renderScript } from '../scripts/scripts.variables.js';
import type { Db } from '../../../db/client.js';
import { buildTurnMessages, type HistoryMessage } from './turn.context.js';

export interface GatherDeps {
  db: Db;
  crm: MirrorReadRepo;
  knowledge: KnowledgeService;
}

export interface TurnLead {
  id: number | null;
  name: string;
  price: number | null;
  pipelineId: number | null;
  statusId: number | null;
  responsibleUserId: number | null;
  mainContactId: number | null;
  tags: string[];
  customFields: FieldValues;
  extraFields?: Record<string, string | number | boolean>;
}

export interface GatheredTurn {
  messages: LlmMessage[];
  trustedText: string;
  tools: LlmTool[];
  citations: { entryId: number; title: string }[];
  validate(name: string, args: string): Validation;
}

/** The last `limit` conversation rows of a lead, oldest first, up to `maxId` (so a turn sees its own burst and nothing newer). */
export function leadHistory(
  conversations: ConversationsRepo,
  accountId: number,
  leadId: number,
  maxId: number | null,
  limit = 20,
): (HistoryMessage & { id: number })[] {
  return conversations.history(accountId, leadId, maxId, limit).reverse() as (HistoryMessage & { id: number })[];
}

/** Everything one turn (or a playground run) tells the model, read from this account's data only. */
export function gatherTurn(
  d: GatherDeps,
  input: { accountId: number; agent: AgentRow; lead: TurnLead; history: HistoryMessage[]; event?: string; queryText: string },
): GatheredTurn {
  const { accountId, agent, lead } = input;
  const catalog = d.crm.catalog(accountId);
  const stage = lead.pipelineId !== null && lead.statusId !== null ? d.crm.stage(accountId, lead.pipelineId, lead.statusId) : undefined;
  const script = lead.pipelineId !== null && lead.statusId !== null ? scriptForStage(d.db, accountId, agent.id, lead.pipelineId, lead.statusId) : undefined;
  const rendered = script ? renderScript(d.crm, accountId, script.body, { lead, extraFields: lead.extraFields }) : null;
  const hits = d.knowledge.search(accountId, agent.id, input.queryText);
  const { messages, trustedText } = buildTurnMessages({
    agent,
    accountName: d.crm.accountName(accountId),
    lead,
    stage: stage ?? null,
    contact: lead.mainContactId !== null ? d.crm.contact(accountId, lead.mainContactId) : undefined,
    responsibleUser: d.crm.userName(accountId, lead.responsibleUserId),
    script: rendered,
    knowledge: hits,
    catalog,
    history: input.history,
    event: input.event,
  });
  const citations = [...new Map(hits.map((h) => [h.entryId, { entryId: h.entryId, title: h.title }])).values()];
  return {
    messages,
    trustedText,
    tools: toolsFor(agent.allowedActions),
    citations,
    validate: (name, args) =>
      validateToolCall(name, args, {
        catalog,
        lead: { pipelineId: lead.pipelineId, statusId: lead.statusId, responsibleUserId: lead.responsibleUserId },
        allowed: agent.allowedActions,
        approvalRequired: agent.approvalRequired,
      }),
  };
}
