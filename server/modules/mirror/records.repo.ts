import type { Sqlite } from '../../../db/client.js';

export interface TaskEventRow {
  accountId: number;
  id: number;
  leadId: number | null;
  entityType: number | null;
  entityId: number | null;
  taskType: number | null;
  text: string;
  responsible: number | null;
  completed: 0 | 1;
  result: string | null;
  completeTill: number | null;
  deleted: 0 | 1;
  version: number;
  now: number;
}

export interface TalkEventRow {
  accountId: number;
  id: number;
  chatId: string | null;
  contactId: number | null;
  leadId: number | null;
  origin: string | null;
  isInWork: 0 | 1 | null;
  isRead: 0 | 1 | null;
  version: number;
  now: number;
}

export interface CallRow {
  accountId: number;
  noteId: number;
  leadId: number | null;
  contactId: number | null;
  direction: 'inbound' | 'outbound';
  duration: number;
  status: number | null;
  missed: 0 | 1;
  phone: string | null;
  link: string | null;
  userId: number | null;
  uniq: string | null;
  now: number;
}

/** The mirror's records that only webhooks bring: tasks, talks (chat threads) and calls (from call notes). */
export function createRecordsRepo(sqlite: Sqlite) {
  const s = {
    taskState: sqlite.prepare('SELECT responsible_user_id AS responsibleUserId, is_completed AS done FROM tasks WHERE account_id = ? AND id = ?'),
    task: sqlite.prepare(
      `INSERT INTO tasks (account_id, id, lead_id, entity_type, entity_id, task_type_id, text, responsible_user_id, is_completed, result_text, complete_till, is_deleted, kommo_updated_at, updated_at)
       VALUES (@accountId, @id, @leadId, @entityType, @entityId, @taskType, @text, @responsible, @completed, @result, @completeTill, @deleted, @version, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET lead_id = coalesce(excluded.lead_id, tasks.lead_id), task_type_id = coalesce(excluded.task_type_id, tasks.task_type_id),
         text = CASE WHEN excluded.text = '' THEN tasks.text ELSE excluded.text END, responsible_user_id = coalesce(excluded.responsible_user_id, tasks.responsible_user_id),
         is_completed = excluded.is_completed, result_text = coalesce(excluded.result_text, tasks.result_text), complete_till = coalesce(excluded.complete_till, tasks.complete_till),
         is_deleted = excluded.is_deleted, kommo_updated_at = excluded.kommo_updated_at, updated_at = excluded.updated_at
       WHERE excluded.kommo_updated_at >= tasks.kommo_updated_at OR excluded.is_deleted = 1`,
    ),
    talk: sqlite.prepare(
      `INSERT INTO talks (account_id, id, chat_id, contact_id, lead_id, origin, is_in_work, is_read, kommo_updated_at, updated_at)
       VALUES (@accountId, @id, @chatId, @contactId, @leadId, @origin, @isInWork, @isRead, @version, @now)
       ON CONFLICT (account_id, id) DO UPDATE SET chat_id = coalesce(excluded.chat_id, talks.chat_id), contact_id = coalesce(excluded.contact_id, talks.contact_id),
         lead_id = coalesce(excluded.lead_id, talks.lead_id), origin = coalesce(excluded.origin, talks.origin), is_in_work = excluded.is_in_work, is_read = excluded.is_read,
         kommo_updated_at = excluded.kommo_updated_at, updated_at = excluded.updated_at
       WHERE excluded.kommo_updated_at >= talks.kommo_updated_at`,
    ),
    call: sqlite.prepare(
      `INSERT INTO calls (account_id, kommo_note_id, lead_id, contact_id, direction, duration_sec, call_status, missed, phone, link, user_id, uniq, created_at)
       VALUES (@accountId, @noteId, @leadId, @contactId, @direction, @duration, @status, @missed, @phone, @link, @userId, @uniq, @now)
       ON CONFLICT (account_id, kommo_note_id) DO NOTHING`,
    ),
  };
  return {
    taskState: (accountId: number, id: number) => s.taskState.get(accountId, id) as { responsibleUserId: number | null; done: number } | undefined,
    /** Newer versions win; a delete always applies. */
    applyTaskEvent: (row: TaskEventRow) => void s.task.run(row),
    applyTalkEvent: (row: TalkEventRow) => void s.talk.run(row),
    /** The new call's id, or null when this note was stored before. */
    insertCall(row: CallRow): number | null {
      const r = s.call.run(row);
      return r.changes === 0 ? null : Number(r.lastInsertRowid);
    },
  };
}

export type RecordsRepo = ReturnType<typeof createRecordsRepo>;
