import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { adminOnly, type AccessCheck } from '../../http/guards.js';
import { parseJson, parseParams } from '../../lib/validate.js';
import { createSequenceSchema, enrollmentActionParam, enrollSchema, idParam, leadParam, patchSequenceSchema } from './sequences.schemas.js';
import type { SequencesService } from './sequences.service.js';

/** Sequences: everyone reads them (the lead card lists its stage's), admins change them; enrollments follow the user's rights on the lead. */
export function sequencesRoutes(seqs: SequencesService, access: AccessCheck) {
  const app = new Hono<AppEnv>();
  const admin = adminOnly(access);
  app.get('/api/sequences', (c) => c.json({ items: seqs.list(c.get('auth').accountId) }, 200));
  app.post('/api/sequences', admin, async (c) => {
    const body = await parseJson(c, createSequenceSchema);
    const { accountId, userId } = c.get('auth');
    return c.json(seqs.create(accountId, body, userId), 201);
  });
  app.get('/api/sequences/:id', (c) => c.json(seqs.get(c.get('auth').accountId, parseParams(c, idParam).id), 200));
  app.patch('/api/sequences/:id', admin, async (c) => {
    const { id } = parseParams(c, idParam);
    const body = await parseJson(c, patchSequenceSchema);
    const { accountId, userId } = c.get('auth');
    return c.json(seqs.update(accountId, id, body, userId), 200);
  });
  app.delete('/api/sequences/:id', admin, (c) => {
    const { accountId, userId } = c.get('auth');
    seqs.remove(accountId, parseParams(c, idParam).id, userId);
    return c.body(null, 204);
  });

  app.get('/api/leads/:leadId/enrollments', async (c) => {
    const { leadId } = parseParams(c, leadParam);
    await access.requireLeadView(c.get('auth'), leadId);
    return c.json({ items: seqs.forLead(c.get('auth').accountId, leadId) }, 200);
  });
  app.post('/api/leads/:leadId/enrollments', async (c) => {
    const { leadId } = parseParams(c, leadParam);
    const body = await parseJson(c, enrollSchema);
    await access.requireLeadEdit(c.get('auth'), leadId);
    const { accountId, userId } = c.get('auth');
    return c.json(seqs.enrollByUser(accountId, body.sequenceId, leadId, userId), 201);
  });
  app.post('/api/enrollments/:id/:action', async (c) => {
    const { id, action } = parseParams(c, enrollmentActionParam);
    const { accountId, userId } = c.get('auth');
    await access.requireLeadEdit(c.get('auth'), seqs.leadOf(accountId, id));
    return c.json(seqs.control(accountId, id, action, userId), 200);
  });
  return app;
}
