import { KommoAuthError, KommoBlockedError, KommoRateLimitedError } from '../../kommo/client/errors.js';
import { PermanentJobError, RetryAfterError } from '../../jobs/errors.js';
import type { JobContext } from '../../jobs/worker.js';
import { isTimeZone } from '../../lib/working-hours.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import { activeRun, getCursor, getRun, insertRun, latestRun, setCursor, updateRun, type SyncRun } from './sync.repo.js';

export const SYNC_QUEUE = 'kommo.sync';

/** Progress bands per phase (percent at the phase's start). Kommo gives no totals, so lists report counts. */
const PHASES = [
  ['users', 0],
  ['pipelines', 5],
  ['fields', 10],
  ['task_types', 15],
  ['contacts', 20],
  ['companies', 50],
  ['leads', 55],
  ['done', 100],
] as const;
const bandStart = (phase: string) => PHASES.find(([p]) => p === phase)?.[1] ?? 0;

export type SyncServiceDeps = Pick<Platform, 'db' | 'clock' | 'queue' | 'tx'> & {
  accounts: AccountsRepo;
  activity: ActivityService;
  kommo: KommoServices;
  mirror: MirrorRepo;
};

export function createSyncService(deps: SyncServiceDeps) {
  const { db, clock, queue } = deps;

  /** Start a sync unless one is already queued or running (then that one is returned). Joins the caller's transaction. */
  function start(accountId: number, kind: 'full' | 'incremental' = 'incremental'): SyncRun {
    return deps.tx(() => {
      const existing = activeRun(db, accountId);
      if (existing) return existing;
      const run = insertRun(db, accountId, kind, clock.now());
      queue.enqueue({
        queue: SYNC_QUEUE,
        accountId,
        payload: { accountId, runId: run.id },
        idempotencyKey: `sync:${accountId}:${run.id}`,
        serialKey: `account:${accountId}:sync`,
        maxAttempts: 6,
      });
      return run;
    });
  }

  /** The job: mirror users, pipelines+stages, fields, task types, then contacts, companies and leads page by page. */
  async function run(accountId: number, runId: number, ctx: JobContext): Promise<void> {
    const runRow = getRun(db, accountId, runId);
    if (!runRow || runRow.status === 'completed' || runRow.status === 'failed') return; // idempotent
    const api = deps.kommo.api(accountId);
    const counts: SyncRun['counts'] = { ...runRow.counts };
    const setPhase = (phase: string, done = 0) =>
      updateRun(db, accountId, runId, { phase, status: 'running', progress: { done, total: null, percent: bandStart(phase) }, counts });
    if (!runRow.startedAt) updateRun(db, accountId, runId, { startedAt: clock.now() });
    try {
      setPhase('users');
      const userIds: number[] = [];
      const userLangs = new Map<number, string>();
      for await (const page of api.users()) {
        deps.tx(() => deps.mirror.upsertUsers(accountId, page, clock.now()));
        userIds.push(...page.map((u) => u.id));
        for (const u of page) if (u.lang) userLangs.set(u.id, u.lang);
      }
      deps.tx(() => deps.mirror.markMissingUsers(accountId, userIds, clock.now()));
      counts.users = { fetched: userIds.length, changed: userIds.length };

      setPhase('pipelines');
      const pipelines = await api.pipelines();
      deps.tx(() => {
        const r = deps.mirror.upsertPipelines(accountId, pipelines, clock.now());
        const deleted = deps.mirror.markMissingPipelines(
          accountId,
          pipelines.map((p) => p.id),
          clock.now(),
        );
        counts.pipelines = { fetched: r.pipelines, changed: r.pipelines, deleted };
        counts.statuses = { fetched: r.statuses, changed: r.statuses };
      });

      setPhase('fields');
      for (const entity of ['leads', 'contacts', 'companies'] as const) {
        const ids: number[] = [];
        for await (const page of api.customFields(entity)) {
          deps.tx(() => deps.mirror.upsertFields(accountId, entity, page, clock.now()));
          ids.push(...page.map((f) => f.id));
        }
        const deleted = deps.tx(() => deps.mirror.markMissingFields(accountId, entity, ids, clock.now()));
        counts[`${entity}_fields`] = { fetched: ids.length, changed: ids.length, deleted };
      }

      setPhase('task_types');
      const account = await api.getAccount(['task_types', 'datetime_settings']);
      const types = account._embedded?.task_types ?? [];
      const timezone = (account._embedded as { datetime_settings?: { timezone?: string } } | undefined)?.datetime_settings?.timezone;
      const language = kommoLanguage(account, userLangs);
      deps.tx(() => {
        if (timezone && isTimeZone(timezone)) deps.accounts.mergeSettings(accountId, { timezone }, clock.now());
        if (language) deps.accounts.mergeSettings(accountId, { language }, clock.now());
        deps.mirror.upsertTaskTypes(accountId, types, clock.now());
        deps.mirror.markMissingTaskTypes(
          accountId,
          types.map((t) => t.id),
          clock.now(),
        );
      });
      counts.task_types = { fetched: types.length, changed: types.length };

      for (const entity of ['contacts', 'companies', 'leads'] as const) {
        setPhase(entity);
        const c = (counts[entity] = { fetched: 0, changed: 0 });
        // Inclusive cursor: rows at the boundary second are fetched again; the upsert ignores unchanged ones.
        const from = getCursor(db, accountId, entity);
        const pages =
          entity === 'leads'
            ? api.leads({ updatedFrom: from || undefined, limit: 250, with: ['contacts'] })
            : entity === 'contacts'
              ? api.contacts({ updatedFrom: from || undefined, limit: 250 })
              : api.companies({ updatedFrom: from || undefined, limit: 250 });
        for await (const page of pages) {
          ctx.heartbeat();
          const now = clock.now();
          deps.tx(() => {
            const changed =
              entity === 'leads'
                ? deps.mirror.upsertLeads(accountId, page as never, now)
                : entity === 'contacts'
                  ? deps.mirror.upsertContacts(accountId, page as never, now)
                  : deps.mirror.upsertCompanies(accountId, page as never, now);
            c.fetched += page.length;
            c.changed += changed;
            const maxUpdated = Math.max(from, ...page.map((r) => r.updated_at));
            setCursor(db, accountId, entity, maxUpdated);
            updateRun(db, accountId, runId, { progress: { done: c.fetched, total: null, percent: bandStart(entity) }, counts });
          });
        }
      }
      deps.tx(() => {
        updateRun(db, accountId, runId, {
          status: 'completed',
          phase: 'done',
          finishedAt: clock.now(),
          error: null,
          progress: { done: 1, total: 1, percent: 100 },
          counts,
        });
        deps.activity.write({
          accountId,
          type: 'sync.completed',
          title: 'Kommo sync completed',
          description: `Leads: ${counts.leads?.changed ?? 0} changed of ${counts.leads?.fetched ?? 0} fetched; contacts: ${counts.contacts?.changed ?? 0} of ${counts.contacts?.fetched ?? 0}.`,
          metadata: { runId, counts },
          params: {
            leadsChanged: counts.leads?.changed ?? 0,
            leadsFetched: counts.leads?.fetched ?? 0,
            contactsChanged: counts.contacts?.changed ?? 0,
            contactsFetched: counts.contacts?.fetched ?? 0,
          },
        });
      });
    } catch (err) {
      throw failOrRetry(accountId, runId, err, ctx);
    }
  }

  /** Decide what the queue should do with a failed sync, and show the user the state. */
  function failOrRetry(accountId: number, runId: number, err: unknown, ctx: JobContext): Error {
    const message = err instanceof Error ? err.message : String(err);
    const final = err instanceof KommoAuthError || ctx.job.attempts >= ctx.job.maxAttempts;
    if (final) {
      deps.tx(() => {
        updateRun(db, accountId, runId, { status: 'failed', error: message, finishedAt: clock.now() });
        deps.activity.write({ accountId, type: 'sync.failed', title: 'Kommo sync failed', description: message, metadata: { runId }, params: {} });
      });
      return new PermanentJobError(message, { cause: err });
    }
    updateRun(db, accountId, runId, { error: `retrying: ${message}` });
    if (err instanceof KommoRateLimitedError) return new RetryAfterError(err.retryAfterMs);
    if (err instanceof KommoBlockedError) return new RetryAfterError(Math.max(1000, err.until - clock.now()));
    return err instanceof Error ? err : new Error(message);
  }

  function status(accountId: number) {
    const account = deps.accounts.byId(accountId);
    const last = latestRun(db, accountId);
    return {
      connection: {
        state: account ? (account.status as 'connected' | 'reauth_required' | 'disconnected') : ('not_installed' as const),
        host: account?.host ?? null,
        name: account?.name ?? null,
        reason: account?.statusReason ?? null,
      },
      sync: {
        id: last?.id ?? null,
        state: (last?.status ?? 'never') as 'never' | 'queued' | 'running' | 'completed' | 'failed',
        phase: last?.phase ?? null,
        progress: last?.progress ?? { done: 0, total: null, percent: null },
        startedAt: last?.startedAt ? new Date(last.startedAt).toISOString() : null,
        finishedAt: last?.finishedAt ? new Date(last.finishedAt).toISOString() : null,
        error: last?.error ?? null,
        counts: last?.counts ?? {},
      },
      counts: deps.mirror.counts(accountId),
    };
  }

  return { start, run, status };
}

export type SyncService = ReturnType<typeof createSyncService>;

/**
 * The account's language as Kommo gives it: the account's own `language` where the answer carries one
 * (API v2 did; v4 is UNCONFIRMED, see docs/kommo.md), else the language of the user the account answers
 * for (`current_user_id`, the one who installed), from the users just mirrored. Null when neither says.
 */
function kommoLanguage(account: { current_user_id: number; [k: string]: unknown }, userLangs: Map<number, string>): string | null {
  const own = account.language;
  if (typeof own === 'string' && /^[a-z]{2}/i.test(own)) return own.slice(0, 10);
  const lang = userLangs.get(account.current_user_id);
  return lang && /^[a-z]{2}/i.test(lang) ? lang.slice(0, 10) : null;
}
