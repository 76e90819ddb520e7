import type { KommoEventOf } from '../../../kommo/webhook/events.js';
import { ownKeys } from '../../kommo/own-writes.js';
import { accountLanguage } from '../../../lib/i18n.js';
import { taskNoticeText } from './tasks.texts.js';
import { defineHandler, leadKey, preview, userName, type HandlerCtx } from './context.js';

/** Tasks: local table, a timeline entry on the lead's conversation, a notification, and the bus event for rules. */
export const tasksHandler = defineHandler({
  kinds: ['task'] as const,
  serialKey: (accountId, e) => (e.task.elementType === 2 ? leadKey(accountId, e.task.elementId) : `task:${accountId}:${e.task.id}`),
  entityId: (e) => String(e.task.id),
  handle: handleTaskEvent,
});

function handleTaskEvent(ctx: HandlerCtx, e: KommoEventOf<'task'>): void {
  const { deps, accountId } = ctx;
  const t = e.task;
  const now = deps.clock.now();
  const leadId = t.elementType === 2 ? (t.elementId ?? null) : null;
  const prev = deps.records.taskState(accountId, t.id);
  const completeTill = t.completeBefore ?? (t.completeTill && !Number.isNaN(Date.parse(t.completeTill)) ? Math.floor(Date.parse(t.completeTill) / 1000) : null);
  const version = typeof t.lastModified === 'number' ? t.lastModified : (t.updatedAt ?? 0);
  const completed = t.isCompleted ?? t.status === 1;
  deps.records.applyTaskEvent({
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
    e.action === 'add'
      ? `Task for ${who}: ${preview(t.text, 60)}${due}`
      : e.action === 'delete'
        ? `Task deleted: ${preview(t.text, 60) || `#${t.id}`}`
        : e.action === 'responsible'
          ? `Task reassigned to ${who}`
          : completed && !prev?.done
            ? `Task completed: ${preview(t.text, 60)}${t.result?.text ? ` — ${preview(t.result.text, 40)}` : ''}`
            : `Task updated: ${preview(t.text, 60)}`;
  if (leadId) {
    deps.conversations.insertMessage({
      accountId,
      leadId,
      contactId: null,
      direction: 'timeline',
      author: 'system',
      authorUserId: t.responsibleUserId ?? null,
      channel: 'task',
      externalId: `task:${t.id}:${ctx.eventId}`,
      text: title,
      metadata: { taskId: t.id, action: e.action },
    });
  }
  const echo = e.action === 'add' && leadId !== null && deps.ownWrites.isOwn(accountId, ownKeys.task(leadId, t.text));
  deps.activity.write({
    accountId,
    leadId,
    userId: t.responsibleUserId ?? null,
    type: `task.${e.action}`,
    title,
    metadata: { kommo: { taskId: t.id, leadId, responsibleUserId: t.responsibleUserId }, eventId: ctx.eventId, echo },
    params: {
      text: preview(t.text, 60) || `#${t.id}`,
      who,
      at: completeTill ? new Date(completeTill * 1000).toISOString().slice(0, 16).replace('T', ' ') : '',
      variant: e.action === 'update' && completed && !prev?.done ? 'completed' : e.action === 'add' && completeTill ? 'due' : 'default',
    },
  });

  const assigned =
    (e.action === 'add' || e.action === 'responsible' || (e.action === 'update' && prev && prev.responsibleUserId !== t.responsibleUserId)) &&
    t.responsibleUserId &&
    !completed;
  if (assigned) {
    const lang = accountLanguage(deps.accounts.settings(accountId));
    const at = completeTill ? new Date(completeTill * 1000).toISOString().slice(0, 16).replace('T', ' ') : null;
    deps.notifier.notify({
      accountId,
      userId: t.responsibleUserId!,
      kind: 'task_assigned',
      leadId,
      title: taskNoticeText(lang, 'title', { text: preview(t.text, 60) }),
      body: taskNoticeText(lang, 'body', { text: preview(t.text, 200), due: at ? taskNoticeText(lang, 'due', { at }) : '' }),
      dedupeKey: `task:${t.id}:assigned:${t.responsibleUserId}`,
    });
  }
  deps.bus.emit('task_changed', {
    accountId,
    taskId: t.id,
    action: e.action,
    leadId,
    responsibleUserId: t.responsibleUserId ?? null,
    text: t.text ?? null,
    completeTill,
  });
}
