/**
 * The rules and sequences API as the admin builders see it. The shapes are the server's own zod types,
 * imported as types only (nothing of zod reaches the bundle); the kind lists are copied, because importing
 * the server's values would pull zod in, and widget/src/admin/automation-forms.test.ts holds the copies to the originals.
 */
import type {
  Condition,
  ConditionLeaf,
  CreateRuleInput,
  FieldOp,
  Intent,
  RuleAction,
  RuleActionType,
  RuleDefinition,
  Trigger,
  TriggerType,
} from '../../server/modules/rules/rules.schemas.js';
import type { CreateSequenceInput, SequenceDefinition, Step, StepType } from '../../server/modules/sequences/sequences.schemas.js';

export type { Condition, ConditionLeaf, CreateRuleInput, FieldOp, Intent, RuleAction, RuleActionType, RuleDefinition, Trigger, TriggerType };
export type { CreateSequenceInput, SequenceDefinition, Step, StepType };

export const TRIGGER_TYPES: readonly TriggerType[] = [
  'lead_created',
  'stage_entered',
  'stage_left',
  'field_changed',
  'responsible_changed',
  'tag_added',
  'message_received',
  'email_received',
  'task_created',
  'task_completed',
  'task_overdue',
  'call_missed',
  'no_client_reply_for',
  'time_in_stage',
  'schedule',
];
export const INTENTS: readonly Intent[] = ['pricing_question', 'meeting_request', 'purchase_intent', 'complaint', 'not_interested', 'unsubscribe', 'other'];
export const FIELD_OPS: readonly FieldOp[] = ['eq', 'neq', 'contains', 'gt', 'lt', 'between', 'empty', 'in'];
export type ConditionKind = ConditionLeaf['kind'];
export const CONDITION_KINDS: readonly ConditionKind[] = ['stage', 'field', 'tags', 'responsible', 'channel', 'price', 'working_hours', 'agent'];
export const RULE_ACTION_TYPES: readonly RuleActionType[] = [
  'send_email',
  'agent_reply',
  'run_salesbot',
  'add_note',
  'create_task',
  'move_stage',
  'set_field',
  'add_tags',
  'remove_tags',
  'assign',
  'start_sequence',
  'stop_sequence',
  'notify_user',
  'pause_agent',
  'resume_agent',
  'call_webhook',
];
export const STEP_TYPES: readonly StepType[] = ['wait', 'wait_until', 'send_email', 'agent_followup', 'create_task', 'move_stage', 'add_note'];
export const SEQ_WEEKDAYS = ['any', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type StopKey = keyof SequenceDefinition['stopOn'];
export const STOP_KEYS: readonly StopKey[] = ['clientReply', 'humanReply', 'stageChange', 'taskCompleted', 'wonLost'];

export interface Rule {
  id: number;
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  version: number;
  definition: RuleDefinition;
  createdAt: string;
  updatedAt: string;
  stats?: { evaluated: number; fired: number };
}
export type RuleInput = Omit<CreateRuleInput, 'definition'> & { definition: RuleDefinition };

/** One step of a verdict: what was compared, with which values, and whether it held. */
export interface TraceNode {
  check: string;
  ok: boolean;
  actual?: unknown;
  expected?: unknown;
  children?: TraceNode[];
}
export interface RuleRun {
  /** The event's id: a rule has one verdict per event. */
  id: number;
  /** The run of a rule that fired (its actions' results), once its job has started. */
  runId: number | null;
  version: number;
  leadId: number | null;
  eventKey: string;
  depth: number;
  status: string;
  trace: { trigger?: TraceNode; scope?: TraceNode; conditions?: TraceNode; reason?: string } | null;
  results: unknown;
  createdAt: string;
}
export interface DryRun {
  ruleId: number;
  version: number;
  leadId: number;
  verdict: 'would_fire' | 'would_not_fire';
  reason: string;
  trigger: TraceNode;
  scope: TraceNode;
  conditions: TraceNode | null;
  actions: RuleAction[];
}

export interface Sequence {
  id: number;
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  definition: SequenceDefinition;
  createdAt: string | null;
  updatedAt: string | null;
  stats?: { enrolled: number; active: number; stoppedByReply: number; stopped: number; completed: number };
}
export type SequenceInput = Omit<CreateSequenceInput, 'definition'> & { definition: SequenceDefinition };

export interface NamedRef {
  id: number;
  name: string;
}
export interface MailTemplate extends NamedRef {
  subject: string;
}
