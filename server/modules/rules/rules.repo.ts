import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../db/client.js';
import { ruleVersions, rules, type RuleRow } from '../../../db/schema/index.js';
import type { RuleDefinition, TriggerType } from './rules.schemas.js';

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

export interface HistoryRow {
  id: number;
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
      `INSERT INTO rule_events (account_id, event_key, type, lead_id, depth, fired, verdicts, created_at)
       VALUES (@accountId, @eventKey, @type, @leadId, @depth, @fired, @verdicts, @now)
       ON CONFLICT (account_id, event_key, type) DO NOTHING`,
    ),
    firedOnLead: sqlite.prepare("SELECT fired FROM rule_events WHERE account_id = ? AND lead_id = ? AND created_at >= ? AND fired <> ''").pluck(),
    getRun: sqlite.prepare(
      `SELECT r.id, r.rule_id AS ruleId, r.version, r.lead_id AS leadId, r.status, r.results, r.finished_at AS finishedAt, e.depth, e.event_key AS eventKey
       FROM rule_runs r JOIN rule_events e ON e.id = r.event_id WHERE r.account_id = ? AND r.id = ?`,
    ),
    history: sqlite.prepare(
      `SELECT r.id, r.rule_id AS ruleId, r.version, r.lead_id AS leadId, r.status, r.results, e.event_key AS eventKey, e.depth, e.created_at AS createdAt, e.verdicts
       FROM rule_history h JOIN rule_runs r ON r.id = h.run_id JOIN rule_events e ON e.id = r.event_id
       WHERE h.account_id = ? AND h.rule_id = ? ORDER BY h.run_id DESC LIMIT ?`,
    ),
    mark: sqlite.prepare('SELECT run_id FROM rule_history_marks WHERE account_id = ?').pluck(),
    batchEnd: sqlite.prepare('SELECT max(id) FROM (SELECT id FROM rule_runs WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?)').pluck(),
    indexRuns: sqlite.prepare(
      `INSERT OR IGNORE INTO rule_history (account_id, rule_id, run_id)
       SELECT account_id, rule_id, id FROM rule_runs WHERE account_id = ? AND id > ? AND id <= ? ORDER BY rule_id, id`,
    ),
    setMark: sqlite.prepare(
      'INSERT INTO rule_history_marks (account_id, run_id) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET run_id = excluded.run_id',
    ),
    setResults: sqlite.prepare('UPDATE rule_runs SET results = ?, status = ?, finished_at = ? WHERE account_id = ? AND id = ?'),
    getState: sqlite.prepare('SELECT value FROM rule_state WHERE account_id = ? AND rule_id = ? AND key = ?').pluck(),
    setState: sqlite.prepare(
      'INSERT INTO rule_state (account_id, rule_id, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, rule_id, key) DO UPDATE SET value = excluded.value',
    ),
    counts: sqlite.prepare(
      `SELECT h.rule_id AS ruleId, sum(r.status IN ('fired', 'done', 'failed')) AS fired, count(*) AS evaluated
       FROM rule_history h JOIN rule_runs r ON r.id = h.run_id WHERE h.account_id = ? GROUP BY h.rule_id`,
    ),
  };
  /** `INSERT … VALUES (…), (…)` for n runs, prepared once per n. */
  const runInserts = new Map<number, Statement>();
  const insertRuns = (n: number): Statement => {
    let stmt = runInserts.get(n);
    if (!stmt) {
      stmt = sqlite.prepare(
        `INSERT INTO rule_runs (account_id, rule_id, version, event_id, lead_id, status) VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      runInserts.set(n, stmt);
    }
    return stmt;
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
     * Record an event's verdicts: one row with every trace, and one narrow run per verdict (the rule's
     * history). Null when the event was recorded before; otherwise the run ids, in the verdicts' order.
     */
    recordEvent(e: {
      accountId: number;
      eventKey: string;
      type: string;
      leadId: number | null;
      depth: number;
      now: number;
      verdicts: RecordedVerdict[];
    }): number[] | null {
      const fired = e.verdicts.filter((v) => v.status === 'fired').map((v) => v.ruleId);
      const res = s.insertEvent.run({
        accountId: e.accountId,
        eventKey: e.eventKey,
        type: e.type,
        leadId: e.leadId,
        depth: e.depth,
        fired: fired.length ? `,${fired.join(',')},` : '',
        verdicts: JSON.stringify(e.verdicts),
        now: e.now,
      });
      if (res.changes === 0) return null;
      const eventId = Number(res.lastInsertRowid);
      // All of the event's runs in one statement: their ids follow one another (one writer, in this transaction).
      const params = e.verdicts.flatMap((v) => [e.accountId, v.ruleId, v.version, eventId, e.leadId, v.status]);
      const last = Number(insertRuns(e.verdicts.length).run(...params).lastInsertRowid);
      return e.verdicts.map((_, i) => last - e.verdicts.length + 1 + i);
    },
    /**
     * Put up to `max` of the account's runs not yet in the history index into it, in one statement sorted
     * by rule (each rule's page is written once). False when there was none left; call it in a transaction.
     */
    indexHistory(accountId: number, max: number): boolean {
      const mark = (s.mark.get(accountId) as number | undefined) ?? 0;
      const end = s.batchEnd.get(accountId, mark, max) as number | null;
      if (end === null) return false;
      s.indexRuns.run(accountId, mark, end);
      s.setMark.run(accountId, end);
      return true;
    },
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
    /** A rule's latest verdicts, newest first, each with its trace from the event's row (as far as the history index goes: `indexHistory` first). */
    history: (accountId: number, ruleId: number, limit: number): HistoryRow[] =>
      (s.history.all(accountId, ruleId, limit) as (HistoryRow & { verdicts: string; results: string | null })[]).map(({ verdicts, ...r }) => ({
        ...r,
        results: r.results === null ? null : (JSON.parse(r.results as string) as Record<string, unknown>[]),
        trace: ((JSON.parse(verdicts) as RecordedVerdict[]).find((v) => v.ruleId === ruleId)?.trace ?? {}) as Record<string, unknown>,
      })),
    /** Verdicts and firings per rule (as far as the history index goes: `indexHistory` first). */
    counts: (accountId: number) => s.counts.all(accountId) as { ruleId: number; fired: number; evaluated: number }[],

    getState: (accountId: number, ruleId: number, key: string): string | undefined => s.getState.get(accountId, ruleId, key) as string | undefined,
    setState: (accountId: number, ruleId: number, key: string, value: string) => void s.setState.run(accountId, ruleId, key, value),
  };
}

export type RulesRepo = ReturnType<typeof createRulesRepo>;
