import { Hono } from 'hono';
import type { EmailTemplateRow } from '../../../db/schema/index.js';
import { adminOnly, type AdminCheck } from '../../http/guards.js';
import type { AppEnv } from '../../http/env.js';
import type { EmailTemplates } from './templates.service.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { idParam, previewBody, renderBody, templateBody } from './mail.schemas.js';
import type { Audit } from '../activity/audit.js';

const dto = (t: EmailTemplateRow) => ({
  id: t.id,
  name: t.name,
  subject: t.subject,
  html: t.html,
  text: t.text,
  updatedAt: new Date(t.updatedAt).toISOString(),
});

export function templateRoutes(templates: EmailTemplates, access: AdminCheck, audit: Audit) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  const audited = audit.on({ entity: 'template', before: (c, accountId) => dto(templates.get(accountId, Number(c.req.param('id')))) });
  app.get('/api/mail/templates', (c) => c.json({ items: templates.list(c.get('auth').accountId).map(dto) }, 200));
  app.post('/api/mail/templates', admin, audited, async (c) => c.json(dto(templates.create(c.get('auth').accountId, await parseJson(c, templateBody))), 201));
  app.get('/api/mail/templates/:id', (c) => c.json(dto(templates.get(c.get('auth').accountId, parseParams(c, idParam).id)), 200));
  app.put('/api/mail/templates/:id', admin, audited, async (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(dto(templates.update(c.get('auth').accountId, id, await parseJson(c, templateBody))), 200);
  });
  app.delete('/api/mail/templates/:id', admin, audited, (c) => {
    templates.remove(c.get('auth').accountId, parseParams(c, idParam).id);
    return c.body(null, 204);
  });
  app.post('/api/mail/templates/:id/preview', admin, async (c) => {
    const { id } = parseParams(c, idParam);
    const { variables, leadId } = await parseJson(c, previewBody);
    return c.json(templates.render(c.get('auth').accountId, id, variables, leadId, { strict: true }), 200);
  });
  app.post('/api/mail/templates/render', admin, async (c) => {
    const { variables, leadId, ...t } = await parseJson(c, renderBody);
    return c.json(templates.renderDraft(c.get('auth').accountId, { subject: t.subject, text: t.text ?? null, html: t.html ?? null }, variables, leadId), 200);
  });
  return app;
}
