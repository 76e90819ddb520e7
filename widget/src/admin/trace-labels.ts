import { type Condition, type ConditionLeaf, TRIGGER_TYPES, type TraceNode } from '../automation-contract.js';
import type { Translate } from '../i18n.js';

/**
 * The engine writes its trace in English ("price gt", "all of", "conditions hold"). Its condition nodes follow
 * the rule's condition tree node for node, so each is named from the rule's own condition in the user's
 * language; a node whose shape does not match (a run of an older version) keeps the engine's text.
 */

/** The start of the engine's check text for each condition kind: a leaf is relabelled only when it agrees. */
const CHECK_PREFIX: Record<ConditionLeaf['kind'], RegExp> = {
  stage: /^stage/,
  field: /^field /,
  tags: /^tag /,
  responsible: /^responsible /,
  channel: /^channel/,
  price: /^price /,
  working_hours: /^(inside|outside) working hours/,
  agent: /^agent /,
};

export function conditionLabel(t: Translate, c: ConditionLeaf, fieldName: (id: number) => string): string {
  const kind = t(`automation_admin.condition.${c.kind}`);
  const op = (o: string) => t(`automation_admin.op.${o}`);
  switch (c.kind) {
    case 'field':
      return `${fieldName(c.fieldId)} ${op(c.op)}`;
    case 'tags':
      return `${kind} ${op(c.op)} "${c.tag}"`;
    case 'responsible':
    case 'price':
      return `${kind} ${op(c.op)}`;
    case 'working_hours':
      return t(c.inside ? 'automation_admin.inside' : 'automation_admin.outside');
    case 'agent':
      return `${kind}: ${t(`automation_admin.agent_state.${c.state}`)}`;
    default:
      return kind;
  }
}

export function localizeConditions(t: Translate, node: TraceNode, c: Condition | undefined, fieldName: (id: number) => string): TraceNode {
  if (!c) return node.check === 'no conditions' ? { ...node, check: t('automation_admin.trace.no_conditions') } : node;
  if ('all' in c || 'any' in c) {
    const mode = 'all' in c ? 'all' : 'any';
    const kids = 'all' in c ? c.all : c.any;
    if (node.check !== `${mode} of` || node.children?.length !== kids.length) return node;
    return {
      ...node,
      check: t(`automation_admin.trace.${mode}_of`),
      children: node.children.map((n, i) => localizeConditions(t, n, kids[i], fieldName)),
    };
  }
  if (node.children || !CHECK_PREFIX[c.kind].test(node.check)) return node;
  return { ...node, check: conditionLabel(t, c, fieldName) };
}

const TRIGGER_PARTS: Record<string, string> = {
  channel: 'automation_admin.channels',
  keyword: 'automation_admin.keywords',
  regex: 'automation_admin.regex',
  intent: 'automation_admin.intents',
};

/** "trigger stage_entered" → "Trigger: Lead enters a stage"; its message filters by their field names. */
export function localizeTrigger(t: Translate, node: TraceNode): TraceNode {
  const type = /^trigger (\w+)$/.exec(node.check)?.[1];
  if (!type || !(TRIGGER_TYPES as readonly string[]).includes(type)) return node;
  return {
    ...node,
    check: `${t('automation_admin.trigger_label')}: ${t(`automation_admin.trigger.${type}`)}`,
    children: node.children?.map((n) => (TRIGGER_PARTS[n.check] ? { ...n, check: t(TRIGGER_PARTS[n.check]!) } : n)),
  };
}

export function localizeScope(t: Translate, node: TraceNode): TraceNode {
  if (node.check === 'scope') return { ...node, check: t('automation_admin.scope') };
  if (node.check === 'scope: whole account') return { ...node, check: `${t('automation_admin.scope')}: ${t('automation_admin.whole_account')}` };
  return node;
}

const REASONS: Record<string, string> = {
  'conditions hold': 'conditions_hold',
  'conditions do not hold': 'conditions_fail',
  'out of scope': 'out_of_scope',
  'trigger does not match': 'trigger_mismatch',
};

/** The engine's verdict in the user's language; a limit's own message ("stopped: …") stays as written. */
export function localizeReason(t: Translate, reason: string): string {
  const key = REASONS[reason];
  return key ? t(`automation_admin.trace.${key}`) : reason;
}
