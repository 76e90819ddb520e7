/**
 * The CRM actions an agent can be allowed to take, and what can need approval. Imported by the
 * server's tool definitions and by the widget's API contract, so the two never drift apart
 * (no imports here: the widget bundles this file as it is).
 */
export const ACTION_TYPES = [
  'move_to_stage',
  'create_task',
  'add_note',
  'update_field',
  'add_tags',
  'remove_tags',
  'assign_user',
  'handoff_to_human',
  'schedule_followup',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Approval keys: any action, or a move into the won (142) / lost (143) stage specifically. */
export const APPROVAL_KEYS = [...ACTION_TYPES, 'move_to_won', 'move_to_lost'] as const;
export type ApprovalKey = (typeof APPROVAL_KEYS)[number];
