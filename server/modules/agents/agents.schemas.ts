import { z } from 'zod';
import { APPROVAL_KEYS, TOOL_NAMES } from '../actions/actions.tools.js';
import { isTimeZone } from './working-hours.js';

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM, 00:00-24:00');
const interval = z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'the start must be before the end');
const day = z.array(interval).max(8).default([]);

export const workingHoursSchema = z
  .object({
    timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Madrid'),
    schedule: z.object({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }).strict(),
  })
  .strict();

const unique = <T>(xs: T[]) => [...new Set(xs)];

const handoffShape = {
  keywords: z.array(z.string().trim().min(1).max(100)).max(50),
  afterTurns: z.number().int().min(1).max(1000).nullable(),
  onToolFailure: z.enum(['handoff', 'notify']),
};

const fields = {
  name: z.string().trim().min(1).max(100),
  instructions: z.string().max(20_000),
  model: z.string().trim().min(1).max(100),
  temperature: z.number().min(0).max(2),
  language: z.string().regex(/^(auto|[a-z]{2,3}(-[A-Za-z0-9]{2,8})?)$/, "expected 'auto' or a language code such as en or pt-BR"),
  tone: z.string().trim().max(200),
  mode: z.enum(['draft', 'autopilot']),
  workingHours: workingHoursSchema.nullable(),
  replyDelaySec: z.number().int().min(0).max(3600),
  maxRepliesPerLeadPerDay: z.number().int().min(1).max(1000),
  allowedActions: z.array(z.enum(TOOL_NAMES)).max(TOOL_NAMES.length).transform(unique),
  approvalRequired: z.array(z.enum(APPROVAL_KEYS)).max(APPROVAL_KEYS.length).transform(unique),
  /** Draft mode: these action kinds run at once, without waiting for the draft's approval (the handoff is not an action). */
  runWithoutApproval: z
    .array(z.enum(TOOL_NAMES).refine((n) => n !== 'handoff_to_human', 'the handoff is not a CRM action'))
    .max(TOOL_NAMES.length)
    .transform(unique),
  humanReplyPauseMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 30),
  maxReplyChars: z.number().int().min(50).max(4000),
};

export const createAgentSchema = z
  .object({
    name: fields.name,
    instructions: fields.instructions.default(''),
    model: fields.model.optional(),
    temperature: fields.temperature.default(0.3),
    language: fields.language.default('auto'),
    tone: fields.tone.default('friendly and concise'),
    mode: fields.mode.default('draft'),
    workingHours: fields.workingHours.default(null),
    replyDelaySec: fields.replyDelaySec.default(0),
    maxRepliesPerLeadPerDay: fields.maxRepliesPerLeadPerDay.default(20),
    allowedActions: fields.allowedActions.default([
      'move_to_stage',
      'create_task',
      'add_note',
      'update_field',
      'add_tags',
      'handoff_to_human',
      'schedule_followup',
    ]),
    approvalRequired: fields.approvalRequired.default(['move_to_won', 'move_to_lost', 'assign_user']),
    runWithoutApproval: fields.runWithoutApproval.default([]),
    handoff: z
      .object({
        keywords: handoffShape.keywords.default([]),
        afterTurns: handoffShape.afterTurns.default(null),
        onToolFailure: handoffShape.onToolFailure.default('handoff'),
      })
      .strict()
      .default({}),
    humanReplyPauseMinutes: fields.humanReplyPauseMinutes.default(60),
    maxReplyChars: fields.maxReplyChars.default(1000),
  })
  .strict();

/** PATCH: any subset; `handoff` merges into the stored settings. */
export const patchAgentSchema = z
  .object({
    name: fields.name.optional(),
    instructions: fields.instructions.optional(),
    model: fields.model.optional(),
    temperature: fields.temperature.optional(),
    language: fields.language.optional(),
    tone: fields.tone.optional(),
    mode: fields.mode.optional(),
    workingHours: fields.workingHours.optional(),
    replyDelaySec: fields.replyDelaySec.optional(),
    maxRepliesPerLeadPerDay: fields.maxRepliesPerLeadPerDay.optional(),
    allowedActions: fields.allowedActions.optional(),
    approvalRequired: fields.approvalRequired.optional(),
    runWithoutApproval: fields.runWithoutApproval.optional(),
    humanReplyPauseMinutes: fields.humanReplyPauseMinutes.optional(),
    maxReplyChars: fields.maxReplyChars.optional(),
    handoff: z.object(handoffShape).partial().strict().optional(),
  })
  .strict();

export type CreateAgentInput = z.infer<typeof createAgentSchema>;
export type PatchAgentInput = z.infer<typeof patchAgentSchema>;

export const idParam = z.object({ id: z.coerce.number().int().positive() });

export const bindingSchema = z
  .object({
    pipelineId: z.number().int().positive(),
    statusId: z.number().int().positive(),
    agentId: z.number().int().positive().nullable(),
    /** When a lead enters the stage by any route: off (nothing), greet (the agent writes first) or wait (the agent, resumed, waits for the client). Unset: unchanged (off for a new binding). */
    onStageEnter: z.enum(['off', 'greet', 'wait']).optional(),
    /** The agent may answer by email when the client wrote by email. Unset: unchanged (off for a new binding). */
    replyByEmail: z.boolean().optional(),
  })
  .strict();

export const playgroundSchema = z
  .object({
    message: z.string().trim().min(1).max(4000),
    leadId: z.number().int().positive().optional(),
    lead: z
      .object({
        name: z.string().max(255).optional(),
        price: z.number().min(0).optional(),
        fields: z.record(z.string().max(100), z.union([z.string().max(1000), z.number(), z.boolean()])).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Why a manager discarded a draft (a picker in the card), for the quality figures. */
export const DISCARD_REASONS = ['wrong_facts', 'wrong_tone', 'not_needed', 'handled_myself', 'other'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];
export const discardSchema = z.object({ reason: z.enum(DISCARD_REASONS).optional(), note: z.string().trim().max(500).optional() }).strict();
