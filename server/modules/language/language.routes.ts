import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import { LANGS } from '../../lib/i18n.js';
import { parseJson } from '../../lib/validate.js';
import type { Audit } from '../activity/audit.js';
import type { LanguageService } from './language.service.js';

export const languageSchema = z.object({ override: z.enum(LANGS).nullable() }).strict();

/** The account's language: anyone may read it (the widget words server texts the same way); admins set the override. */
export function languageRoutes(language: LanguageService, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const audited = audit.on({
    entity: 'language',
    before: (_c, accountId) => language.state(accountId),
    view: (x) => ({ override: (x as { override: unknown }).override }),
  });
  app.get('/api/account/language', (c) => c.json(language.state(c.get('auth').accountId), 200));
  app.put('/api/account/language', adminOnly(access), audited, async (c) => {
    const body = await parseJson(c, languageSchema);
    return c.json(language.setOverride(c.get('auth').accountId, body.override), 200);
  });
  return app;
}
