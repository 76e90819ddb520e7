/**
 * Tasks family: `task[add|update|delete|responsible][i]` (also sent as `tasks[…]`) → `task` events.
 * Payload type, zod spec, fast reader, mapping and walker.
 */
import type { z } from 'zod';
import { key, versionOf } from '../event-key.js';
import { zInt, zObj, zOptInt, zOptObj, zOptStr, zOptTime } from '../fields.js';
import type { FormObject, FormValue } from '../form.js';
import { int, objectAt, optInt, optObj, optStr, optTime, run, setIf } from '../readers.js';
import { defined, itemsOf, plainRaw, pushUnknown, type Ctx, type Raw, type UnknownEvent } from './common.js';

// ---------------------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------------------

export interface TaskPayload {
  id: number;
  elementId?: number;
  elementType?: number;
  taskType?: number;
  text?: string;
  /** "0" open / "1" done. */
  status?: number;
  isCompleted?: boolean;
  result?: { id?: number; text?: string };
  responsibleUserId?: number;
  oldResponsibleUserId?: number;
  /** A date string as Kommo sends it. */
  completeTill?: string;
  /** Unix seconds. */
  completeBefore?: number;
  lastModified?: number | string;
  createdUserId?: number;
  modifiedUserId?: number;
  dateCreate?: number | string;
  createdAt?: number;
  updatedAt?: number;
  accountId?: number;
  groupId?: number;
  raw: Raw;
}

export type TaskAction = 'add' | 'update' | 'delete' | 'responsible';

export type TaskEvent = { kind: 'task'; action: TaskAction; task: TaskPayload; eventKey: string };

// ---------------------------------------------------------------------------------------------------------
// Spec (zod): the specification. Parsing runs `readTask` below instead (same data, same first error;
// validate.test.ts holds them equal). Change a field here → change it in the reader too.
// ---------------------------------------------------------------------------------------------------------

export const TaskSchema = zObj({
  id: zInt,
  element_id: zOptInt,
  element_type: zOptInt,
  task_type: zOptInt,
  text: zOptStr,
  status: zOptInt,
  result: zOptObj({ id: zOptInt, text: zOptStr }),
  responsible_user_id: zOptInt,
  old_responsible_user_id: zOptInt,
  complete_till: zOptStr,
  complete_before: zOptInt,
  last_modified: zOptTime,
  created_user_id: zOptInt,
  modified_user_id: zOptInt,
  date_create: zOptTime,
  created_at: zOptInt,
  updated_at: zOptInt,
  account_id: zOptInt,
  group_id: zOptInt,
});

// ---------------------------------------------------------------------------------------------------------
// Fast reader
// ---------------------------------------------------------------------------------------------------------

export type TaskOut = z.output<typeof TaskSchema>;

const RESULT_KEYS: ReadonlySet<string> = new Set(['id', 'text']);

function task(v: FormValue | undefined): TaskOut {
  const o = objectAt(v);
  return {
    id: int(o, 'id'),
    element_id: optInt(o, 'element_id'),
    element_type: optInt(o, 'element_type'),
    task_type: optInt(o, 'task_type'),
    text: optStr(o, 'text'),
    status: optInt(o, 'status'),
    result: optObj(o, 'result', RESULT_KEYS, (x) => {
      const out: Record<string, unknown> = {};
      setIf(out, x, 'id', optInt(x, 'id'));
      setIf(out, x, 'text', optStr(x, 'text'));
      return out as NonNullable<TaskOut['result']>;
    }),
    responsible_user_id: optInt(o, 'responsible_user_id'),
    old_responsible_user_id: optInt(o, 'old_responsible_user_id'),
    complete_till: optStr(o, 'complete_till'),
    complete_before: optInt(o, 'complete_before'),
    last_modified: optTime(o, 'last_modified'),
    created_user_id: optInt(o, 'created_user_id'),
    modified_user_id: optInt(o, 'modified_user_id'),
    date_create: optTime(o, 'date_create'),
    created_at: optInt(o, 'created_at'),
    updated_at: optInt(o, 'updated_at'),
    account_id: optInt(o, 'account_id'),
    group_id: optInt(o, 'group_id'),
  };
}

/** Validate a task item; throws `FieldError` (message `path: problem`) on the first problem. */
export const readTask = (v: FormValue | undefined, at: string): TaskOut => run(task, v, at);

// ---------------------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------------------

function toTask(o: z.output<typeof TaskSchema>, item: FormObject): TaskPayload {
  return defined({
    id: o.id,
    elementId: o.element_id,
    elementType: o.element_type,
    taskType: o.task_type,
    text: o.text,
    status: o.status,
    isCompleted: o.status === undefined ? undefined : o.status === 1,
    result: o.result ? defined({ id: o.result.id, text: o.result.text }) : undefined,
    responsibleUserId: o.responsible_user_id,
    oldResponsibleUserId: o.old_responsible_user_id,
    completeTill: o.complete_till,
    completeBefore: o.complete_before,
    lastModified: o.last_modified,
    createdUserId: o.created_user_id,
    modifiedUserId: o.modified_user_id,
    dateCreate: o.date_create,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    accountId: o.account_id,
    groupId: o.group_id,
    raw: plainRaw(item),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Walker
// ---------------------------------------------------------------------------------------------------------

const TASK_ACTIONS = new Set<string>(['add', 'update', 'delete', 'responsible']);

/**
 * `task[{action}][i]` / `tasks[…]` → `task` events; any other action → `unknown`.
 * Event key "{accountId}:task:{action}:{task id}:{version}[:{extra}]", version = last_modified ?? updated_at ??
 * date_create ?? created_at (as sent); "responsible" adds ":{responsible_user_id}"; "update" adds ":{status}".
 */
export function walkTasks(ctx: Ctx<TaskEvent | UnknownEvent>, entity: string, actions: FormObject): void {
  for (const action of Object.keys(actions)) {
    const value = actions[action] as FormValue;
    if (!TASK_ACTIONS.has(action)) {
      pushUnknown(ctx, entity, action, value);
      continue;
    }
    for (const { item, path } of itemsOf(value, `${entity}[${action}]`)) {
      const task = toTask(readTask(item, path), item);
      const version = versionOf(task.lastModified, task.updatedAt, task.dateCreate, task.createdAt);
      const extra = action === 'responsible' ? [task.responsibleUserId] : action === 'update' ? [task.status] : [];
      ctx.events.push({
        kind: 'task',
        action: action as TaskAction,
        task,
        eventKey: key(ctx.accountId, 'task', action, task.id, version, ...extra),
      });
    }
  }
}
