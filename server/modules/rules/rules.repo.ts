import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { ruleVersions, rules, type RuleRow } from '../../../db/schema/index.js';
import type { RuleDefinition, TriggerType } from './rules.schemas.js';

/** History index rows per INSERT statement when catching up. */
const HISTORY_ROWS = 64;

/** A rule with the definition of its current version. */
export interface LoadedRule extends RuleRow {
  definition: RuleDefinition;
}

export type RunStatus = 'fired' | 'skipped' | 'depth_limited' | 'rate_limited' | 'done' | 'failed';

/** One rule's verdict on an event, as the event's row keeps it. */
export interface RecordedVerdict {
  ruleId: number;
  version: number;
  status: RunStatus;
  trace: Record<string, unknown>;
}

/** A run as its actions need it: the rule version, the lead, how deep the event was, what is done. */
export interface RunRow {
  id: number;
  ruleId: number;
  version: number;
  leadId: number | null;
  status: RunStatus;
  results: Record<string, unknown>[] | null;
  finishedAt: number | null;
  depth: number;
  eventKey: string;
}

/** An event as the history index and the feed take it. */
export interface PendingEvent {
  id: number;
  type: string;
  leadId: number | null;
  eventKey: string;
  depth: number;
  createdAt: number;
  /** [ruleId, version, status, the rule's name then] per verdict, in rule order (rows from before names were kept have three). */
  outcomes: [number, number, RunStatus, string?][];
}

export interface HistoryRow {
  /** The event's id (a rule has one verdict per event). */
  id: number;
  /** The run, for a rule that fired (made when its actions started). */
  runId: number | null;
  ruleId: number;
  version: number;
  leadId: number | null;
  status: RunStatus;
  results: Record<string, unknown>[] | null;
  eventKey: string;
  depth: number;
  createdAt: number;
  trace: Record<string, unknown>;
}

/** Rules, their versions, their runs (the history and trace) and small per-rule state. Every query is scoped by account. */
export function createRulesRepo(db: Db) {
  const sqlite = db.$client;
  const s = {
    candidates: sqlite.prepare(
      `SELECT r.*, v.definition FROM rules r JOIN rule_versions v ON v.account_id = r.account_id AND v.rule_id = r.id AND v.version = r.version
       WHERE r.account_id = ? AND r.trigger_type = ? AND r.enabled = 1 AND r.deleted_at IS NULL ORDER BY r.id`,
    ),
    insertEvent: sqlite.prepare(
      `INSERT INTO rule_events (account_id, event_key, type, lead_id, depth, fired, verdicts, outcomes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, event_key, type) DO NOTHING`,
    ),
    firedOnLead: sqlite.prepare("SELECT fired FROM rule_events WHERE account_id = ? AND lead_id = ? AND created_at >= ? AND fired <> ''").pluck(),
    getRun: sqlite.prepare(
      `SELECT r.id, r.rule_id AS ruleId, r.version, r.lead_id AS leadId, r.status, r.results, r.finished_at AS finishedAt, e.depth, e.event_key AS eventKey
       FROM rule_runs r JOIN rule_events e ON e.id = r.event_id AND e.account_id = r.account_id WHERE r.account_id = ? AND r.id = ?`,
    ),
    history: sqlite.prepare(
      `SELECT h.event_id AS id, r.id AS runId, e.lead_id AS leadId, coalesce(r.status, h.status) AS status, r.results, e.event_key AS eventKey, e.depth,
         e.created_at AS createdAt, e.verdicts
       FROM rule_history h JOIN rule_events e ON e.id = h.event_id AND e.account_id = h.account_id
       LEFT JOIN rule_runs r ON r.account_id = h.account_id AND r.event_id = h.event_id AND r.rule_id = h.rule_id
       WHERE h.account_id = ? AND h.rule_id = ? ORDER BY h.event_id DESC LIMIT ?`,
    ),
    mark: sqlite.prepare('SELECT event_id FROM rule_history_marks WHERE account_id = ?').pluck(),
    anyAfter: sqlite.prepare('SELECT 1 FROM rule_events WHERE account_id = ? AND id > ? LIMIT 1').pluck(),
    pending: sqlite.prepare(
      `SELECT id, type, lead_id AS leadId, event_key AS eventKey, depth, outcomes, created_at AS createdAt
       FROM rule_events WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    names: sqlite.prepare('SELECT id, name FROM rules WHERE account_id = ?').raw(),
    indexVerdict: sqlite.prepare('INSERT OR IGNORE INTO rule_history (account_id, rule_id, event_id, status) VALUES (?, ?, ?, ?)'),
    indexVerdicts: sqlite.prepare(
      `INSERT OR IGNORE INTO rule_history (account_id, rule_id, event_id, status) VALUES ${Array.from({ length: HISTORY_ROWS }, () => '(?, ?, ?, ?)').join(', ')}`,
    ),
    setMark: sqlite.prepare(
      'INSERT INTO rule_history_marks (account_id, event_id) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET event_id = excluded.event_id',
    ),
    eventVerdicts: sqlite.prepare('SELECT lead_id AS leadId, verdicts FROM rule_events WHERE account_id = ? AND id = ?'),
    insertRun: sqlite.prepare(
      `INSERT INTO rule_runs (account_id, rule_id, version, event_id, lead_id, status) VALUES (?, ?, ?, ?, ?, 'fired')
       ON CONFLICT (account_id, event_id, rule_id) DO NOTHING`,
    ),
    runOf: sqlite.prepare('SELECT id FROM rule_runs WHERE account_id = ? AND event_id = ? AND rule_id = ?').pluck(),
    setResults: sqlite.prepare('UPDATE rule_runs SET results = ?, status = ?, finished_at = ? WHERE account_id = ? AND id = ?'),
    getState: sqlite.prepare('SELECT value FROM rule_state WHERE account_id = ? AND rule_id = ? AND key = ?').pluck(),
    setState: sqlite.prepare(
      'INSERT INTO rule_state (account_id, rule_id, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, rule_id, key) DO UPDATE SET value = excluded.value',
    ),
    counts: sqlite.prepare(
      `SELECT rule_id AS ruleId, sum(status IN ('fired', 'done', 'failed')) AS fired, count(*) AS evaluated FROM rule_history WHERE account_id = ? GROUP BY rule_id`,
    ),
  };
  const parse = (r: Record<string, unknown>): LoadedRule => {
    const row = {
      id: r.id,
      accountId: r.account_id,
      name: r.name,
      enabled: r.enabled === 1,
      triggerType: r.trigger_type,
      pipelineId: r.pipeline_id,
      statusId: r.status_id,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      deletedAt: r.deleted_at,
    } as RuleRow;
    return { ...row, definition: JSON.parse(r.definition as string) as RuleDefinition };
  };

  // Rules change only through this repository, in this process: a counter per account bumped on every
  // write tells a cache that its copy is stale without asking the database on every event.
  const versions = new Map<number, number>();
  const bump = (accountId: number) => void versions.set(accountId, (versions.get(accountId) ?? 0) + 1);

  return {
    /** Changes whenever a rule of the account is created, edited or deleted (or a transaction that tried to rolled back): what a cache compares. */
    version: (accountId: number): number => versions.get(accountId) ?? 0,
    /** Mark the account's rules changed (the service calls it again after its transaction ends, committed or not). */
    bump,
    /** Enabled rules of an account with this trigger type, current versions. */
    candidates: (accountId: number, trigger: TriggerType): LoadedRule[] => (s.candidates.all(accountId, trigger) as Record<string, unknown>[]).map(parse),

    get(accountId: number, id: number): LoadedRule | undefined {
      const row = db
        .select()
        .from(rules)
        .where(and(eq(rules.accountId, accountId), eq(rules.id, id), isNull(rules.deletedAt)))
        .get();
      if (!row) return undefined;
      const v = db
        .select()
        .from(ruleVersions)
        .where(and(eq(ruleVersions.accountId, accountId), eq(ruleVersions.ruleId, id), eq(ruleVersions.version, row.version)))
        .get();
      return { ...row, definition: v!.definition as unknown as RuleDefinition };
    },
    /** The rule as it was at `version` (a run executes the version it was evaluated with). */
    atVersion(accountId: number, id: number, version: number): LoadedRule | undefined {
      const row = db
        .select()
        .from(rules)
        .where(and(eq(rules.accountId, accountId), eq(rules.id, id)))
        .get();
      const v = db
        .select()
        .from(ruleVersions)
        .where(and(eq(ruleVersions.accountId, accountId), eq(ruleVersions.ruleId, id), eq(ruleVersions.version, version)))
        .get();
      return row && v ? { ...row, version, definition: v.definition as unknown as RuleDefinition } : undefined;
    },
    list(accountId: number): LoadedRule[] {
      return (
        sqlite
          .prepare(
            `SELECT r.*, v.definition FROM rules r JOIN rule_versions v ON v.account_id = r.account_id AND v.rule_id = r.id AND v.version = r.version
             WHERE r.account_id = ? AND r.deleted_at IS NULL ORDER BY r.id`,
          )
          .all(accountId) as Record<string, unknown>[]
      ).map(parse);
    },
    versions: (accountId: number, ruleId: number) =>
      db
        .select()
        .from(ruleVersions)
        .where(and(eq(ruleVersions.accountId, accountId), eq(ruleVersions.ruleId, ruleId)))
        .orderBy(desc(ruleVersions.version))
        .all(),

    insert(
      accountId: number,
      r: { name: string; enabled: boolean; pipelineId: number | null; statusId: number | null; definition: RuleDefinition },
      userId: number | null,
      now: number,
    ): number {
      bump(accountId);
      const row = db
        .insert(rules)
        .values({
          accountId,
          name: r.name,
          enabled: r.enabled,
          triggerType: r.definition.trigger.type,
          pipelineId: r.pipelineId,
          statusId: r.statusId,
          version: 1,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: rules.id })
        .get();
      db.insert(ruleVersions)
        .values({ accountId, ruleId: row.id, version: 1, definition: r.definition as unknown as Record<string, unknown>, createdBy: userId, createdAt: now })
        .run();
      return row.id;
    },
    /** Update the rule's row; a new definition becomes the next version (the old one stays for the history). */
    update(
      accountId: number,
      current: LoadedRule,
      patch: { name?: string; enabled?: boolean; pipelineId?: number | null; statusId?: number | null; definition?: RuleDefinition },
      userId: number | null,
      now: number,
    ): void {
      bump(accountId);
      const version = patch.definition ? current.version + 1 : current.version;
      if (patch.definition) {
        db.insert(ruleVersions)
          .values({
            accountId,
            ruleId: current.id,
            version,
            definition: patch.definition as unknown as Record<string, unknown>,
            createdBy: userId,
            createdAt: now,
          })
          .run();
      }
      db.update(rules)
        .set({
          name: patch.name ?? current.name,
          enabled: patch.enabled ?? current.enabled,
          pipelineId: patch.pipelineId === undefined ? current.pipelineId : patch.pipelineId,
          statusId: patch.statusId === undefined ? current.statusId : patch.statusId,
          triggerType: (patch.definition ?? current.definition).trigger.type,
          version,
          updatedAt: now,
        })
        .where(and(eq(rules.accountId, accountId), eq(rules.id, current.id)))
        .run();
    },
    remove: (accountId: number, id: number, now: number) => {
      bump(accountId);
      db.update(rules)
        .set({ deletedAt: now, enabled: false, updatedAt: now })
        .where(and(eq(rules.accountId, accountId), eq(rules.id, id)))
        .run();
    },

    /**
     * Record an event's verdicts, every candidate's trace in one row. Null when the event was recorded
     * before (a redelivery); otherwise the event's id. Runs are made when their job starts (`runsOf`).
     */
    recordEvent(e: {
      accountId: number;
      eventKey: string;
      type: string;
      leadId: number | null;
      depth: number;
      now: number;
      verdicts: RecordedVerdict[];
      /** Each verdict's rule name when judged (what its feed entry names). */
      names: string[];
    }): number | null {
      let fired = '';
      const outcomes: [number, number, string, string][] = [];
      for (const v of e.verdicts) {
        if (v.status === 'fired') fired += `,${v.ruleId}`;
      }
      for (let i = 0; i < e.verdicts.length; i++) {
        const v = e.verdicts[i]!;
        outcomes.push([v.ruleId, v.version, v.status, e.names[i] ?? '']);
      }
      // Positional parameters: this runs for every judged event, and binding by name costs a lookup per name.
      const res = s.insertEvent.run(
        e.accountId,
        e.eventKey,
        e.type,
        e.leadId,
        e.depth,
        fired ? `${fired},` : '',
        JSON.stringify(e.verdicts),
        JSON.stringify(outcomes),
        e.now,
      );
      return res.changes === 0 ? null : Number(res.lastInsertRowid);
    },
    /**
     * The runs of an event's fired rules, in rule order, made on first call (one per rule and event however
     * often the job is retried). Empty for an event of another account. Call it in a transaction.
     */
    runsOf(accountId: number, eventId: number): number[] {
      const row = s.eventVerdicts.get(accountId, eventId) as { leadId: number | null; verdicts: string } | undefined;
      if (!row) return [];
      const ids: number[] = [];
      for (const v of JSON.parse(row.verdicts) as RecordedVerdict[]) {
        if (v.status !== 'fired') continue;
        s.insertRun.run(accountId, v.ruleId, v.version, eventId, row.leadId);
        ids.push(s.runOf.get(accountId, eventId, v.ruleId) as number);
      }
      return ids;
    },
    /** Has the account events not yet in its history index and feed (a read, before opening a write transaction)? */
    hasPending(accountId: number): boolean {
      const mark = (s.mark.get(accountId) as number | undefined) ?? 0;
      return s.anyAfter.get(accountId, mark) !== undefined;
    },
    /** The account's events not yet in its history index and feed (after its mark), oldest first, up to `max`. */
    pending(accountId: number, max: number): PendingEvent[] {
      const mark = (s.mark.get(accountId) as number | undefined) ?? 0;
      const rows = s.pending.all(accountId, mark, max) as (Omit<PendingEvent, 'outcomes'> & { outcomes: string })[];
      return rows.map((r) => ({ ...r, outcomes: JSON.parse(r.outcomes) as PendingEvent['outcomes'] }));
    },
    /** Index these events' verdicts by rule, sorted by rule first (each rule's page is written once). */
    indexHistory(accountId: number, events: PendingEvent[]): void {
      const rows: [number, number, string][] = [];
      for (const e of events) for (const [ruleId, , status] of e.outcomes) rows.push([ruleId, e.id, status]);
      rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let i = 0;
      for (; i + HISTORY_ROWS <= rows.length; i += HISTORY_ROWS)
        s.indexVerdicts.run(rows.slice(i, i + HISTORY_ROWS).flatMap(([ruleId, eventId, status]) => [accountId, ruleId, eventId, status]));
      for (; i < rows.length; i++) s.indexVerdict.run(accountId, rows[i]![0], rows[i]![1], rows[i]![2]);
    },
    /** How far the account's events are in its history index and feed. */
    setMark: (accountId: number, eventId: number) => void s.setMark.run(accountId, eventId),
    /** Every rule's name (deleted ones too), by id. */
    names: (accountId: number): Map<number, string> => new Map(s.names.all(accountId) as [number, string][]),
    /** How often each rule fired for this lead since `since` (the per-lead hourly limit). */
    firedOnLead(accountId: number, leadId: number, since: number): Map<number, number> {
      const n = new Map<number, number>();
      for (const list of s.firedOnLead.all(accountId, leadId, since) as string[])
        for (const id of list.slice(1, -1).split(',')) n.set(Number(id), (n.get(Number(id)) ?? 0) + 1);
      return n;
    },
    getRun: (accountId: number, id: number): RunRow | undefined => {
      const r = s.getRun.get(accountId, id) as (Omit<RunRow, 'results'> & { results: string | null }) | undefined;
      return r && { ...r, results: r.results === null ? null : (JSON.parse(r.results) as Record<string, unknown>[]) };
    },
    setResults: (accountId: number, id: number, results: readonly object[], status: RunStatus, now: number | null) =>
      void s.setResults.run(JSON.stringify(results), status, now, accountId, id),
    /** A rule's latest verdicts, newest first, each with its trace from the event's row (as far as the history index goes: catch up first). */
    history: (accountId: number, ruleId: number, limit: number): HistoryRow[] =>
      (
        s.history.all(accountId, ruleId, limit) as (Omit<HistoryRow, 'results' | 'trace' | 'version' | 'ruleId'> & {
          verdicts: string;
          results: string | null;
        })[]
      ).map(({ verdicts, results, ...r }) => {
        const v = (JSON.parse(verdicts) as RecordedVerdict[]).find((x) => x.ruleId === ruleId);
        return {
          ...r,
          ruleId,
          version: v?.version ?? 0,
          results: results === null ? null : (JSON.parse(results) as Record<string, unknown>[]),
          trace: (v?.trace ?? {}) as Record<string, unknown>,
        };
      }),
    /** Verdicts and firings per rule (as far as the history index goes: catch up first). */
    counts: (accountId: number) => s.counts.all(accountId) as { ruleId: number; fired: number; evaluated: number }[],

    getState: (accountId: number, ruleId: number, key: string): string | undefined => s.getState.get(accountId, ruleId, key) as string | undefined,
    setState: (accountId: number, ruleId: number, key: string, value: string) => void s.setState.run(accountId, ruleId, key, value),
  };
}

export type RulesRepo = ReturnType<typeof createRulesRepo>;
