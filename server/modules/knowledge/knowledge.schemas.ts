import { z } from 'zod';

const title = z.string().trim().min(1).max(200);
const content = z.string().trim().min(1).max(200_000);

export const createEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), title, content }).strict(),
  z.object({ kind: z.literal('markdown'), title, content }).strict(),
  z.object({ kind: z.literal('upload'), title, content }).strict(),
  z.object({ kind: z.literal('faq'), title, question: z.string().trim().min(1).max(2000), answer: z.string().trim().min(1).max(10_000) }).strict(),
]);

export type CreateEntryInput = z.infer<typeof createEntrySchema>;
