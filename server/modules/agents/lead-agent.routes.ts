import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.js';
import type { LeadCheck } from '../../http/guards.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { discardSchema, idParam } from './agents.schemas.js';
import type { DeliveryService } from './delivery.service.js';
import type { LeadAgentService } from './lead-agent.service.js';
import type { SuggestionService } from './suggestion.service.js';

const pauseSchema = z
  .object({
    minutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 365)
      .optional(),
  })
  .strict();
const handoffSchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
const approveSchema = z
  .object({
    text: z.string().trim().min(1).max(10_000).optional(),
    /** The proposed actions to run, as the person kept them (unset: all); `args` edits one, in its tool's argument shape. */
    actions: z
      .array(z.object({ id: z.number().int().positive(), args: z.record(z.string(), z.unknown()).optional() }).strict())
      .max(50)
      .optional(),
  })
  .strict();

/** A suggestion a person keeps: its text, as they may have edited it. */
const insertDraftSchema = z.object({ text: z.string().trim().min(1).max(10_000) }).strict();

export function leadAgentRoutes(leads: LeadAgentService, delivery: DeliveryService, suggestions: SuggestionService, access: LeadCheck) {
  const app = new Hono<AppEnv>();
  app.get('/api/leads/:id/agent', async (c) => {
    const { id } = parseParams(c, idParam);
    await access.requireLeadView(c.get('auth'), id);
    return c.json(leads.view(c.get('auth').accountId, id), 200);
  });
  app.post('/api/leads/:id/agent/pause', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, pauseSchema);
    await access.requireLeadEdit(c.get('auth'), id);
    const { accountId, userId } = c.get('auth');
    return c.json(leads.pause(accountId, id, userId, body.minutes), 200);
  });
  app.post('/api/leads/:id/agent/resume', async (c) => {
    const { id } = parseParams(c, idParam);
    await access.requireLeadEdit(c.get('auth'), id);
    const { accountId, userId } = c.get('auth');
    return c.json(leads.resume(accountId, id, userId), 200);
  });
  /** Hand the lead to a person now: needs the right to edit the lead, like pause. */
  app.post('/api/leads/:id/agent/handoff', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, handoffSchema);
    await access.requireLeadEdit(c.get('auth'), id);
    const { accountId, userId } = c.get('auth');
    return c.json(await leads.handoff(accountId, id, userId, body.reason), 200);
  });
  app.post('/api/leads/:id/agent/return', async (c) => {
    const { id } = parseParams(c, idParam);
    await access.requireLeadEdit(c.get('auth'), id);
    const { accountId, userId } = c.get('auth');
    return c.json(leads.returnToAgent(accountId, id, userId), 200);
  });
  /** "Insert as draft" on a suggestion: a pending draft of the stage's agent, approved like any other. */
  app.post('/api/leads/:id/agent/drafts', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, insertDraftSchema);
    await access.requireLeadEdit(c.get('auth'), id);
    const { accountId, userId } = c.get('auth');
    return c.json(await suggestions.insertAsDraft(accountId, id, userId, body.text), 201);
  });
  app.post('/api/drafts/:id/approve', async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, approveSchema);
    const { accountId, userId } = c.get('auth');
    await access.requireLeadEdit(c.get('auth'), delivery.draftLead(accountId, id));
    return c.json(await delivery.approve(accountId, id, userId, body.text, body.actions), 200);
  });
  app.post('/api/drafts/:id/discard', async (c) => {
    const { id } = parseParams(c, idParam);
    const { accountId, userId } = c.get('auth');
    await access.requireLeadEdit(c.get('auth'), delivery.draftLead(accountId, id));
    const why = await parseJson(c, discardSchema);
    return c.json(delivery.discard(accountId, id, userId, why), 200);
  });
  return app;
}
