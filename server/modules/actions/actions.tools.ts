import { z } from 'zod';
import { toJsonSchema } from '../../llm/json-schema.js';
import type { LlmTool } from '../../llm/llm.types.js';
import { ACTION_TYPES, APPROVAL_KEYS, type ActionType, type ApprovalKey } from './action-names.js';

/** The CRM tools an agent can be allowed to call. Arguments are validated by these schemas first, then against the account's mirror. */
export const TOOL_NAMES = ACTION_TYPES;
export type ToolName = ActionType;
export { APPROVAL_KEYS, type ApprovalKey };

const id = z.number().int().positive();
const tagList = z.array(z.string().trim().min(1).max(50)).min(1).max(10);

export const toolArgs = {
  move_to_stage: z.object({
    statusId: id.describe('Target stage id, from the list of stages'),
    pipelineId: id.optional().describe("Pipeline id of the stage; defaults to the lead's current pipeline"),
  }),
  create_task: z.object({
    text: z.string().trim().min(1).max(1000).describe('What the salesperson must do'),
    dueInHours: z
      .number()
      .min(0)
      .max(24 * 365)
      .optional()
      .describe('When it is due, in hours from now (default 24)'),
    taskTypeId: id.optional().describe('Task type id (default 1, follow-up)'),
    responsibleUserId: id.optional().describe("User id (default: the lead's responsible user)"),
  }),
  add_note: z.object({ text: z.string().trim().min(1).max(5000).describe('Note text for the lead card') }),
  update_field: z.object({
    fieldId: id.describe('Lead custom field id, from the list of fields'),
    value: z
      .union([z.string().max(2000), z.number(), z.boolean(), z.array(z.string().max(200)).max(20)])
      .describe('New value; for select fields one of the listed options, for multiselect a list of options'),
  }),
  add_tags: z.object({ tags: tagList.describe('Tag names to add') }),
  remove_tags: z.object({ tags: tagList.describe('Tag names to remove') }),
  assign_user: z.object({ userId: id.describe('User id, from the list of users') }),
  handoff_to_human: z.object({ reason: z.string().trim().min(1).max(500).describe('Why a human must take over, in one sentence') }),
  schedule_followup: z.object({
    inHours: z
      .number()
      .min(0.25)
      .max(24 * 90)
      .describe('When to follow up, in hours from now'),
    text: z.string().trim().min(1).max(500).describe('What to follow up about'),
  }),
} satisfies Record<ToolName, z.AnyZodObject>;

const descriptions: Record<ToolName, string> = {
  move_to_stage: "Move the lead to another pipeline stage when the conversation reached that stage's goal.",
  create_task: 'Create a task for a salesperson on this lead.',
  add_note: 'Add an internal note to the lead card (never shown to the client).',
  update_field: 'Set a lead custom field from what the client told you.',
  add_tags: 'Add tags to the lead.',
  remove_tags: 'Remove tags from the lead.',
  assign_user: 'Make another user responsible for the lead.',
  handoff_to_human: 'Hand the conversation to a human salesperson (when unsure, when asked for a human, or when the question is outside your knowledge).',
  schedule_followup: 'Schedule a follow-up task if the client goes quiet.',
};

/**
 * The tools offered to the model: the agent's allowlist. The handoff is one of them: an admin who unticks
 * "Hand off to a person" means it (the agent's keyword, turn-count and failure handoffs still apply).
 */
export function toolsFor(allowed: readonly string[]): LlmTool[] {
  const names = TOOL_NAMES.filter((n) => allowed.includes(n));
  return names.map((name) => ({ name, description: descriptions[name], parameters: toJsonSchema(toolArgs[name]) }));
}

export const isToolName = (s: string): s is ToolName => (TOOL_NAMES as readonly string[]).includes(s);
