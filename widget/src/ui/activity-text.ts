import type { ActivityItem } from '../api.js';
import { labelOf, type Translate } from '../i18n.js';
import { formatDateTime } from './format.js';

type Params = Record<string, unknown>;
type Vars = Record<string, string | number>;

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** The parameters a text can take; a date (ISO 8601) is written in the viewer's language when it is given. */
const flat = (p: Params, lang?: string): Vars => {
  const out: Vars = {};
  for (const [k, v] of Object.entries(p))
    if (typeof v === 'string') out[k] = lang && ISO_TIME.test(v) ? formatDateTime(v, lang) : v;
    else if (typeof v === 'number') out[k] = v;
  return out;
};
/** `t(key, vars)`, or null when the locale (and the bundled English) has no text for the key. */
const maybe = (t: Translate, key: string, vars?: Vars): string | null => {
  const s = t(key, vars);
  return s === key ? null : s;
};

/** An action the server described by type and arguments ("Add tags: vip, trial"), in the viewer's language. */
export function actionText(t: Translate, p: Params): string {
  return maybe(t, `activity.action_text.${text(p.action)}`, flat(p)) ?? text(p.summary);
}

/** A rule verdict's status (the engine's run status) as the entry type that names it. */
const STATUS_TYPE: Record<string, string> = {
  fired: 'rule.fired',
  skipped: 'rule.not_fired',
  depth_limited: 'rule.depth_limited',
  rate_limited: 'rule.rate_limited',
};

/**
 * "Rule A (v2), Rule B (v1)" from the rules one event ran, with the reason a rule did not run where one is
 * given, and its own outcome where it differs from the entry's (one entry per event may mix outcomes).
 */
function rulesText(t: Translate, type: string, rules: unknown): string {
  if (!Array.isArray(rules)) return '';
  return rules
    .map((r: Params) => {
      const name = r.version !== undefined && r.version !== null ? t('activity.rule_version', { name: text(r.name), version: text(r.version) }) : text(r.name);
      const own = STATUS_TYPE[text(r.status)];
      const parts = [own && own !== type ? labelOf(t, 'activity.types', own) : '', r.reason ? labelOf(t, 'automation_admin.trace', text(r.reason)) : ''];
      const why = parts.filter(Boolean).join(': ');
      return why ? `${name} — ${why}` : name;
    })
    .join(', ');
}

/** The placeholders a type's text takes that are worded here, from the stored parameters. */
function varsFor(t: Translate, type: string, p: Params, lang?: string): Vars {
  const vars = flat(p, lang);
  if ('action' in p && (type.endsWith('.action') || type.endsWith('.error') || type.startsWith('agent.action_'))) vars.what = actionText(t, p);
  if (type === 'config.changed') {
    const entity = labelOf(t, 'activity.entity', text(p.entity));
    vars.what = p.name ? `${entity} "${text(p.name)}"` : p.id !== null && p.id !== undefined ? `${entity} #${text(p.id)}` : entity;
  }
  if (type.startsWith('rule.')) {
    vars.rules = rulesText(t, type, p.rules);
    if (p.on) vars.on = labelOf(t, 'automation_lcard.trigger', text(p.on));
  }
  if (type === 'sequence.stopped') vars.why = labelOf(t, 'automation_lcard.stop_reason', text(p.reason));
  return vars;
}

/**
 * An activity entry's headline in the viewer's language, from its type and parameters. An entry without
 * parameters (written before they existed), or of a type the locale has no text for, keeps its stored title.
 */
export function activityTitle(t: Translate, item: Pick<ActivityItem, 'type' | 'title' | 'params'>, lang?: string): string {
  const p = item.params;
  if (!p) return item.title;
  const variant = text(p.variant) || text(p.action && item.type === 'config.changed' ? p.action : '') || 'default';
  const vars = varsFor(t, item.type, p, lang);
  // A variant the locale has no own text for (a new stop reason, say) reads as the type's default text.
  const title = maybe(t, `activity.entries.${item.type}.${variant}`, vars) ?? maybe(t, `activity.entries.${item.type}.default`, vars);
  // Parameters that do not fill the text (another writer's shape) leave placeholders: the stored title is better.
  if (title && /\{\w+\}/.test(title)) return item.title;
  if (!title) {
    // A notification's title is in the account's language (it was emailed so); the kind is named in the viewer's.
    if (item.type.startsWith('notification.')) return `${labelOf(t, 'activity.types', item.type)} — ${item.title}`;
    return item.title;
  }
  if (item.type === 'agent.draft_discarded' && p.reason) return `${title} · ${labelOf(t, 'draft_answers.discard_reason', text(p.reason))}`;
  // Who changed the configuration: the Kommo user's name, or their number when the mirror had no name.
  if (item.type === 'config.changed' && (p.userName || p.userId))
    return `${title} — ${t('activity.by_user', { user: text(p.userName) || t('activity.user_number', { id: text(p.userId) }) })}`;
  return title;
}

/**
 * The entry's detail: for a configuration change, its fields ("mode: draft → autopilot", a secret only
 * "changed", in the viewer's language); otherwise the stored text (a reply, a reason, a brief).
 */
export function activityDetail(t: Translate, item: Pick<ActivityItem, 'type' | 'description' | 'params'>, lang?: string): string | null {
  const changes = item.params?.changes;
  if (item.type === 'config.changed' && Array.isArray(changes)) {
    if (changes.length === 0) return null;
    return changes
      .map((c: Params) => (c.secret ? `${text(c.field)}: ${t('activity.changed')}` : `${text(c.field)}: ${text(c.from) || '—'} → ${text(c.to) || '—'}`))
      .join('; ');
  }
  const p = item.params;
  if (p) {
    const detail = maybe(t, `activity.details.${item.type}.${text(p.variant) || 'default'}`, flat(p, lang));
    if (detail && !/\{\w+\}/.test(detail)) return detail;
    // A stored detail that is only the variant's code (a skipped turn's reason) says nothing the title does not.
    if (p.variant && item.description === p.variant) return null;
  }
  return item.description;
}
