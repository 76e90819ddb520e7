import { z } from 'zod';

/**
 * A rule: trigger → conditions → actions. This schema is the contract of the rule builder and the API;
 * every definition is validated by it before it is stored as a new version.
 */

const id = z.number().int().positive();
const minutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 90);

export const INTENTS = ['pricing_question', 'meeting_request', 'purchase_intent', 'complaint', 'not_interested', 'unsubscribe', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

export const TRIGGER_TYPES = [
  'lead_created',
  'stage_entered',
  'stage_left',
  'field_changed',
  'responsible_changed',
  'tag_added',
  'message_received',
  'email_received',
  'task_created',
  'task_completed',
  'task_overdue',
  'call_missed',
  'no_client_reply_for',
  'time_in_stage',
  'schedule',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

const stageFilter = { pipelineId: id.optional(), statusId: id.optional() };

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lead_created') }).strict(),
  z.object({ type: z.literal('stage_entered'), ...stageFilter }).strict(),
  z.object({ type: z.literal('stage_left'), ...stageFilter }).strict(),
  z.object({ type: z.literal('field_changed'), fieldId: id }).strict(),
  z.object({ type: z.literal('responsible_changed') }).strict(),
  z.object({ type: z.literal('tag_added'), tag: z.string().trim().min(1).max(50).optional() }).strict(),
  z
    .object({
      type: z.literal('message_received'),
      channels: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
      keywords: z.array(z.string().trim().min(1).max(100)).max(30).optional(),
      /** Case-insensitive; length-capped and checked for catastrophic patterns on save. */
      regex: z.string().min(1).max(200).optional(),
      intents: z.array(z.enum(INTENTS)).min(1).optional(),
    })
    .strict(),
  z.object({ type: z.literal('email_received') }).strict(),
  z.object({ type: z.literal('task_created') }).strict(),
  z.object({ type: z.literal('task_completed') }).strict(),
  z.object({ type: z.literal('task_overdue') }).strict(),
  z.object({ type: z.literal('call_missed') }).strict(),
  z.object({ type: z.literal('no_client_reply_for'), minutes }).strict(),
  z.object({ type: z.literal('time_in_stage'), minutes, ...stageFilter }).strict(),
  /** Five cron fields (minute hour day-of-month month day-of-week) in the account's time zone. */
  z.object({ type: z.literal('schedule'), cron: z.string().trim().min(9).max(100) }).strict(),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const FIELD_OPS = ['eq', 'neq', 'contains', 'gt', 'lt', 'between', 'empty', 'in'] as const;
export type FieldOp = (typeof FIELD_OPS)[number];
const scalar = z.union([z.string().max(500), z.number()]);

const leafSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stage'), pipelineId: id, statusIds: z.array(id).min(1).max(100).optional() }).strict(),
  z
    .object({
      kind: z.literal('field'),
      fieldId: id,
      op: z.enum(FIELD_OPS),
      value: scalar.optional(),
      values: z.array(scalar).max(50).optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('tags'), op: z.enum(['has', 'lacks']), tag: z.string().trim().min(1).max(50) }).strict(),
  z.object({ kind: z.literal('responsible'), op: z.enum(['in', 'not_in']), userIds: z.array(id).min(1).max(100) }).strict(),
  z.object({ kind: z.literal('channel'), channels: z.array(z.string().trim().min(1).max(40)).min(1).max(20) }).strict(),
  z.object({ kind: z.literal('price'), op: z.enum(['eq', 'gt', 'lt', 'between']), value: z.number(), max: z.number().optional() }).strict(),
  z.object({ kind: z.literal('working_hours'), inside: z.boolean() }).strict(),
  z.object({ kind: z.literal('agent'), state: z.enum(['active', 'paused']) }).strict(),
]);
export type ConditionLeaf = z.infer<typeof leafSchema>;
export const CONDITION_KINDS: ConditionLeaf['kind'][] = leafSchema.options.map((o) => o.shape.kind.value);

export type Condition = ConditionLeaf | { all: Condition[] } | { any: Condition[] };
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([leafSchema, z.object({ all: z.array(conditionSchema).max(30) }).strict(), z.object({ any: z.array(conditionSchema).max(30) }).strict()]),
);

export const ACTION_TYPES = [
  'send_email',
  'agent_reply',
  'run_salesbot',
  'add_note',
  'create_task',
  'move_stage',
  'set_field',
  'add_tags',
  'remove_tags',
  'assign',
  'start_sequence',
  'stop_sequence',
  'notify_user',
  'pause_agent',
  'resume_agent',
  'call_webhook',
] as const;
export type RuleActionType = (typeof ACTION_TYPES)[number];

const tags = z.array(z.string().trim().min(1).max(50)).min(1).max(10);

export const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('send_email'), templateId: id }).strict(),
  z.object({ type: z.literal('agent_reply'), agentId: id.optional() }).strict(),
  z.object({ type: z.literal('run_salesbot'), botId: id }).strict(),
  z.object({ type: z.literal('add_note'), text: z.string().trim().min(1).max(5000) }).strict(),
  z
    .object({
      type: z.literal('create_task'),
      text: z.string().trim().min(1).max(1000),
      dueInHours: z
        .number()
        .min(0)
        .max(24 * 365)
        .optional(),
      taskTypeId: id.optional(),
      responsibleUserId: id.optional(),
    })
    .strict(),
  z.object({ type: z.literal('move_stage'), pipelineId: id, statusId: id }).strict(),
  z
    .object({
      type: z.literal('set_field'),
      fieldId: id,
      value: z.union([z.string().max(2000), z.number(), z.boolean(), z.array(z.string().max(200)).max(20)]),
    })
    .strict(),
  z.object({ type: z.literal('add_tags'), tags }).strict(),
  z.object({ type: z.literal('remove_tags'), tags }).strict(),
  /** Round-robin over these users, skipping inactive ones. */
  z.object({ type: z.literal('assign'), userIds: z.array(id).min(1).max(50) }).strict(),
  z.object({ type: z.literal('start_sequence'), sequenceId: id }).strict(),
  z.object({ type: z.literal('stop_sequence'), sequenceId: id.optional() }).strict(),
  /** `userId` absent: the lead's responsible user. */
  z.object({ type: z.literal('notify_user'), userId: id.optional(), text: z.string().trim().min(1).max(1000) }).strict(),
  z
    .object({
      type: z.literal('pause_agent'),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(60 * 24 * 365)
        .optional(),
    })
    .strict(),
  z.object({ type: z.literal('resume_agent') }).strict(),
  z.object({ type: z.literal('call_webhook'), url: z.string().url().max(2000) }).strict(),
]);
export type RuleAction = z.infer<typeof actionSchema>;

export const definitionSchema = z
  .object({
    trigger: triggerSchema,
    conditions: conditionSchema.optional(),
    actions: z.array(actionSchema).min(1).max(10),
    /** At most this many firings per lead per hour (loop protection on top of the depth limit). */
    perLeadPerHour: z.number().int().min(1).max(1000).default(10),
  })
  .strict();
export type RuleDefinition = z.infer<typeof definitionSchema>;

export const createRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    enabled: z.boolean().default(true),
    pipelineId: id.nullable().default(null),
    statusId: id.nullable().default(null),
    definition: definitionSchema,
  })
  .strict();
export type CreateRuleInput = z.infer<typeof createRuleSchema>;

export const patchRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    pipelineId: id.nullable().optional(),
    statusId: id.nullable().optional(),
    definition: definitionSchema.optional(),
  })
  .strict();
export type PatchRuleInput = z.infer<typeof patchRuleSchema>;

export const dryRunSchema = z.object({ leadId: id, message: z.string().max(4000).optional() }).strict();
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const listRulesQuery = z.object({
  pipelineId: z.coerce.number().int().positive().optional(),
  statusId: z.coerce.number().int().positive().optional(),
});
export const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
