import { ACTION_TYPES, WEEKDAYS, type Agent, type AgentInput, type WorkingHours } from '../api.js';

/** Defaults for a new agent: draft mode, no field edits or reassignment, stage moves need approval. */
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
    approvalRequired: ['move_to_stage'],
    handoff: { keywords: [], afterTurns: null, onToolFailure: true },
  };
}

export function inputOf(agent: Agent): AgentInput {
  const { id: _id, createdAt: _c, updatedAt: _u, ...input } = agent;
  return input;
}

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
  if (!Number.isInteger(input.maxRepliesPerLeadPerDay) || input.maxRepliesPerLeadPerDay < 1) {
    errors.maxRepliesPerLeadPerDay = 'positive_integer';
  }
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

/** Actions needing approval must be allowed in the first place; keep the two lists consistent. */
export function toggleAction(input: AgentInput, list: 'allowedActions' | 'approvalRequired', type: (typeof ACTION_TYPES)[number]): AgentInput {
  const has = input[list].includes(type);
  const nextList = has ? input[list].filter((x) => x !== type) : [...input[list], type];
  const next = { ...input, [list]: ACTION_TYPES.filter((x) => nextList.includes(x)) };
  if (list === 'allowedActions' && has) next.approvalRequired = next.approvalRequired.filter((x) => x !== type);
  if (list === 'approvalRequired' && !has && !next.allowedActions.includes(type)) {
    next.allowedActions = ACTION_TYPES.filter((x) => x === type || next.allowedActions.includes(x));
  }
  return next;
}
