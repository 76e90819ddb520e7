import type { KommoApi } from '../../kommo/client/types.js';
import type { ToolName } from './actions.tools.js';

/** What an executed action changed in Kommo: enough to undo it. */
export interface ExecResult {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  kommoIds: Record<string, unknown>;
}

/** Actions whose effect can be reverted through the API (Kommo cannot delete a note). */
export const UNDOABLE: ReadonlySet<string> = new Set([
  'move_to_stage',
  'update_field',
  'add_tags',
  'remove_tags',
  'assign_user',
  'create_task',
  'schedule_followup',
]);

// biome-ignore lint/suspicious/noExplicitAny: each tool's arguments were checked by its own zod schema (actions.validate.ts); here they are read by name
type Args = Record<string, any>;

/** Run one validated action against Kommo. Reads the lead first, so `before` is Kommo's value, not the mirror's. */
export async function executeAction(api: KommoApi, leadId: number, type: ToolName, a: Args, nowMs: number): Promise<ExecResult> {
  switch (type) {
    case 'move_to_stage': {
      const lead = await api.getLead(leadId);
      await api.updateLead(leadId, { pipeline_id: a.pipelineId, status_id: a.statusId });
      return {
        before: { pipelineId: lead.pipeline_id, statusId: lead.status_id },
        after: { pipelineId: a.pipelineId, statusId: a.statusId },
        kommoIds: { leadId },
      };
    }
    case 'update_field': {
      const lead = await api.getLead(leadId);
      const cur = lead.custom_fields_values?.find((f) => f.field_id === a.fieldId);
      const before = cur ? cur.values.map((v) => (v.enum_id ? { value: v.value, enum_id: v.enum_id } : { value: v.value })) : null;
      await api.updateLead(leadId, { custom_fields_values: [{ field_id: a.fieldId, values: a.values }] });
      return { before: { fieldId: a.fieldId, values: before }, after: { fieldId: a.fieldId, values: a.values }, kommoIds: { leadId, fieldId: a.fieldId } };
    }
    case 'add_tags':
    case 'remove_tags': {
      const lead = await api.getLead(leadId);
      const current = (lead._embedded?.tags ?? []).map((t) => t.name.toLowerCase());
      const tags = a.tags as string[];
      const changed = type === 'add_tags' ? tags.filter((t) => !current.includes(t.toLowerCase())) : tags.filter((t) => current.includes(t.toLowerCase()));
      if (changed.length) {
        const list = changed.map((name) => ({ name }));
        await api.updateLead(leadId, type === 'add_tags' ? { tags_to_add: list } : { tags_to_delete: list });
      }
      return { before: { tags: (lead._embedded?.tags ?? []).map((t) => t.name) }, after: { changed }, kommoIds: { leadId } };
    }
    case 'assign_user': {
      const lead = await api.getLead(leadId);
      await api.updateLead(leadId, { responsible_user_id: a.userId });
      return { before: { userId: lead.responsible_user_id }, after: { userId: a.userId }, kommoIds: { leadId } };
    }
    case 'create_task':
    case 'schedule_followup': {
      const hours = type === 'create_task' ? a.dueInHours : a.inHours;
      const [taskId] = await api.createTasks([
        {
          text: type === 'create_task' ? a.text : `Follow up: ${a.text}`,
          complete_till: Math.floor(nowMs / 1000 + hours * 3600),
          entity_id: leadId,
          entity_type: 'leads',
          task_type_id: type === 'create_task' ? a.taskTypeId : 1,
          ...(a.responsibleUserId ? { responsible_user_id: a.responsibleUserId } : {}),
        },
      ]);
      return { before: null, after: { taskId }, kommoIds: { leadId, taskId } };
    }
    case 'add_note': {
      const [noteId] = await api.createNotes('leads', [{ entity_id: leadId, note_type: 'common', params: { text: a.text } }]);
      return { before: null, after: { noteId }, kommoIds: { leadId, noteId } };
    }
    case 'handoff_to_human':
      throw new Error('handoff_to_human is carried out by the handoff, not as a CRM action');
  }
}

/** Revert an executed action in Kommo from its stored before/after values. */
/** `cancelledText`: the result written on a task the undo closes, in the account's language. */
export async function undoAction(
  api: KommoApi,
  leadId: number,
  type: string,
  before: Args | null,
  after: Args | null,
  cancelledText = 'Cancelled: the AI agent action was undone',
): Promise<void> {
  switch (type) {
    case 'move_to_stage':
      await api.updateLead(leadId, { pipeline_id: before!.pipelineId, status_id: before!.statusId });
      return;
    case 'update_field':
      await api.updateLead(leadId, { custom_fields_values: [{ field_id: before!.fieldId, values: before!.values }] });
      return;
    case 'add_tags':
    case 'remove_tags': {
      const changed = (after?.changed as string[] | undefined) ?? [];
      if (!changed.length) return;
      const list = changed.map((name) => ({ name }));
      await api.updateLead(leadId, type === 'add_tags' ? { tags_to_delete: list } : { tags_to_add: list });
      return;
    }
    case 'assign_user':
      await api.updateLead(leadId, { responsible_user_id: before!.userId });
      return;
    case 'create_task':
    case 'schedule_followup':
      await api.updateTask(after!.taskId, { is_completed: true, result: { text: cancelledText } });
      return;
    default:
      throw new Error(`${type} cannot be undone`);
  }
}
