import { z } from 'zod';

export const callbackQuery = z.object({
  code: z.string().min(1).max(2000).optional(),
  referer: z.string().min(1).max(255).optional(),
  state: z.string().max(200).optional(),
  from_widget: z.string().max(10).optional(),
  client_id: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
});

export const uninstallQuery = z.object({
  client_uuid: z.string().min(1).max(200),
  account_id: z.coerce.number().int().positive(),
  signature: z.string().regex(/^[0-9a-f]{64}$/i, 'expected a hex HMAC-SHA256'),
});
