import type {
  Condition,
  ConditionKind,
  ConditionLeaf,
  FieldOp,
  Rule,
  RuleAction,
  RuleActionType,
  RuleInput,
  Trigger,
  TriggerType,
} from '../automation-contract.js';

/** Ids a new row starts with, so a fresh row is already valid when the account has them. */
export interface FormDefaults {
  pipelineId?: number;
  statusId?: number;
  fieldId?: number;
  userId?: number;
  templateId?: number;
  sequenceId?: number;
}

/** A leaf the builder shows as a row, or a deeper group (made through the API) kept as it is. */
export type ConditionRow = ConditionLeaf | { nested: Condition };
export interface ConditionGroup {
  mode: 'all' | 'any';
  rows: ConditionRow[];
}
/** Conditions as the builder edits them: groups joined by `mode`, each group a list of rows joined by its own mode. */
export interface ConditionGroups {
  mode: 'all' | 'any';
  groups: ConditionGroup[];
}

export interface RuleForm {
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  trigger: Trigger;
  conditions: ConditionGroups;
  actions: RuleAction[];
  perLeadPerHour: number;
}

const DAY = 24 * 60;

export function newTrigger(type: TriggerType, d: FormDefaults = {}): Trigger {
  switch (type) {
    case 'field_changed':
      return { type, fieldId: d.fieldId ?? 0 };
    case 'no_client_reply_for':
      return { type, minutes: DAY };
    case 'time_in_stage':
      return { type, minutes: 3 * DAY };
    case 'schedule':
      return { type, cron: '0 9 * * 1-5' };
    default:
      return { type } as Trigger;
  }
}

export function newCondition(kind: ConditionKind, d: FormDefaults = {}): ConditionLeaf {
  switch (kind) {
    case 'stage':
      return { kind, pipelineId: d.pipelineId ?? 0 };
    case 'field':
      return { kind, fieldId: d.fieldId ?? 0, op: 'eq', value: '' };
    case 'tags':
      return { kind, op: 'has', tag: '' };
    case 'responsible':
      return { kind, op: 'in', userIds: d.userId ? [d.userId] : [] };
    case 'channel':
      return { kind, channels: [] };
    case 'price':
      return { kind, op: 'gt', value: 0 };
    case 'working_hours':
      return { kind, inside: true };
    case 'agent':
      return { kind, state: 'active' };
  }
}

export function newAction(type: RuleActionType, d: FormDefaults = {}): RuleAction {
  switch (type) {
    case 'send_email':
      return { type, templateId: d.templateId ?? 0 };
    case 'run_salesbot':
      return { type, botId: 0 };
    case 'add_note':
      return { type, text: '' };
    case 'create_task':
      return { type, text: '', dueInHours: 24 };
    case 'move_stage':
      return { type, pipelineId: d.pipelineId ?? 0, statusId: d.statusId ?? 0 };
    case 'set_field':
      return { type, fieldId: d.fieldId ?? 0, value: '' };
    case 'add_tags':
    case 'remove_tags':
      return { type, tags: [] };
    case 'assign':
      return { type, userIds: [] };
    case 'start_sequence':
      return { type, sequenceId: d.sequenceId ?? 0 };
    case 'notify_user':
      return { type, text: '' };
    case 'call_webhook':
      return { type, url: 'https://' };
    default:
      return { type } as RuleAction;
  }
}

const isGroup = (c: Condition): c is { all: Condition[] } | { any: Condition[] } => 'all' in c || 'any' in c;
const groupMode = (c: { all: Condition[] } | { any: Condition[] }): 'all' | 'any' => ('all' in c ? 'all' : 'any');
const children = (c: { all: Condition[] } | { any: Condition[] }): Condition[] => ('all' in c ? c.all : c.any);

/** A stored condition tree as groups of rows; anything deeper than two levels stays one row, unchanged. */
export function conditionsToGroups(c: Condition | undefined): ConditionGroups {
  if (!c) return { mode: 'all', groups: [] };
  if (!isGroup(c)) return { mode: 'all', groups: [{ mode: 'all', rows: [c] }] };
  const mode = groupMode(c);
  const kids = children(c);
  if (kids.every((k) => !isGroup(k))) return { mode: 'all', groups: [{ mode, rows: kids as ConditionLeaf[] }] };
  return {
    mode,
    groups: kids.map((k) =>
      isGroup(k) ? { mode: groupMode(k), rows: children(k).map((x) => (isGroup(x) ? { nested: x } : x)) } : { mode: 'all' as const, rows: [k] },
    ),
  };
}

const rowToCondition = (r: ConditionRow): Condition => ('nested' in r ? r.nested : cleanLeaf(r));
const groupToCondition = (g: ConditionGroup): Condition =>
  g.rows.length === 1 ? rowToCondition(g.rows[0]!) : ({ [g.mode]: g.rows.map(rowToCondition) } as Condition);

/** Groups back to the stored tree: no groups → no conditions; one group → that group alone. */
export function groupsToConditions(g: ConditionGroups): Condition | undefined {
  const groups = g.groups.filter((x) => x.rows.length > 0);
  if (groups.length === 0) return undefined;
  if (groups.length === 1 && g.mode === 'all') {
    const only = groups[0]!;
    return only.rows.length === 1 ? rowToCondition(only.rows[0]!) : ({ [only.mode]: only.rows.map(rowToCondition) } as Condition);
  }
  return { [g.mode]: groups.map(groupToCondition) } as Condition;
}

/** Keep only what the field operator reads: `values` for "in", min/max for "between", nothing for "empty". */
export function cleanLeaf(c: ConditionLeaf): ConditionLeaf {
  if (c.kind === 'field') {
    const base = { kind: c.kind, fieldId: c.fieldId, op: c.op };
    if (c.op === 'empty') return base;
    if (c.op === 'in') return { ...base, values: c.values ?? [] };
    if (c.op === 'between') return { ...base, min: c.min, max: c.max };
    return { ...base, value: c.value ?? '' };
  }
  if (c.kind === 'stage') return c.statusIds?.length ? c : { kind: c.kind, pipelineId: c.pipelineId };
  if (c.kind === 'price') return c.op === 'between' ? c : { kind: c.kind, op: c.op, value: c.value };
  return c;
}

/** Drop optional filters left empty (an empty keyword list would otherwise never match). */
export function cleanTrigger(t: Trigger): Trigger {
  if (t.type === 'message_received') {
    const out: Trigger = { type: t.type };
    if (t.channels?.length) out.channels = t.channels;
    if (t.keywords?.length) out.keywords = t.keywords;
    if (t.regex?.trim()) out.regex = t.regex;
    if (t.intents?.length) out.intents = t.intents;
    return out;
  }
  if (t.type === 'tag_added') return t.tag?.trim() ? { type: t.type, tag: t.tag.trim() } : { type: t.type };
  if (t.type === 'stage_entered' || t.type === 'stage_left' || t.type === 'time_in_stage') {
    const out = { ...t };
    if (!out.pipelineId) delete out.pipelineId;
    if (!out.statusId) delete out.statusId;
    return out;
  }
  return t;
}

/** Optional ids and numbers left unset (0, empty) are left out, so the server applies its own default. */
export function cleanAction(a: RuleAction): RuleAction {
  const out = { ...a } as Record<string, unknown>;
  const positive = (v: unknown) => typeof v === 'number' && v > 0;
  for (const k of ['agentId', 'userId', 'taskTypeId', 'responsibleUserId', 'minutes']) if (k in out && !positive(out[k])) delete out[k];
  if (a.type === 'stop_sequence' && !positive(a.sequenceId)) delete out.sequenceId;
  if ('dueInHours' in out && !(typeof out.dueInHours === 'number' && out.dueInHours >= 0)) delete out.dueInHours;
  return out as RuleAction;
}

export function newRuleForm(d: FormDefaults = {}): RuleForm {
  return {
    name: '',
    enabled: true,
    pipelineId: null,
    statusId: null,
    trigger: newTrigger('stage_entered', d),
    conditions: { mode: 'all', groups: [] },
    actions: [newAction('add_note', d)],
    perLeadPerHour: 10,
  };
}

export function ruleToForm(rule: Rule): RuleForm {
  return {
    name: rule.name,
    enabled: rule.enabled,
    pipelineId: rule.pipelineId,
    statusId: rule.statusId,
    trigger: rule.definition.trigger,
    conditions: conditionsToGroups(rule.definition.conditions),
    actions: rule.definition.actions,
    perLeadPerHour: rule.definition.perLeadPerHour,
  };
}

export function formToInput(f: RuleForm): RuleInput {
  const conditions = groupsToConditions(f.conditions);
  return {
    name: f.name.trim(),
    enabled: f.enabled,
    pipelineId: f.pipelineId,
    statusId: f.pipelineId === null ? null : f.statusId,
    definition: {
      trigger: cleanTrigger(f.trigger),
      ...(conditions ? { conditions } : {}),
      actions: f.actions.map(cleanAction),
      perLeadPerHour: f.perLeadPerHour,
    },
  };
}

/** Problems the form can see before asking the server; keys are the API's field paths, values i18n keys. */
export function localRuleErrors(f: RuleForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.name.trim()) e.name = 'required';
  if (f.actions.length === 0) e['definition.actions'] = 'required';
  if (!Number.isInteger(f.perLeadPerHour) || f.perLeadPerHour < 1 || f.perLeadPerHour > 1000) e['definition.perLeadPerHour'] = 'range_1_1000';
  const t = f.trigger;
  if ((t.type === 'no_client_reply_for' || t.type === 'time_in_stage') && !(Number.isInteger(t.minutes) && t.minutes >= 1))
    e['definition.trigger.minutes'] = 'positive_integer';
  return e;
}

export type DurationUnit = 'minutes' | 'hours' | 'days';
export const UNIT_MINUTES: Record<DurationUnit, number> = { minutes: 1, hours: 60, days: DAY };

/** Minutes as the largest whole unit: 2880 → 2 days, 90 → 90 minutes. */
export function splitMinutes(minutes: number): { amount: number; unit: DurationUnit } {
  if (minutes > 0 && minutes % DAY === 0) return { amount: minutes / DAY, unit: 'days' };
  if (minutes > 0 && minutes % 60 === 0) return { amount: minutes / 60, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

export const OPS_WITHOUT_VALUE: readonly FieldOp[] = ['empty'];
