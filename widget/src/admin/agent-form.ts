import { ACTION_TYPES, APPROVAL_KEYS, WEEKDAYS, type ActionType, type Agent, type AgentInput, type ApprovalKey, type WorkingHours } from '../api.js';

/** Defaults for a new agent: draft mode, no field edits or reassignment, closing a deal (won/lost) needs approval. */
export function newAgentInput(): AgentInput {
  return {
    name: '',
    instructions: '',
    model: 'gpt-4o-mini',
    temperature: 0.3,
    language: 'auto',
    tone: 'friendly',
    mode: 'draft',
    workingHours: null,
    replyDelaySec: 30,
    maxRepliesPerLeadPerDay: 20,
    allowedActions: ['move_to_stage', 'create_task', 'add_note', 'add_tags', 'handoff_to_human', 'schedule_followup'],
    approvalRequired: ['move_to_won', 'move_to_lost'],
    handoff: { keywords: [], afterTurns: null, onToolFailure: 'handoff' },
    humanReplyPauseMinutes: 60,
    maxReplyChars: 1000,
  };
}

/** The editable part of a stored agent (a field the backend added later gets the new-agent default). */
export function inputOf(agent: Agent): AgentInput {
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = agent;
  const defaults = newAgentInput();
  return { ...defaults, ...input, handoff: { ...defaults.handoff, ...input.handoff } };
}

/** The action an approval key belongs to: moves into won/lost are stage moves. */
export const approvalAction = (key: ApprovalKey): ActionType => (key === 'move_to_won' || key === 'move_to_lost' ? 'move_to_stage' : key);

export function defaultWorkingHours(): WorkingHours {
  let timezone = 'UTC';
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    // keep UTC
  }
  const day: [string, string][] = [['09:00', '18:00']];
  return {
    timezone,
    schedule: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Problems the form can see before asking the server; keys are the API's field paths. */
export function localErrors(input: AgentInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!input.name.trim()) errors.name = 'required';
  if (!input.model.trim()) errors.model = 'required';
  if (!(input.temperature >= 0 && input.temperature <= 2)) errors.temperature = 'range_0_2';
  if (!Number.isInteger(input.replyDelaySec) || input.replyDelaySec < 0) errors.replyDelaySec = 'non_negative_integer';
  else if (input.replyDelaySec > 3600) errors.replyDelaySec = 'range_0_3600';
  if (!Number.isInteger(input.maxRepliesPerLeadPerDay) || input.maxRepliesPerLeadPerDay < 1) {
    errors.maxRepliesPerLeadPerDay = 'positive_integer';
  } else if (input.maxRepliesPerLeadPerDay > 1000) errors.maxRepliesPerLeadPerDay = 'range_1_1000';
  if (!Number.isInteger(input.humanReplyPauseMinutes) || input.humanReplyPauseMinutes < 0) errors.humanReplyPauseMinutes = 'non_negative_integer';
  else if (input.humanReplyPauseMinutes > 43_200) errors.humanReplyPauseMinutes = 'range_0_43200';
  if (!Number.isInteger(input.maxReplyChars) || input.maxReplyChars < 50 || input.maxReplyChars > 4000) errors.maxReplyChars = 'range_50_4000';
  if (input.handoff.afterTurns !== null && (!Number.isInteger(input.handoff.afterTurns) || input.handoff.afterTurns < 1)) {
    errors['handoff.afterTurns'] = 'positive_integer';
  }
  if (input.workingHours) {
    if (!input.workingHours.timezone.trim()) errors['workingHours.timezone'] = 'required';
    for (const day of WEEKDAYS) {
      for (const [from, to] of input.workingHours.schedule[day]) {
        if (!TIME.test(from) || !TIME.test(to) || from >= to) errors[`workingHours.schedule.${day}`] = 'bad_interval';
      }
    }
  }
  return errors;
}

/**
 * Actions needing approval must be allowed in the first place (a won/lost move needs "move to stage");
 * keep the two lists consistent and in a stable order.
 */
export function toggleAction(input: AgentInput, list: 'allowedActions', type: ActionType): AgentInput;
export function toggleAction(input: AgentInput, list: 'approvalRequired', type: ApprovalKey): AgentInput;
export function toggleAction(input: AgentInput, list: 'allowedActions' | 'approvalRequired', type: ApprovalKey): AgentInput {
  if (list === 'allowedActions') {
    const action = approvalAction(type);
    const has = input.allowedActions.includes(action);
    const allowed = has ? input.allowedActions.filter((x) => x !== action) : [...input.allowedActions, action];
    const next = { ...input, allowedActions: ACTION_TYPES.filter((x) => allowed.includes(x)) };
    if (has) next.approvalRequired = input.approvalRequired.filter((x) => approvalAction(x) !== action);
    return next;
  }
  const has = input.approvalRequired.includes(type);
  const approval = has ? input.approvalRequired.filter((x) => x !== type) : [...input.approvalRequired, type];
  const next = { ...input, approvalRequired: APPROVAL_KEYS.filter((x) => approval.includes(x)) };
  const action = approvalAction(type);
  if (!has && !next.allowedActions.includes(action)) {
    next.allowedActions = ACTION_TYPES.filter((x) => x === action || next.allowedActions.includes(x));
  }
  return next;
}

/** Draft mode: let this action kind run at once (or wait with the draft again); the list keeps the tool order. */
export function toggleRunAtOnce(input: AgentInput, type: ActionType): AgentInput {
  const cur = input.runWithoutApproval ?? [];
  const next = cur.includes(type) ? cur.filter((x) => x !== type) : [...cur, type];
  return { ...input, runWithoutApproval: ACTION_TYPES.filter((x) => next.includes(x)) };
}
