import type { ActivityService } from '../activity/activity.service.js';
import type { PendingEvent, RecordedVerdict, RulesRepo } from './rules.repo.js';

/** Events brought into the history index and the feed per transaction. */
const BATCH = 500;

const OUTCOMES: { status: RecordedVerdict['status']; type: string; verb: string; verbs: string }[] = [
  { status: 'fired', type: 'rule.fired', verb: 'fired', verbs: 'fired' },
  { status: 'depth_limited', type: 'rule.depth_limited', verb: 'was stopped', verbs: 'were stopped' },
  { status: 'rate_limited', type: 'rule.rate_limited', verb: 'was stopped', verbs: 'were stopped' },
  { status: 'skipped', type: 'rule.not_fired', verb: 'did not fire', verbs: 'did not fire' },
];
type Named = { ruleId: number; version: number; status: RecordedVerdict['status']; name: string };
const named = (these: Named[]) => these.map((x) => `"${x.name}" (v${x.version})`).join(', ');

/**
 * An event's feed entry: its type is the weightiest outcome (fired, stopped, did not fire); the English
 * title names one rule in full, or counts and names the rules per outcome; the params are what the widget
 * words in the viewer's language. Every verdict's trace is in its rule's history.
 */
function feedEntry(accountId: number, e: PendingEvent, names: () => Map<number, string>) {
  // The rule's name when it was judged; rows from before names were kept take today's.
  const verdicts: Named[] = e.outcomes.map(([ruleId, version, status, name]) => ({
    ruleId,
    version,
    status,
    name: name || names().get(ruleId) || `#${ruleId}`,
  }));
  const on = e.type.replace(/_/g, ' ');
  // The outcomes present, weightiest first, each with its rules (one pass: this runs for every event).
  const byStatus = new Map<string, Named[]>();
  for (const v of verdicts) {
    const list = byStatus.get(v.status);
    if (list) list.push(v);
    else byStatus.set(v.status, [v]);
  }
  const groups: ((typeof OUTCOMES)[number] & { these: Named[] })[] = [];
  for (const o of OUTCOMES) {
    const these = byStatus.get(o.status);
    if (these) groups.push({ ...o, these });
  }
  const [top] = groups;
  const [one] = verdicts;
  let title: string;
  if (verdicts.length === 1) title = `Rule "${one!.name}" (v${one!.version}) ${top!.verb} on ${on}`;
  else if (groups.length === 1) title = `${verdicts.length} rules ${top!.verbs} on ${on}: ${named(top!.these)}`;
  else
    title = `${verdicts.length} rules on ${on}: ${groups.map((g) => `${g.these.length} ${g.these.length === 1 ? g.verb : g.verbs} (${named(g.these)})`).join('; ')}`;
  return {
    accountId,
    leadId: e.leadId,
    type: top!.type,
    title: title.slice(0, 500),
    // No detail line: the title (worded from the params) names each rule and why it did not fire.
    description: null,
    // The trigger, and each rule with its outcome and (when it did not fire) why.
    params: {
      on: e.type,
      rules: verdicts.map((v) => ({ name: v.name, version: v.version, status: v.status, ...(v.status === 'skipped' ? { reason: 'conditions_fail' } : {}) })),
    },
    // The event (its row holds every verdict's trace, each rule's history shows it) and the rules it ran.
    metadata: { eventId: e.id, eventKey: e.eventKey, depth: e.depth, ruleIds: verdicts.map((v) => v.ruleId) },
  };
}

/**
 * What the rules' events lead to, written in batches after the fact instead of with each event: the
 * history index by rule, and one feed entry per event (dated when the event happened). `catchUp` brings
 * an account up to date; the feed and the rules' history and counts call it before they are read, and a
 * job calls it every so many events. Each batch is one transaction and moves the account's mark, so a
 * crash between batches loses nothing and repeats nothing.
 */
export function createProjection(d: { tx<T>(fn: () => T): T; repo: RulesRepo; activity: Pick<ActivityService, 'writeAllAt'> }) {
  function batch(accountId: number): boolean {
    const events = d.repo.pending(accountId, BATCH);
    if (events.length === 0) return false;
    const last = events[events.length - 1]!.id;
    d.repo.indexHistory(accountId, events);
    let cached: Map<number, string> | undefined;
    const names = () => (cached ??= d.repo.names(accountId));
    // An event with no verdict (none is recorded so; a row written by another build could be) has no entry.
    const entries = events.filter((e) => e.outcomes.length > 0).map((e) => ({ entry: feedEntry(accountId, e, names), at: e.createdAt }));
    d.activity.writeAllAt(entries);
    d.repo.setMark(accountId, last);
    return events.length === BATCH;
  }
  return {
    catchUp(accountId: number): void {
      // A read first: with nothing pending (most reads of the feed), no write transaction is opened.
      while (d.repo.hasPending(accountId) && d.tx(() => batch(accountId)));
    },
  };
}

export type RulesProjection = ReturnType<typeof createProjection>;
