import { Hono } from 'hono';
import type { Audit } from '../activity/audit.js';
import type { OutboxRow } from '../../../db/schema/index.js';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AccessCheck } from '../../http/guards.js';
import type { MailServices } from './index.js';
import { parseJson, parseParams, parseQuery } from '../../lib/validate.js';
import { notFound } from '../../lib/errors.js';
import { connectionTestBody, idParam, leadEmailsQuery, outboxQuery, sendBody, settingsBody, testBody } from './mail.schemas.js';

const outboxDto = (r: OutboxRow) => ({
  id: r.id,
  leadId: r.leadId,
  kind: r.kind,
  from: r.fromAddress,
  to: r.to,
  cc: r.cc,
  subject: r.subject,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  smtpResponse: r.smtpResponse,
  messageId: r.messageId,
  inReplyTo: r.inReplyTo,
  noteId: r.noteId,
  createdAt: new Date(r.createdAt).toISOString(),
  sentAt: r.sentAt ? new Date(r.sentAt).toISOString() : null,
});

export function mailRoutes(
  m: Pick<MailServices, 'settings' | 'sendTest' | 'outbox' | 'writer' | 'sendFromWidget' | 'connectionTest' | 'leadEmails' | 'policy'>,
  access: AccessCheck,
  audit: Audit,
) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  const audited = audit.on({ entity: 'mail_settings', before: (_c, accountId) => m.settings.get(accountId) });

  app.get('/api/mail/settings', admin, (c) => c.json(m.settings.get(c.get('auth').accountId), 200));
  app.put('/api/mail/settings', admin, audited, async (c) => {
    const body = await parseJson(c, settingsBody);
    return c.json(await m.settings.put(c.get('auth').accountId, body), 200);
  });
  app.post('/api/mail/test', admin, async (c) => {
    await parseJson(c, testBody);
    return c.json(await m.sendTest(c.get('auth')), 200);
  });

  // A login check per side (nothing stored, nothing sent): no audit entry, it changes no configuration.
  app.post('/api/mail/settings/test', admin, async (c) => {
    const body = await parseJson(c, connectionTestBody);
    return c.json(await m.connectionTest.test(c.get('auth').accountId, body), 200);
  });
  app.get('/api/mail/settings/folders', admin, async (c) => c.json(await m.connectionTest.folders(c.get('auth').accountId), 200));

  // One lead's email thread, inbound and outbound, for whoever may see the lead.
  app.get('/api/leads/:id/emails', async (c) => {
    const { id } = parseParams(c, idParam);
    const { limit } = parseQuery(c, leadEmailsQuery);
    await access.requireLeadView(c.get('auth'), id);
    const accountId = c.get('auth').accountId;
    const outbound = m.outbox.list({ accountId, leadId: id, limit }).map((r) => ({ ...outboxDto(r), direction: 'outbound' as const }));
    const inbound = m.leadEmails.inbound(accountId, id, limit).map((r) => ({
      id: r.id,
      direction: 'inbound' as const,
      from: r.from,
      subject: r.subject,
      text: r.text.slice(0, 2000),
      createdAt: new Date(r.createdAt).toISOString(),
    }));
    const items = [...outbound, ...inbound].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
    return c.json({ items, recipients: m.policy.leadContactEmails(accountId, id) }, 200);
  });

  // The whole outbox is an admin's; one lead's emails, whoever may see that lead.
  app.get('/api/mail/outbox', async (c) => {
    const q = parseQuery(c, outboxQuery);
    if (q.leadId === undefined) await access.requireAdmin(c.get('auth'));
    else await access.requireLeadView(c.get('auth'), q.leadId);
    return c.json({ items: m.outbox.list({ accountId: c.get('auth').accountId, ...q }).map(outboxDto) }, 200);
  });
  app.get('/api/mail/outbox/:id', async (c) => {
    const { id } = parseParams(c, idParam);
    const row = m.outbox.byId(c.get('auth').accountId, id);
    if (!row) throw notFound(`Email ${id}`);
    if (row.leadId === null) await access.requireAdmin(c.get('auth'));
    else await access.requireLeadView(c.get('auth'), row.leadId);
    return c.json(outboxDto(row), 200);
  });
  app.post('/api/mail/outbox', async (c) => {
    const body = await parseJson(c, sendBody);
    return c.json(outboxDto(await m.sendFromWidget(c.get('auth'), body)), 202);
  });
  app.post('/api/mail/outbox/:id/retry', admin, (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(outboxDto(m.writer.retry(c.get('auth').accountId, id)), 202);
  });
  app.post('/api/mail/outbox/:id/cancel', admin, (c) => {
    const { id } = parseParams(c, idParam);
    return c.json(outboxDto(m.writer.cancel(c.get('auth').accountId, id)), 200);
  });
  return app;
}
