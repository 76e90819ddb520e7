/**
 * Every kind of notification email, one list for the server and the widget's Notifications screen (which
 * imports this file: keep it free of imports).
 */
export const NOTIFICATION_KINDS = [
  'task_assigned',
  'agent_handoff',
  'agent_error',
  'reauth_required',
  'rule_notice',
  'llm_budget_exhausted',
  'llm_unavailable',
] as const;
