/** /api/v4/events, /api/v4/webhooks, /api/v4/salesbot/{bot}/continue/{id}. */
import { launchBot, botContinued } from './chats.js';
import type { SimCore } from './core.js';
import { ErrorBag, inRange, isObj, json, multi, multiNum, noContent, problem, range, type Reply, type Req } from './http-util.js';
import { listReply } from './list.js';
import type { Router } from './router.js';
import { eventOut, webhookOut } from './serialize.js';
import { nextId } from './state.js';
import type { SimEvent, Webhook } from './types.js';

const ENTITY_ALIASES: Record<string, string> = { leads: 'lead', contacts: 'contact', companies: 'company', tasks: 'task' };

/** Subscribable webhook events (docs/kommo.md §4). */
export const WEBHOOK_SETTINGS = new Set([
  ...['lead', 'contact', 'company', 'customer'].flatMap((e) => ['add', 'update', 'delete', 'restore', 'status', 'responsible', 'note'].map((a) => `${a}_${e}`)),
  'add_task',
  'update_task',
  'delete_task',
  'responsible_task',
  'add_talk',
  'update_talk',
  'add_message',
  'add_outgoing_message',
  'add_chat_template_review',
  'add_unsorted',
  'update_unsorted',
  'delete_unsorted',
]);

export function registerMiscRoutes(r: Router, core: SimCore): void {
  r.on('GET', '/api/v4/events', (req) => listEvents(core, req));
  r.on('GET', '/api/v4/events/:id', (req) => {
    const e = core.state.events.find((x) => x.id === req.params[0]);
    return e ? json(200, eventOut(core, e)) : noContent();
  });
  r.on('GET', '/api/v4/webhooks', (req) => {
    const dest = req.query.get('filter[destination]');
    const items = [...core.state.webhooks.values()].filter((w) => !dest || w.destination === dest);
    if (!items.length) return noContent();
    return json(200, { _total_items: items.length, _links: core.link('/api/v4/webhooks'), _embedded: { webhooks: items.map(webhookOut) } });
  });
  r.on('POST', '/api/v4/webhooks', (req) => upsertWebhook(core, req));
  r.on('DELETE', '/api/v4/webhooks', (req) => {
    const dest = isObj(req.body) ? req.body.destination : undefined;
    if (typeof dest !== 'string' || !dest) {
      const bag = new ErrorBag();
      bag.add('0', 'NotBlank', 'destination', 'This value should not be blank.');
      return bag.reply();
    }
    if (!core.state.webhooks.delete(dest)) return problem(404, 'Not Found', 'Webhook not found');
    return noContent();
  });
  r.on('POST', '/api/v4/salesbot/:bot/continue/:id', (req) => salesbotContinue(core, req));
  r.on('GET', '/api/v4/bots', () => {
    const bots = [...core.state.chats.salesbots.values()].map((b) => ({ id: b.id, name: b.name, is_active: true, _links: core.link(`/api/v4/bots/${b.id}`) }));
    return bots.length ? json(200, { _total_items: bots.length, _links: core.link('/api/v4/bots'), _embedded: { bots } }) : noContent();
  });
  r.on('POST', '/api/v4/bots/#id/run', (req) => {
    const b = isObj(req.body) ? req.body : {};
    const leadId = Number(b.entity_id);
    if (b.entity_type !== 'leads' || !Number.isSafeInteger(leadId)) return problem(400, 'Bad Request', 'entity_id and entity_type "leads" are required');
    const r = launchBot(core, core.state.chats, Number(req.params[0]), leadId);
    return r.ok ? json(202, { task_id: r.continueId }) : problem(r.status, r.status === 404 ? 'Not Found' : 'Bad Request', r.detail);
  });
}

function listEvents(core: SimCore, req: Req): Reply {
  const q = req.query;
  const types = new Set(multi(q, 'filter[type]'));
  const entities = new Set(multi(q, 'filter[entity]').map((e) => ENTITY_ALIASES[e] ?? e));
  const entityIds = new Set(multiNum(q, 'filter[entity_id]'));
  const ids = new Set(multi(q, 'filter[id]'));
  const by = new Set(multiNum(q, 'filter[created_by]'));
  const crt = range(q, 'filter[created_at]');
  const items: SimEvent[] = core.state.events.filter(
    (e) =>
      (!types.size || types.has(e.type)) &&
      (!entities.size || entities.has(e.entity_type)) &&
      (!entityIds.size || entityIds.has(e.entity_id)) &&
      (!ids.size || ids.has(e.id)) &&
      (!by.size || by.has(e.created_by)) &&
      inRange(e.created_at, crt),
  );
  // Kommo lists events newest first; order[created_at]=asc flips it.
  const asc = q.get('order[created_at]')?.toLowerCase() === 'asc';
  const indexed = items.map((e, i) => ({ e, i }));
  indexed.sort((a, b) => (asc ? 1 : -1) * (a.e.created_at - b.e.created_at || a.i - b.i));
  return listReply(
    core,
    req,
    'events',
    indexed.map((x) => x.e),
    (e) => eventOut(core, e),
    { maxLimit: 100, defLimit: 100 },
  );
}

function upsertWebhook(core: SimCore, req: Req): Reply {
  const b = req.body;
  const bag = new ErrorBag();
  if (!isObj(b)) return problem(400, 'Bad Request', 'Body must be a JSON object');
  const dest = b.destination;
  if (typeof dest !== 'string' || !/^https?:\/\/\S+$/.test(dest)) bag.add('0', 'InvalidUrl', 'destination', 'This value is not a valid URL.');
  const settings = b.settings;
  if (!Array.isArray(settings) || settings.length === 0) bag.add('0', 'NotBlank', 'settings', 'This value should not be blank.');
  else
    settings.forEach((s, i) => {
      if (typeof s !== 'string' || !WEBHOOK_SETTINGS.has(s)) bag.add('0', 'NotSupportedChoice', `settings.${i}`);
    });
  if (!bag.empty) return bag.reply();
  const now = core.now();
  let w = core.state.webhooks.get(dest as string);
  if (!w && core.state.webhooks.size >= 100) return problem(400, 'Bad Request', 'Webhooks limit (100) reached');
  if (w) Object.assign(w, { settings: [...new Set(settings as string[])], updated_at: now, disabled: false });
  else {
    w = {
      id: nextId(core.state, 'webhook'),
      destination: dest as string,
      settings: [...new Set(settings as string[])],
      created_at: now,
      updated_at: now,
      created_by: core.currentUserId,
      account_id: core.accountId,
      sort: typeof b.sort === 'number' ? b.sort : 1,
      disabled: false,
    } satisfies Webhook;
    core.state.webhooks.set(w.destination, w);
  }
  return json(200, webhookOut(w));
}

function salesbotContinue(core: SimCore, req: Req): Reply {
  const b = req.body;
  const bag = new ErrorBag();
  if (!isObj(b)) return problem(400, 'Bad Request', 'Body must be a JSON object');
  if (b.data !== undefined && !isObj(b.data)) bag.add('0', 'InvalidType', 'data', 'This value should be of type object.');
  if (b.execute_handlers !== undefined) {
    if (!Array.isArray(b.execute_handlers)) bag.add('0', 'InvalidType', 'execute_handlers', 'This value should be of type array.');
    else {
      if (b.execute_handlers.length > 10) bag.add('0', 'TooMany', 'execute_handlers', 'This collection should contain 10 elements or less.');
      b.execute_handlers.forEach((h, i) => {
        if (!isObj(h) || typeof h.handler !== 'string') return bag.add('0', 'NotBlank', `execute_handlers.${i}.handler`, 'This value should not be blank.');
        const params = isObj(h.params) ? h.params : {};
        if (h.handler === 'show' && typeof params.value === 'string' && params.value.length > 80) {
          bag.add('0', 'TooLong', `execute_handlers.${i}.params.value`, 'This value is too long. It should have 80 characters or less.');
        }
      });
    }
  }
  if (!bag.empty) return bag.reply();
  core.state.salesbotContinues.push({ at: Date.now(), botId: req.params[0]!, continueId: req.params[1]!, body: b });
  botContinued(core, core.state.chats, req.params[0]!, req.params[1]!, b);
  return { status: 200 };
}
