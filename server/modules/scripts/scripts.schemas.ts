import { z } from 'zod';

const stage = z.object({ pipelineId: z.number().int().positive(), statusId: z.number().int().positive() }).strict();

export const createScriptSchema = z
  .object({
    agentId: z.number().int().positive().nullable().default(null),
    name: z.string().trim().min(1).max(200),
    body: z.string().min(1).max(20_000),
    stages: z.array(stage).max(200).default([]),
  })
  .strict();

export const patchScriptSchema = z
  .object({
    agentId: z.number().int().positive().nullable().optional(),
    name: z.string().trim().min(1).max(200).optional(),
    body: z.string().min(1).max(20_000).optional(),
    stages: z.array(stage).max(200).optional(),
  })
  .strict();

export const listScriptsQuery = z.object({ agentId: z.coerce.number().int().positive().optional() });

export const previewSchema = z.object({ body: z.string().max(20_000), leadId: z.number().int().positive() }).strict();

export type CreateScriptInput = z.infer<typeof createScriptSchema>;
export type PatchScriptInput = z.infer<typeof patchScriptSchema>;
