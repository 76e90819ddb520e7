/** Account metadata: /account, /users, /leads/pipelines, /{entity}/custom_fields, /{entity}/tags. */
import type { SimCore } from './core.js';
import { json, multiNum, noContent, problem, withSet } from './http-util.js';
import { applyOrder, listReply } from './list.js';
import type { Router } from './router.js';
import { fieldOut, pipelineOut, statusOut, userOut } from './serialize.js';
import type { EntityKind } from './types.js';

const ENTITIES: EntityKind[] = ['leads', 'contacts', 'companies'];

export function registerAccountRoutes(r: Router, core: SimCore): void {
  const s = core.state;

  r.on('GET', '/api/v4/account', (req) => {
    const w = withSet(req.query);
    const a = s.account;
    const body: Record<string, unknown> = {
      id: a.id,
      name: a.name,
      subdomain: a.subdomain,
      created_at: a.created_at,
      created_by: a.current_user_id,
      updated_at: a.created_at,
      updated_by: a.current_user_id,
      current_user_id: a.current_user_id,
      country: a.country,
      currency: a.currency,
      currency_symbol: a.currency_symbol,
      customers_mode: 'disabled',
      is_unsorted_on: true,
      mobile_feature_version: 0,
      is_loss_reason_enabled: true,
      is_helpbot_enabled: false,
      is_technical_account: false,
      contact_name_display_order: 1,
      _links: core.link('/api/v4/account'),
    };
    if (w.has('amojo_id')) body.amojo_id = a.amojo_id;
    const emb: Record<string, unknown> = {};
    if (w.has('task_types')) emb.task_types = s.taskTypes.map((t) => ({ ...t }));
    if (w.has('users_groups')) emb.users_groups = [{ id: 0, name: 'Sales', uuid: null }];
    if (w.has('datetime_settings')) {
      emb.datetime_settings = {
        date_pattern: 'd.m.Y H:i',
        short_date_pattern: 'd.m.Y',
        short_time_pattern: 'H:i',
        date_format: 'd.m.Y',
        time_format: 'H:i:s',
        timezone: 'America/Sao_Paulo',
        timezone_offset: '-03:00',
      };
    }
    if (Object.keys(emb).length) body._embedded = emb;
    return json(200, body);
  });

  r.on('GET', '/api/v4/users', (req) => {
    const items = applyOrder([...s.users.values()], req.query);
    return listReply(core, req, 'users', items, (u) => userOut(core, u), { totals: true });
  });
  r.on('GET', '/api/v4/users/#id', (req) => {
    const u = s.users.get(Number(req.params[0]));
    return u ? json(200, userOut(core, u)) : noContent();
  });

  r.on('GET', '/api/v4/leads/pipelines', () => {
    const all = [...s.pipelines.values()].sort((a, b) => a.sort - b.sort || a.id - b.id);
    if (!all.length) return noContent();
    return json(200, {
      _total_items: all.length,
      _links: core.link('/api/v4/leads/pipelines'),
      _embedded: { pipelines: all.map((p) => pipelineOut(core, p)) },
    });
  });
  r.on('GET', '/api/v4/leads/pipelines/#id', (req) => {
    const p = s.pipelines.get(Number(req.params[0]));
    return p ? json(200, pipelineOut(core, p)) : problem(404, 'Not Found', 'Pipeline not found');
  });
  r.on('GET', '/api/v4/leads/pipelines/#id/statuses', (req) => {
    const p = s.pipelines.get(Number(req.params[0]));
    if (!p) return problem(404, 'Not Found', 'Pipeline not found');
    const sts = [...p._embedded.statuses].sort((a, b) => a.sort - b.sort);
    return json(200, {
      _total_items: sts.length,
      _links: core.link(`/api/v4/leads/pipelines/${p.id}/statuses`),
      _embedded: { statuses: sts.map((x) => statusOut(core, x)) },
    });
  });
  r.on('GET', '/api/v4/leads/pipelines/#id/statuses/#sid', (req) => {
    const st = s.pipelines.get(Number(req.params[0]))?._embedded.statuses.find((x) => x.id === Number(req.params[1]));
    return st ? json(200, statusOut(core, st)) : problem(404, 'Not Found', 'Status not found');
  });

  for (const entity of ENTITIES) {
    r.on('GET', `/api/v4/${entity}/custom_fields`, (req) => {
      const ids = new Set(multiNum(req.query, 'filter[id]'));
      const types = new Set(req.query.getAll('filter[type][]').concat(req.query.getAll('filter[type]')));
      const items = [...s.customFields[entity].values()]
        .filter((f) => (!ids.size || ids.has(f.id)) && (!types.size || types.has(f.type)))
        .sort((a, b) => a.sort - b.sort || a.id - b.id);
      return listReply(core, req, 'custom_fields', items, (f) => fieldOut(core, f), { totals: true });
    });
    r.on('GET', `/api/v4/${entity}/custom_fields/#id`, (req) => {
      const f = s.customFields[entity].get(Number(req.params[0]));
      return f ? json(200, fieldOut(core, f)) : problem(404, 'Not Found', 'Custom field not found');
    });
    r.on('GET', `/api/v4/${entity}/tags`, (req) => {
      const query = req.query.get('query')?.toLowerCase();
      const items = [...s.tags[entity].values()].filter((t) => !query || t.name.toLowerCase().includes(query));
      return listReply(core, req, 'tags', applyOrder(items, req.query), (t) => ({ ...t }));
    });
  }
}
