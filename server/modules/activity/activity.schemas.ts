import { z } from 'zod';

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9_.:-]+$/i, 'letters, digits, _ . : -')).max(20));
const id = z.coerce.number().int().positive();
const date = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date, e.g. 2026-01-31T00:00:00Z')
  .transform((s) => Date.parse(s));

export const feedQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  type: csv.optional(),
  agentId: id.optional(),
  leadId: id.optional(),
  from: date.optional(),
  to: date.optional(),
});
