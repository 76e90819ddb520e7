import type { AgentRow, FieldValues } from '../../../db/schema/index.js';
import type { LlmMessage, LlmTool } from '../../llm/llm.types.js';
import { toolsFor } from '../actions/actions.tools.js';
import { validateToolCall, type Validation } from '../actions/actions.validate.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { KnowledgeHit } from '../knowledge/knowledge.repo.js';
import type { KnowledgeService } from '../knowledge/knowledge.service.js';
import { scriptForStage } from '../scripts/scripts.repo.js';
import { scriptVariableValues } from '../scripts/scripts.variables.js';
import type { Db } from '../../../db/client.js';
import { templateVariables } from '../../lib/template.js';
import { capHistory, capKnowledge, capScript, type TurnCuts, type TurnLimits } from './turn.caps.js';
import { buildTurnMessages, type HistoryMessage } from './turn.context.js';

export interface GatherDeps {
  db: Db;
  crm: MirrorReadRepo;
  knowledge: KnowledgeService;
  limits: TurnLimits;
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
  /** Values typed into a web form (the playground's test-lead fields): prompt data, never trusted facts. */
  extraFields?: Record<string, string | number | boolean>;
}

export interface GatheredTurn {
  messages: LlmMessage[];
  trustedText: string;
  tools: LlmTool[];
  citations: { entryId: number; title: string }[];
  /** The knowledge chunks that went into the prompt, best first (as capped). */
  retrieved: KnowledgeHit[];
  /** What the per-turn caps left out of the prompt; null when nothing. */
  cuts: TurnCuts | null;
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
  let scriptVariables: Record<string, string | number | null> | undefined;
  if (script) {
    const all = scriptVariableValues(d.crm, accountId, script.body, { lead, extraFields: lead.extraFields });
    scriptVariables = Object.fromEntries(templateVariables(script.body).map((name) => [name, all[name] ?? null]));
  }
  const capped = {
    script: capScript(script?.body ?? null, d.limits.scriptChars),
    knowledge: capKnowledge(d.knowledge.search(accountId, agent.id, input.queryText), d.limits.knowledgeChars),
    history: capHistory(input.history, d.limits.clientChars),
  };
  const hits = capped.knowledge.hits;
  const { messages, trustedText } = buildTurnMessages({
    agent,
    accountName: d.crm.accountName(accountId),
    lead: { id: lead.id, name: lead.name, price: lead.price, tags: lead.tags, customFields: lead.customFields, formFields: lead.extraFields },
    stage: stage ?? null,
    contact: lead.mainContactId !== null ? d.crm.contact(accountId, lead.mainContactId) : undefined,
    responsibleUser: d.crm.userName(accountId, lead.responsibleUserId),
    script: capped.script.script,
    scriptVariables,
    knowledge: hits,
    catalog,
    history: capped.history.history,
    event: input.event,
  });
  const citations = [...new Map(hits.map((h) => [h.entryId, { entryId: h.entryId, title: h.title }])).values()];
  const cuts: TurnCuts = {
    ...(capped.history.cut ? { clientText: capped.history.cut } : {}),
    ...(capped.knowledge.cut ? { knowledge: capped.knowledge.cut } : {}),
    ...(capped.script.cut ? { script: capped.script.cut } : {}),
  };
  return {
    messages,
    trustedText,
    tools: toolsFor(agent.allowedActions),
    citations,
    retrieved: hits,
    cuts: Object.keys(cuts).length ? cuts : null,
    validate: (name, args) =>
      validateToolCall(name, args, {
        catalog,
        lead: { pipelineId: lead.pipelineId, statusId: lead.statusId, responsibleUserId: lead.responsibleUserId },
        allowed: agent.allowedActions,
        approvalRequired: agent.approvalRequired,
      }),
  };
}
