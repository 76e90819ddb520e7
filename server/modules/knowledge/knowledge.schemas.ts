import { z } from 'zod';

const title = z.string().trim().min(1).max(200);
const content = z.string().trim().min(1).max(200_000);
const question = z.string().trim().min(1).max(2000);
const answer = z.string().trim().min(1).max(10_000);
/** The agents an entry is shared with; omitted means "only the agent in the path" (or none). */
const agentIds = z.array(z.number().int().positive()).max(100);

export const createEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), title, content, agentIds: agentIds.optional() }).strict(),
  z.object({ kind: z.literal('markdown'), title, content, agentIds: agentIds.optional() }).strict(),
  z.object({ kind: z.literal('upload'), title, content, agentIds: agentIds.optional() }).strict(),
  z.object({ kind: z.literal('faq'), title, question, answer, agentIds: agentIds.optional() }).strict(),
]);

/** Edit in place: any of the fields; `agentIds` replaces the agents the entry is shared with. */
export const patchEntrySchema = z
  .object({ title: title.optional(), content: content.optional(), question: question.optional(), answer: answer.optional(), agentIds: agentIds.optional() })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'nothing to change' });

export const importUrlSchema = z.object({ url: z.string().trim().min(1).max(2000).url(), title: title.optional(), agentIds: agentIds.optional() }).strict();

export const uploadSchema = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    /** The file's bytes, base64 (the widget's API client sends JSON). */
    contentBase64: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/\r\n]+={0,2}\s*$/, 'must be base64'),
    title: title.optional(),
    agentIds: agentIds.optional(),
  })
  .strict();

export const listQuerySchema = z.object({ agentId: z.coerce.number().int().positive().optional() }).strict();

export type CreateEntryInput = z.infer<typeof createEntrySchema>;
export type PatchEntryInput = z.infer<typeof patchEntrySchema>;
export type ImportUrlInput = z.infer<typeof importUrlSchema>;
export type UploadInput = z.infer<typeof uploadSchema>;
