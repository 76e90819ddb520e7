import { z } from 'zod';

/**
 * A follow-up sequence: timed steps for one lead until it completes or a stop condition ends it.
 * This schema is the contract of the sequence builder and the API.
 */

const id = z.number().int().positive();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

export const WEEKDAYS = ['any', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const STEP_TYPES = ['wait', 'wait_until', 'send_email', 'agent_followup', 'create_task', 'move_stage', 'add_note'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const stepSchema = z.discriminatedUnion('type', [
  /** Wait a duration before the next step. */
  z
    .object({
      type: z.literal('wait'),
      amount: z.number().int().min(1).max(10_000),
      unit: z.enum(['minutes', 'hours', 'days']),
    })
    .strict(),
  /** Wait until the next given weekday (or any day) at a time, in the lead's or the account's time zone. */
  z
    .object({
      type: z.literal('wait_until'),
      weekday: z.enum(WEEKDAYS),
      time: hhmm,
      timezone: z.enum(['account', 'lead']).default('account'),
    })
    .strict(),
  z.object({ type: z.literal('send_email'), templateId: id }).strict(),
  /**
   * The agent writes a follow-up with the conversation as context. On WhatsApp outside the 24-hour window
   * only an approved template may be sent: `outsideWindowBotId` names the Salesbot that sends it, else the step is skipped.
   */
  z
    .object({
      type: z.literal('agent_followup'),
      agentId: id.optional(),
      instruction: z.string().trim().max(1000).optional(),
      outsideWindowBotId: id.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('create_task'),
      text: z.string().trim().min(1).max(1000),
      dueInHours: z
        .number()
        .min(0)
        .max(24 * 90)
        .default(24),
      responsibleUserId: id.optional(),
    })
    .strict(),
  z.object({ type: z.literal('move_stage'), pipelineId: id, statusId: id }).strict(),
  z.object({ type: z.literal('add_note'), text: z.string().trim().min(1).max(5000) }).strict(),
]);
export type Step = z.infer<typeof stepSchema>;

export const stopOnSchema = z
  .object({
    /** The client wrote on any channel (messenger, email). */
    clientReply: z.boolean().default(true),
    /** A Kommo user wrote to the client. */
    humanReply: z.boolean().default(true),
    /** The lead moved to another stage (not by this sequence's own step). */
    stageChange: z.boolean().default(true),
    /** A task on the lead was completed. */
    taskCompleted: z.boolean().default(false),
    /** The lead was won or lost. */
    wonLost: z.boolean().default(true),
  })
  .strict();

export const definitionSchema = z
  .object({
    steps: z.array(stepSchema).min(1).max(30),
    stopOn: stopOnSchema.default({}),
    /** When steps that write to the client may run; others run at any time. */
    sendWindow: z
      .object({
        /** Only inside the account's working hours. */
        workingHoursOnly: z.boolean().default(false),
        /** Never between these times (e.g. 21:00–08:00); null for none. */
        quietHours: z.object({ from: hhmm, to: hhmm }).strict().nullable().default({ from: '21:00', to: '08:00' }),
        timezone: z.enum(['account', 'lead']).default('account'),
      })
      .strict()
      .default({}),
  })
  .strict();
export type SequenceDefinition = z.infer<typeof definitionSchema>;

export const createSequenceSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    enabled: z.boolean().default(true),
    /** The stage the sequence belongs to (the lead card lists it there); null for any stage. */
    pipelineId: id.nullable().default(null),
    statusId: id.nullable().default(null),
    definition: definitionSchema,
  })
  .strict();
export type CreateSequenceInput = z.infer<typeof createSequenceSchema>;
export const patchSequenceSchema = createSequenceSchema.partial().strict();
export type PatchSequenceInput = z.infer<typeof patchSequenceSchema>;

export const enrollSchema = z.object({ sequenceId: id }).strict();
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const leadParam = z.object({ leadId: z.coerce.number().int().positive() });
export const enrollmentActionParam = z.object({ id: z.coerce.number().int().positive(), action: z.enum(['pause', 'resume', 'stop']) });
