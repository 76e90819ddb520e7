import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { preview, userName, type HandlerCtx } from './context.js';

/** Tasks: local table, a timeline entry on the lead's conversation, a notification, and the bus event for rules. */
export function handleTaskEvent(ctx: HandlerCtx, e: KommoEventOf<'task'>): void {
  const { deps, accountId } = ctx;
  const t = e.task;
  const now = deps.clock.now();
  const leadId = t.elementType === 2 ? (t.elementId ?? null) : null;
  const prev = deps.stmt('SELECT responsible_user_id AS r, is_completed AS done FROM tasks WHERE account_id = ? AND id = ?').get(accountId, t.id) as { r: number | null; done: number } | undefined;
  const completeTill = t.completeBefore ?? (t.completeTill && !Number.isNaN(Date.parse(t.completeTill)) ? Math.floor(Date.parse(t.completeTill) / 1000) : null);
  const version = typeof t.lastModified === 'number' ? t.lastModified : (t.updatedAt ?? 0);
  const completed = t.isCompleted ?? t.status === 1;
  deps.stmt(
      `INSERT INTO tasks (account_id, id, lead_id, entity_type, entity_id, task_type_id, text, responsible_user_id, is_completed, result_text, complete_till, is_deleted, kommo_updated_at, updated_at)
       VALUES (@accountId, @id, @leadId, @entityType, @entityId, @taskType, @text, @responsible, @completed, @result, @completeTill, @deleted, @version, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET lead_id = coalesce(excluded.lead_id, tasks.lead_id), task_type_id = coalesce(excluded.task_type_id, tasks.task_type_id),
         text = CASE WHEN excluded.text = '' THEN tasks.text ELSE excluded.text END, responsible_user_id = coalesce(excluded.responsible_user_id, tasks.responsible_user_id),
         is_completed = excluded.is_completed, result_text = coalesce(excluded.result_text, tasks.result_text), complete_till = coalesce(excluded.complete_till, tasks.complete_till),
         is_deleted = excluded.is_deleted, kommo_updated_at = excluded.kommo_updated_at, updated_at = excluded.updated_at
       WHERE excluded.kommo_updated_at >= tasks.kommo_updated_at OR excluded.is_deleted = 1`,
    )
    .run({
      accountId,
      id: t.id,
      leadId,
      entityType: t.elementType ?? null,
      entityId: t.elementId ?? null,
      taskType: t.taskType ?? null,
      text: t.text ?? '',
      responsible: t.responsibleUserId ?? null,
      completed: completed ? 1 : 0,
      result: t.result?.text ?? null,
      completeTill,
      deleted: e.action === 'delete' ? 1 : 0,
      version,
      now,
    });

  const who = userName(ctx, t.responsibleUserId);
  const due = completeTill ? ` (due ${new Date(completeTill * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
  const title =
    e.action === 'add' ? `Task for ${who}: ${preview(t.text, 60)}${due}`
    : e.action === 'delete' ? `Task deleted: ${preview(t.text, 60) || `#${t.id}`}`
    : e.action === 'responsible' ? `Task reassigned to ${who}`
    : completed && !prev?.done ? `Task completed: ${preview(t.text, 60)}${t.result?.text ? ` — ${preview(t.result.text, 40)}` : ''}`
    : `Task updated: ${preview(t.text, 60)}`;
  if (leadId) {
    deps.stmt(
        `INSERT INTO conversation_messages (account_id, lead_id, direction, author, author_user_id, channel, external_id, text, metadata, created_at)
         VALUES (?, ?, 'timeline', 'system', ?, 'task', ?, ?, ?, ?) ON CONFLICT (account_id, channel, external_id) DO NOTHING`,
      )
      .run(accountId, leadId, t.responsibleUserId ?? null, `task:${t.id}:${ctx.eventId}`, title, JSON.stringify({ taskId: t.id, action: e.action }), now);
  }
  const echo = e.action === 'add' && leadId !== null && deps.kommo.ownWrites.isOwn(accountId, ownKeys.task(leadId, t.text));
  deps.activity.write({
    accountId,
    leadId,
    userId: t.responsibleUserId ?? null,
    type: `task.${e.action}`,
    title,
    metadata: { kommo: { taskId: t.id, leadId, responsibleUserId: t.responsibleUserId }, eventId: ctx.eventId, echo },
  });

  const assigned = (e.action === 'add' || e.action === 'responsible' || (e.action === 'update' && prev && prev.r !== t.responsibleUserId)) && t.responsibleUserId && !completed;
  if (assigned) {
    deps.notifier.notify({
      accountId,
      userId: t.responsibleUserId!,
      kind: 'task_assigned',
      leadId,
      title: `New task: ${preview(t.text, 60)}`,
      body: `${title}.`,
      dedupeKey: `task:${t.id}:assigned:${t.responsibleUserId}`,
    });
  }
  deps.bus.emit('task_changed', { accountId, taskId: t.id, action: e.action, leadId, responsibleUserId: t.responsibleUserId ?? null, text: t.text ?? null, completeTill });
}
