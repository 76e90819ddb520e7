/** /api/v4/tasks: list, get, batch create, batch/single patch. */
import type { SimCore } from './core.js';
import { ErrorBag, inRange, int, isObj, json, multi, multiNum, noContent, problem, range, type Reply, type Req } from './http-util.js';
import { applyOrder, listReply } from './list.js';
import type { Router } from './router.js';
import { taskOut } from './serialize.js';
import { nextId } from './state.js';
import type { Task } from './types.js';

const ENTITY_TYPES = new Set(['leads', 'contacts', 'companies', 'customers']);

export function registerTaskRoutes(r: Router, core: SimCore): void {
  r.on('GET', '/api/v4/tasks', (req) => listTasks(core, req));
  r.on('GET', '/api/v4/tasks/#id', (req) => {
    const t = core.state.tasks.get(Number(req.params[0]));
    return t ? json(200, taskOut(core, t)) : noContent();
  });
  r.on('POST', '/api/v4/tasks', (req) => writeTasks(core, req, 'create'));
  r.on('PATCH', '/api/v4/tasks', (req) => writeTasks(core, req, 'batch'));
  r.on('PATCH', '/api/v4/tasks/#id', (req) => {
    const id = Number(req.params[0]);
    if (!core.state.tasks.has(id)) return problem(404, 'Not Found', `Task ${id} not found`);
    if (!isObj(req.body)) return problem(400, 'Bad Request', 'Body must be a JSON object');
    return writeTasks(core, { ...req, body: [{ ...req.body, id }] }, 'single');
  });
}

function listTasks(core: SimCore, req: Req): Reply {
  const q = req.query;
  const ids = new Set(multiNum(q, 'filter[id]'));
  const resp = new Set(multiNum(q, 'filter[responsible_user_id]'));
  const types = new Set(multiNum(q, 'filter[task_type]').concat(multiNum(q, 'filter[task_type_id]')));
  const entityTypes = new Set(multi(q, 'filter[entity_type]'));
  const entityIds = new Set(multiNum(q, 'filter[entity_id]'));
  const done = q.get('filter[is_completed]');
  const upd = range(q, 'filter[updated_at]');
  const items: Task[] = [];
  for (const t of core.state.tasks.values()) {
    if (ids.size && !ids.has(t.id)) continue;
    if (resp.size && !resp.has(t.responsible_user_id)) continue;
    if (types.size && !types.has(t.task_type_id)) continue;
    if (entityTypes.size && !entityTypes.has(t.entity_type ?? '')) continue;
    if (entityIds.size && !entityIds.has(t.entity_id ?? -1)) continue;
    if (done !== null && (done === '1' || done === 'true') !== t.is_completed) continue;
    if (!inRange(t.updated_at, upd)) continue;
    items.push(t);
  }
  applyOrder(items, q);
  return listReply(core, req, 'tasks', items, (t) => taskOut(core, t));
}

function entityExists(core: SimCore, type: string, id: number): boolean {
  if (type === 'leads') return core.state.leads.has(id);
  if (type === 'contacts') return core.state.contacts.has(id);
  if (type === 'companies') return core.state.companies.has(id);
  return true;
}

function writeTasks(core: SimCore, req: Req, mode: 'create' | 'batch' | 'single'): Reply {
  const body = req.body;
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'Body must be a JSON array of tasks');
  if (body.length > 250) return problem(400, 'Bad Request', 'Too many entities: at most 250 per request');
  const bag = new ErrorBag();
  const prepared: { task: Task | null; next: Partial<Task>; rid: string }[] = [];
  body.forEach((item, i) => {
    const rid = isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i);
    if (!isObj(item)) return bag.add(rid, 'InvalidType', '', 'This value should be of type object.');
    const before = bag.size;
    let task: Task | null = null;
    if (mode !== 'create') {
      const id = int(item.id);
      task = (id !== undefined ? core.state.tasks.get(id) : undefined) ?? null;
      if (!task) return bag.add(rid, 'NotFound', 'id', 'Task not found');
    }
    const next: Partial<Task> = {};
    if ('text' in item || !task) {
      if (typeof item.text !== 'string' || item.text === '') bag.add(rid, 'NotBlank', 'text', 'This value should not be blank.');
      else next.text = item.text;
    }
    if ('complete_till' in item || !task) {
      const v = int(item.complete_till);
      if (v === undefined) bag.add(rid, task ? 'InvalidType' : 'NotBlank', 'complete_till', 'This value should be of type int.');
      else next.complete_till = v;
    }
    if ('task_type_id' in item) {
      const v = int(item.task_type_id);
      if (v === undefined || !core.state.taskTypes.some((t) => t.id === v)) bag.add(rid, 'NotSupportedChoice', 'task_type_id');
      else next.task_type_id = v;
    }
    if ('responsible_user_id' in item) {
      const v = int(item.responsible_user_id);
      if (v === undefined || !core.state.users.has(v)) bag.add(rid, 'NotSupportedChoice', 'responsible_user_id');
      else next.responsible_user_id = v;
    }
    if ('entity_type' in item || 'entity_id' in item) {
      const et = String(item.entity_type ?? task?.entity_type ?? '');
      const eid = int(item.entity_id ?? task?.entity_id);
      if (!ENTITY_TYPES.has(et)) bag.add(rid, 'NotSupportedChoice', 'entity_type');
      else if (eid === undefined || !entityExists(core, et, eid)) bag.add(rid, 'NotFound', 'entity_id', 'Entity not found');
      else Object.assign(next, { entity_type: et, entity_id: eid });
    }
    if ('duration' in item) next.duration = int(item.duration) ?? 0;
    if ('is_completed' in item) next.is_completed = Boolean(item.is_completed);
    if ('result' in item) {
      if (!isObj(item.result) || typeof item.result.text !== 'string') bag.add(rid, 'InvalidType', 'result.text', 'This value should be of type string.');
      else next.result = { text: item.result.text };
    }
    if (bag.size === before) prepared.push({ task, next, rid });
  });
  if (!bag.empty) return bag.reply();
  const now = core.now();
  const out = prepared.map(({ task, next, rid }) => {
    if (task) {
      const wasDone = task.is_completed;
      Object.assign(task, next, { updated_at: now, updated_by: core.currentUserId });
      if (!wasDone && task.is_completed) core.addEvent('task_completed', 'task', task.id);
      return { id: task.id, updated_at: task.updated_at, ...(mode === 'batch' ? { request_id: rid } : {}), _links: core.link(`/api/v4/tasks/${task.id}`) };
    }
    const t: Task = {
      id: nextId(core.state, 'task'),
      created_by: core.currentUserId,
      updated_by: core.currentUserId,
      created_at: now,
      updated_at: now,
      responsible_user_id: core.currentUserId,
      group_id: 0,
      entity_id: null,
      entity_type: null,
      duration: 0,
      is_completed: false,
      task_type_id: 1,
      text: '',
      result: [],
      complete_till: now,
      account_id: core.accountId,
      ...next,
    };
    core.state.tasks.set(t.id, t);
    core.addEvent('task_added', 'task', t.id);
    return { id: t.id, request_id: rid, _links: core.link(`/api/v4/tasks/${t.id}`) };
  });
  if (mode === 'single') return json(200, out[0]);
  return json(200, { _links: core.link('/api/v4/tasks'), _embedded: { tasks: out } });
}
