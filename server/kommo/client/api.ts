import { z } from 'zod';
import { inSentOrder, writeInBatches } from './batch.js';
import { KommoError } from './errors.js';
import type { Send } from './http.js';
import { paginate } from './paginate.js';
import { withParam } from './query.js';
import {
  accountSchema,
  batchResultSchema,
  callResultSchema,
  companySchema,
  contactSchema,
  customFieldSchema,
  eventSchema,
  leadSchema,
  listPageSchema,
  noteSchema,
  pipelineSchema,
  taskSchema,
  updatedSchema,
  userSchema,
  webhookSchema,
  writtenSchema,
  type KommoCallResult,
} from './schemas.js';
import type { BatchOptions, KommoApi, NoteEntity } from './types.js';

const CUSTOM_FIELDS_PAGE = 50; // the custom_fields list caps `limit` at 50
const EVENTS_PAGE = 100; // the events list caps `limit` at 100
const SEARCH_PAGE = 50;

/** The resources of one account. Every call goes through `send` (pacing, retries, circuit, schema). */
export function createKommoApi(accountId: number, send: Send): KommoApi {
  const get = <T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, query: Record<string, string | undefined> = {}) =>
    send(accountId, { method: 'GET', target: { path, query }, schema });

  /** Batch POST/PATCH of `items` to `path`; returns the written ids in input order. */
  const writeIds = (method: 'POST' | 'PATCH', path: string, key: string, items: readonly unknown[], opts?: BatchOptions) =>
    writeInBatches(items, opts, async (part, shrinkable) => {
      const { rows } = await send(accountId, {
        method,
        target: { path },
        body: part,
        schema: batchResultSchema(key, writtenSchema),
        noRetryStatuses: shrinkable ? [504] : [],
      });
      return inSentOrder(rows, part.length, `Kommo ${method} ${path}`).map((r) => r.id);
    });

  const api: KommoApi = {
    accountId,

    request: (method, path, opts) => send(accountId, { method, target: { path, query: opts.query }, body: opts.body, schema: opts.schema }),

    paginate: (path, query, key, item) => paginate(send, accountId, path, query, key, item),

    getAccount: (withParts) => get('/api/v4/account', accountSchema, { with: withParam(withParts) }),

    users: () => paginate(send, accountId, '/api/v4/users', {}, 'users', userSchema),

    getUser: (id) => get(`/api/v4/users/${idSegment(id)}`, userSchema),

    async pipelines() {
      const page = await get('/api/v4/leads/pipelines', listPageSchema('pipelines', pipelineSchema).nullable());
      return page?.items ?? [];
    },

    customFields: (entity) =>
      paginate(send, accountId, `/api/v4/${entityPath(entity)}/custom_fields`, { limit: CUSTOM_FIELDS_PAGE }, 'custom_fields', customFieldSchema),

    leads: (q = {}) =>
      paginate(
        send,
        accountId,
        '/api/v4/leads',
        {
          limit: q.limit,
          with: withParam(q.with),
          'filter[updated_at][from]': q.updatedFrom,
          'filter[id]': q.ids,
          // Ascending updated_at so a sync can store the last seen value as its cursor.
          'order[updated_at]': 'asc',
        },
        'leads',
        leadSchema,
      ),

    getLead: (id, withParts) => get(`/api/v4/leads/${idSegment(id)}`, leadSchema, { with: withParam(withParts) }),

    updateLead: (id, patch) => send(accountId, { method: 'PATCH', target: { path: `/api/v4/leads/${idSegment(id)}` }, body: patch, schema: updatedSchema }),

    updateLeads: (patches, opts) => {
      for (const p of patches) idSegment(p.id);
      return writeIds('PATCH', '/api/v4/leads', 'leads', patches, opts);
    },

    createLeads: (leads, opts) => writeIds('POST', '/api/v4/leads', 'leads', leads, opts),

    contacts: (q = {}) =>
      paginate(
        send,
        accountId,
        '/api/v4/contacts',
        {
          limit: q.limit,
          query: q.query,
          with: withParam(q.with),
          'filter[updated_at][from]': q.updatedFrom,
          'order[updated_at]': 'asc',
        },
        'contacts',
        contactSchema,
      ),

    getContact: (id, withParts) => get(`/api/v4/contacts/${idSegment(id)}`, contactSchema, { with: withParam(withParts) }),

    async findContacts(query) {
      const pages = api.contacts({ query, limit: SEARCH_PAGE });
      try {
        const first = await pages.next();
        return first.done ? [] : first.value;
      } finally {
        await pages.return(undefined);
      }
    },

    companies: (q = {}) =>
      paginate(
        send,
        accountId,
        '/api/v4/companies',
        {
          limit: q.limit,
          query: q.query,
          with: withParam(q.with),
          'filter[updated_at][from]': q.updatedFrom,
          'order[updated_at]': 'asc',
        },
        'companies',
        companySchema,
      ),

    tasks: (q = {}) =>
      paginate(
        send,
        accountId,
        '/api/v4/tasks',
        {
          limit: q.limit,
          'filter[id]': q.ids,
          'filter[updated_at][from]': q.updatedFrom,
          'filter[entity_type]': q.entityType,
          // Kommo ignores entity_id unless entity_type is set (the official SDK sends them together).
          'filter[entity_id]': q.entityType ? q.entityIds : undefined,
          'filter[is_completed]': q.isCompleted,
          'filter[responsible_user_id]': q.responsibleUserIds,
        },
        'tasks',
        taskSchema,
      ),

    createTasks: (tasks, opts) => writeIds('POST', '/api/v4/tasks', 'tasks', tasks, opts),

    updateTask: (id, patch) => send(accountId, { method: 'PATCH', target: { path: `/api/v4/tasks/${idSegment(id)}` }, body: patch, schema: updatedSchema }),

    createNotes: (entity, notes, opts) => writeIds('POST', `/api/v4/${entityPath(entity)}/notes`, 'notes', notes, opts),

    leadNotes: (leadId) => paginate(send, accountId, `/api/v4/leads/${idSegment(leadId)}/notes`, {}, 'notes', noteSchema),

    async createCalls(calls, opts) {
      const created: KommoCallResult[] = [];
      const errors: unknown[] = [];
      // Unmatched calls come back in `errors` rather than as rows, so rows cannot be aligned by count.
      await writeInBatches(calls, opts, async (part, shrinkable) => {
        const res = await send(accountId, {
          method: 'POST',
          target: { path: '/api/v4/calls' },
          body: part,
          schema: batchResultSchema('calls', callResultSchema),
          noRetryStatuses: shrinkable ? [504] : [],
        });
        created.push(...res.rows);
        errors.push(...res.errors);
        return [];
      });
      return { created, errors };
    },

    events: (q = {}) =>
      paginate(
        send,
        accountId,
        '/api/v4/events',
        {
          limit: q.limit ?? EVENTS_PAGE,
          // The events filter takes comma-separated lists (as the official SDK sends them).
          'filter[type]': q.types?.length ? q.types.join(',') : undefined,
          'filter[entity]': q.entity,
          'filter[entity_id]': q.entityIds?.length ? q.entityIds.join(',') : undefined,
          'filter[created_at][from]': q.createdFrom,
        },
        'events',
        eventSchema,
      ),

    async listWebhooks() {
      const page = await get('/api/v4/webhooks', listPageSchema('webhooks', webhookSchema).nullable());
      return page?.items ?? [];
    },

    subscribeWebhook: (destination, settings) =>
      send(accountId, { method: 'POST', target: { path: '/api/v4/webhooks' }, body: { destination, settings }, schema: webhookSchema }),

    async unsubscribeWebhook(destination) {
      await send(accountId, { method: 'DELETE', target: { path: '/api/v4/webhooks' }, body: { destination }, schema: z.unknown() });
    },

    async runSalesbot(botId, leadId) {
      await send(accountId, {
        method: 'POST',
        target: { path: `/api/v4/bots/${idSegment(botId)}/run` },
        body: { entity_id: idSegment(leadId), entity_type: 'leads' },
        schema: z.unknown(),
      });
    },

    async salesbotContinue(returnUrl, body) {
      // return_url arrives in a request body; keep the bearer token to Salesbot's own endpoint on the
      // account host (send() checks the origin).
      let path: string;
      try {
        path = new URL(returnUrl).pathname;
      } catch {
        throw new KommoError('Salesbot return_url is not an absolute URL');
      }
      if (!/^\/api\/v4\/salesbot\/[^/]+\/continue\/[^/]+$/.test(path)) {
        throw new KommoError(`Salesbot return_url is not a /api/v4/salesbot/{bot}/continue/{id} URL`);
      }
      await send(accountId, { method: 'POST', target: { url: returnUrl }, body, schema: z.unknown() });
    },
  };
  return api;
}

function idSegment(id: number): string {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`Kommo entity id must be a positive integer, got ${id}`);
  return String(id);
}

function entityPath(entity: NoteEntity): NoteEntity {
  if (entity !== 'leads' && entity !== 'contacts' && entity !== 'companies') {
    throw new RangeError(`Kommo entity must be leads, contacts or companies, got ${String(entity)}`);
  }
  return entity;
}
