import type { Sequence, SequenceDefinition, SequenceInput, Step, StepType } from '../automation-contract.js';
import type { FormDefaults } from './rule-form.js';

export interface SequenceForm {
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  definition: SequenceDefinition;
}

export function newStep(type: StepType, d: FormDefaults = {}): Step {
  switch (type) {
    case 'wait':
      return { type, amount: 2, unit: 'days' };
    case 'wait_until':
      return { type, weekday: 'any', time: '09:00', timezone: 'account' };
    case 'send_email':
      return { type, templateId: d.templateId ?? 0 };
    case 'agent_followup':
      return { type };
    case 'create_task':
      return { type, text: '', dueInHours: 24 };
    case 'move_stage':
      return { type, pipelineId: d.pipelineId ?? 0, statusId: d.statusId ?? 0 };
    case 'add_note':
      return { type, text: '' };
  }
}

/** The server's defaults: stop on any reply, a stage change, or won/lost; quiet 21:00–08:00. */
export function newSequenceForm(): SequenceForm {
  return {
    name: '',
    enabled: true,
    pipelineId: null,
    statusId: null,
    definition: {
      steps: [],
      stopOn: { clientReply: true, humanReply: true, stageChange: true, taskCompleted: false, wonLost: true },
      sendWindow: { workingHoursOnly: false, quietHours: { from: '21:00', to: '08:00' }, timezone: 'account' },
    },
  };
}

export function sequenceToForm(s: Sequence): SequenceForm {
  return { name: s.name, enabled: s.enabled, pipelineId: s.pipelineId, statusId: s.statusId, definition: s.definition };
}

/** Optional ids left unset are left out, so the server applies its own default. */
function cleanStep(s: Step): Step {
  if (s.type !== 'agent_followup' && s.type !== 'create_task') return s;
  const out = { ...s } as Record<string, unknown>;
  for (const k of ['agentId', 'outsideWindowBotId', 'responsibleUserId'])
    if (k in out && !(typeof out[k] === 'number' && (out[k] as number) > 0)) delete out[k];
  if (s.type === 'agent_followup' && !s.instruction?.trim()) delete out.instruction;
  return out as Step;
}

export function formToSequenceInput(f: SequenceForm): SequenceInput {
  return {
    name: f.name.trim(),
    enabled: f.enabled,
    pipelineId: f.pipelineId,
    statusId: f.pipelineId === null ? null : f.statusId,
    definition: { ...f.definition, steps: f.definition.steps.map(cleanStep) },
  };
}

export function localSequenceErrors(f: SequenceForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.name.trim()) e.name = 'required';
  if (f.definition.steps.length === 0) e['definition.steps'] = 'required';
  return e;
}

export function moveStep(steps: Step[], index: number, by: -1 | 1): Step[] {
  const to = index + by;
  if (to < 0 || to >= steps.length) return steps;
  const next = [...steps];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

const UNIT = { minutes: 1, hours: 60, days: 24 * 60 } as const;

/**
 * When each step runs, counted from enrollment: `day` whole days after it, plus `minutes` into that day
 * for plain waits; after a "wait until" the time of day is that step's (`at`), and `weekday` when it names one.
 * `day` is the earliest day: "wait until Monday" can land up to six days later.
 */
export interface TimelinePoint {
  day: number;
  minutes: number;
  at: string | null;
  weekday: string | null;
}

const hhmm = (mins: number) => `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
const clockOf = (time: string) => {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

export function timeline(steps: Step[]): TimelinePoint[] {
  // Until the first "wait until" the clock time of enrollment is unknown: positions are offsets from it.
  // After one, they are a day and a clock time (the day a lower bound when it named a weekday).
  let anchor: { day: number; clock: number; weekday: string | null } | null = null;
  let offset = 0;
  const here = (): TimelinePoint => {
    if (!anchor) return { day: Math.floor(offset / UNIT.days), minutes: offset % UNIT.days, at: null, weekday: null };
    const total = anchor.clock + offset;
    return { day: anchor.day + Math.floor(total / UNIT.days), minutes: 0, at: hhmm(total % UNIT.days), weekday: anchor.weekday };
  };
  return steps.map((s) => {
    if (s.type === 'wait') offset += s.amount * UNIT[s.unit];
    if (s.type === 'wait_until') {
      const now = here();
      const clock = clockOf(s.time);
      // With a known clock, a time already passed today is tomorrow's.
      const day = s.weekday === 'any' && now.at !== null && clockOf(now.at) >= clock ? now.day + 1 : now.day;
      anchor = { day, clock, weekday: s.weekday === 'any' ? null : s.weekday };
      offset = 0;
    }
    return here();
  });
}
