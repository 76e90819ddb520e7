import type { CrmCatalog, CrmField } from '../mirror/mirror-read.repo.js';
import { isToolName, toolArgs, type ToolName } from './actions.tools.js';

/** A tool call that passed every check, with arguments normalised to what Kommo takes. */
export interface PlannedAction {
  type: ToolName;
  args: Record<string, unknown>;
  summary: string;
  needsApproval: boolean;
}

export type Validation = { ok: true; action: PlannedAction } | { ok: false; error: string };

export interface ValidationContext {
  catalog: CrmCatalog;
  lead: { pipelineId: number | null; statusId: number | null; responsibleUserId: number | null };
  allowed: readonly string[];
  approvalRequired: readonly string[];
}

const ENUM_TYPES = new Set(['select', 'radiobutton', 'category']);
const DATE_TYPES = new Set(['date', 'date_time', 'birthday']);
const TEXT_TYPES = new Set(['text', 'textarea', 'url', 'streetaddress', 'multitext']);

/**
 * Check one tool call against the agent's allowlist and the account's real pipelines, stages,
 * fields (with their options) and users. The error text goes back to the model, so it names the valid choices.
 */
export function validateToolCall(name: string, rawArgs: string, ctx: ValidationContext): Validation {
  if (!isToolName(name) || !ctx.allowed.includes(name)) {
    return { ok: false, error: `The tool "${name}" is not available to you. Use only the tools you were given.` };
  }
  let json: unknown;
  try {
    json = rawArgs.trim() ? JSON.parse(rawArgs) : {};
  } catch {
    return { ok: false, error: `The arguments of ${name} are not valid JSON. Send a JSON object matching the tool's schema.` };
  }
  const parsed = toolArgs[name].safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      error: `Invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'} ${i.message}`).join('; ')}`,
    };
  }
  const r = check(name, parsed.data as Args, ctx);
  if ('error' in r) return { ok: false, error: r.error };
  return { ok: true, action: { type: name, args: r.args, summary: r.summary, needsApproval: needsApproval(name, r.args, ctx.approvalRequired) } };
}

export function needsApproval(type: ToolName, args: Record<string, unknown>, required: readonly string[]): boolean {
  if (required.includes(type)) return true;
  if (type === 'move_to_stage' && args.statusId === 142 && required.includes('move_to_won')) return true;
  if (type === 'move_to_stage' && args.statusId === 143 && required.includes('move_to_lost')) return true;
  return false;
}

type Checked = { args: Record<string, unknown>; summary: string } | { error: string };

// biome-ignore lint/suspicious/noExplicitAny: the arguments passed this tool's zod schema; each case reads its own fields
type Args = Record<string, any>;

function check(name: ToolName, a: Args, ctx: ValidationContext): Checked {
  const { catalog, lead } = ctx;
  const userName = (id: number) => catalog.users.find((u) => u.id === id)?.name;
  const usersList = () => catalog.users.map((u) => `${u.id} (${u.name})`).join(', ') || 'none';
  switch (name) {
    case 'move_to_stage': {
      const pipelineId: number | undefined = a.pipelineId ?? lead.pipelineId ?? undefined;
      const inPipe = catalog.stages.filter((s) => s.pipelineId === pipelineId);
      if (!pipelineId || inPipe.length === 0) {
        const pipes = [...new Map(catalog.stages.map((s) => [s.pipelineId, s.pipelineName])).entries()].map(([i, n]) => `${i} (${n})`).join(', ');
        return { error: `Pipeline ${pipelineId ?? '(none)'} does not exist. Valid pipelines: ${pipes || 'none'}.` };
      }
      const stage = inPipe.find((s) => s.statusId === a.statusId);
      if (!stage)
        return {
          error: `Stage ${a.statusId} does not exist in pipeline ${pipelineId}. Valid stages: ${inPipe.map((s) => `${s.statusId} (${s.name})`).join(', ')}.`,
        };
      if (stage.pipelineId === lead.pipelineId && stage.statusId === lead.statusId)
        return { error: `The lead is already in stage ${stage.statusId} (${stage.name}).` };
      return { args: { pipelineId, statusId: stage.statusId, stageName: stage.name }, summary: `Move to ${stage.name} (${stage.pipelineName})` };
    }
    case 'update_field': {
      const field = catalog.leadFields.find((f) => f.id === a.fieldId);
      if (!field)
        return {
          error: `Lead field ${a.fieldId} does not exist. Valid fields: ${catalog.leadFields.map((f) => `${f.id} (${f.name}, ${f.type})`).join(', ') || 'none'}.`,
        };
      const values = fieldValues(field, a.value);
      if ('error' in values) return values;
      return {
        args: { fieldId: field.id, fieldName: field.name, values: values.values },
        summary: `Set ${field.name} = ${values.values.map((v) => v.value).join(', ')}`,
      };
    }
    case 'assign_user': {
      const n = userName(a.userId);
      if (!n) return { error: `User ${a.userId} does not exist or is inactive. Valid users: ${usersList()}.` };
      return { args: { userId: a.userId, userName: n }, summary: `Assign to ${n}` };
    }
    case 'create_task': {
      const taskTypeId = a.taskTypeId ?? 1;
      if (catalog.taskTypes.length && !catalog.taskTypes.some((t) => t.id === taskTypeId)) {
        return { error: `Task type ${taskTypeId} does not exist. Valid task types: ${catalog.taskTypes.map((t) => `${t.id} (${t.name})`).join(', ')}.` };
      }
      const responsibleUserId = a.responsibleUserId ?? lead.responsibleUserId;
      if (a.responsibleUserId !== undefined && !userName(a.responsibleUserId))
        return { error: `User ${a.responsibleUserId} does not exist or is inactive. Valid users: ${usersList()}.` };
      return { args: { text: a.text, dueInHours: a.dueInHours ?? 24, taskTypeId, responsibleUserId }, summary: `Task: ${a.text}`.slice(0, 200) };
    }
    case 'schedule_followup':
      return {
        args: { text: a.text, inHours: a.inHours, responsibleUserId: lead.responsibleUserId },
        summary: `Follow up in ${a.inHours} h: ${a.text}`.slice(0, 200),
      };
    case 'add_note':
      return { args: { text: a.text }, summary: `Note: ${a.text}`.slice(0, 200) };
    case 'add_tags':
    case 'remove_tags': {
      const tags = [...new Set((a.tags as string[]).map((t) => t.trim()))];
      return { args: { tags }, summary: `${name === 'add_tags' ? 'Add' : 'Remove'} tags: ${tags.join(', ')}` };
    }
    case 'handoff_to_human':
      return { args: { reason: a.reason }, summary: `Hand off: ${a.reason}`.slice(0, 200) };
  }
}

type KommoValue = { value: string | number | boolean; enum_id?: number };

/** A value the model proposed → Kommo's `values` for the field's type, or an error naming the valid options. */
function fieldValues(field: CrmField, value: unknown): { values: KommoValue[] } | { error: string } {
  const options = () => (field.enums ?? []).map((e) => `"${e.value}"`).join(', ');
  const findEnum = (v: unknown) =>
    (field.enums ?? []).find((e) => (typeof v === 'number' && e.id === v) || (typeof v === 'string' && e.value.toLowerCase() === v.trim().toLowerCase()));
  if (ENUM_TYPES.has(field.type)) {
    const e = findEnum(Array.isArray(value) ? value[0] : value);
    if (!e || (Array.isArray(value) && value.length !== 1))
      return { error: `"${String(value)}" is not an option of ${field.name}. Valid options: ${options()}.` };
    return { values: [{ value: e.value, enum_id: e.id }] };
  }
  if (field.type === 'multiselect') {
    const list = Array.isArray(value) ? value : [value];
    const out: KommoValue[] = [];
    for (const v of list) {
      const e = findEnum(v);
      if (!e) return { error: `"${String(v)}" is not an option of ${field.name}. Valid options: ${options()}.` };
      out.push({ value: e.value, enum_id: e.id });
    }
    return { values: out };
  }
  if (field.type === 'numeric' || field.type === 'price') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return { error: `${field.name} takes a number.` };
    return { values: [{ value: n }] };
  }
  if (field.type === 'checkbox') {
    if (typeof value !== 'boolean') return { error: `${field.name} takes true or false.` };
    return { values: [{ value }] };
  }
  if (DATE_TYPES.has(field.type)) {
    const sec = typeof value === 'number' ? value : typeof value === 'string' ? Math.floor(Date.parse(value) / 1000) : NaN;
    if (!Number.isFinite(sec)) return { error: `${field.name} takes a date such as 2026-03-31.` };
    return { values: [{ value: sec }] };
  }
  if (TEXT_TYPES.has(field.type)) {
    if (typeof value !== 'string' && typeof value !== 'number') return { error: `${field.name} takes text.` };
    const text = String(value).trim();
    if (!text) return { error: `${field.name} needs a value.` };
    return { values: [{ value: text }] };
  }
  return { error: `${field.name} (${field.type}) cannot be set by the agent.` };
}
