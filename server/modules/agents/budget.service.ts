import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Notifier } from '../../lib/ports.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import { accountLanguage } from '../../lib/i18n.js';
import { llmProblem, noticeText } from './notices.texts.js';
import type { LlmPermanentReason } from '../../llm/llm.errors.js';
import { texts } from './agents.texts.js';
import type { Usage, UsageRepo } from './usage.repo.js';

/** The per-account override, in `accounts.settings.llmBudget`; a missing key means the operator's default. */
export interface BudgetOverride {
  monthlyUsd?: number;
  monthlyTokens?: number;
}

export interface BudgetState {
  /** The calendar month (UTC) the usage is counted in, e.g. `2026-01`. */
  month: string;
  used: Usage & { tokens: number };
  /** What applies now; null: no limit. */
  limit: { usd: number | null; tokens: number | null };
  /** The operator's defaults (env), null: no limit. */
  defaults: { usd: number | null; tokens: number | null };
  /** What an account admin set, null: not set. */
  override: { usd: number | null; tokens: number | null };
  exhausted: boolean;
  exhaustedBy: 'usd' | 'tokens' | null;
  /** The start of the next month (UTC), when usage counts from zero again. */
  resetsAt: string;
}

export interface BudgetDeps {
  clock: Clock;
  accounts: Pick<AccountsRepo, 'settings' | 'mergeSettings'>;
  usage: UsageRepo;
  notifier: Notifier;
  env: { LLM_MONTHLY_BUDGET_USD: number; LLM_MONTHLY_BUDGET_TOKENS: number };
}

/** Usage read from the database stays fresh this long; this process's own spending is added as it happens. */
const CACHE_MS = 30_000;
const positive = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null);

export function monthWindow(now: number) {
  const d = new Date(now);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { month: new Date(from).toISOString().slice(0, 7), from, to };
}

/**
 * Each account's monthly model budget: estimated USD and/or tokens, a default from the operator
 * (LLM_MONTHLY_BUDGET_*) that an account admin may lower for their account. Usage is this calendar
 * month's agent turns plus playground runs. The check runs before every model call; calls already in
 * flight when the budget runs out still finish, so the last turns of a month may go slightly over.
 */
export function createBudgetService(deps: BudgetDeps) {
  const { clock } = deps;
  const defaults = { usd: positive(deps.env.LLM_MONTHLY_BUDGET_USD), tokens: positive(deps.env.LLM_MONTHLY_BUDGET_TOKENS) };
  const cache = new Map<number, { month: string; at: number; usage: Usage }>();

  function override(accountId: number): { usd: number | null; tokens: number | null } {
    const raw = deps.accounts.settings(accountId).llmBudget as BudgetOverride | undefined;
    return { usd: positive(raw?.monthlyUsd), tokens: positive(raw?.monthlyTokens) };
  }

  function usageOf(accountId: number, fresh: boolean): { usage: Usage; win: ReturnType<typeof monthWindow> } {
    const now = clock.now();
    const win = monthWindow(now);
    const hit = cache.get(accountId);
    if (!fresh && hit && hit.month === win.month && now - hit.at < CACHE_MS) return { usage: hit.usage, win };
    const usage = deps.usage.between(accountId, win.from, win.to);
    cache.set(accountId, { month: win.month, at: now, usage });
    return { usage, win };
  }

  function state(accountId: number, opts: { fresh?: boolean } = {}): BudgetState {
    const { usage, win } = usageOf(accountId, opts.fresh ?? false);
    const own = override(accountId);
    const limit = { usd: own.usd ?? defaults.usd, tokens: own.tokens ?? defaults.tokens };
    const tokens = usage.promptTokens + usage.completionTokens;
    const exhaustedBy = limit.usd !== null && usage.costUsd >= limit.usd ? 'usd' : limit.tokens !== null && tokens >= limit.tokens ? 'tokens' : null;
    return {
      month: win.month,
      used: { ...usage, tokens },
      limit,
      defaults,
      override: own,
      exhausted: exhaustedBy !== null,
      exhaustedBy,
      resetsAt: new Date(win.to).toISOString(),
    };
  }

  /** "$12.00 of $10.00" in the unit that ran out (or USD). */
  function describe(s: BudgetState) {
    const kind = s.exhaustedBy ?? (s.limit.usd !== null ? 'usd' : 'tokens');
    const used = kind === 'usd' ? s.used.costUsd : s.used.tokens;
    const limit = (kind === 'usd' ? s.limit.usd : s.limit.tokens) ?? 0;
    return { used: texts.amount(kind, used), limit: texts.amount(kind, limit), resetsAt: s.resetsAt.slice(0, 10) };
  }

  return {
    state,
    describe,

    /** Count what a model call of this process just spent, without waiting for the cache to expire. */
    record(accountId: number, spent: { promptTokens: number; completionTokens: number; costUsd: number }, kind: 'turn' | 'playground') {
      const hit = cache.get(accountId);
      if (!hit || hit.month !== monthWindow(clock.now()).month) return;
      const u = hit.usage;
      hit.usage = {
        promptTokens: u.promptTokens + spent.promptTokens,
        completionTokens: u.completionTokens + spent.completionTokens,
        costUsd: Math.round((u.costUsd + spent.costUsd) * 1e6) / 1e6,
        turns: u.turns + (kind === 'turn' ? 1 : 0),
        playgroundRuns: u.playgroundRuns + (kind === 'playground' ? 1 : 0),
      };
    },

    /**
     * Tell the account's admins, once per month, that the agents stopped. Synchronous: joins the caller's
     * transaction (the notifier dedupes on the key).
     */
    notifyExhausted(accountId: number, s: BudgetState) {
      const d = describe(s);
      const lang = accountLanguage(deps.accounts.settings(accountId));
      deps.notifier.notify({
        accountId,
        userId: null,
        kind: 'llm_budget_exhausted',
        title: noticeText(lang, 'budgetTitle'),
        body: noticeText(lang, 'budgetBody', { used: d.used, limit: d.limit, resetsAt: d.resetsAt }),
        dedupeKey: `llm-budget:${accountId}:${s.month}`,
      });
    },

    /** Tell the admins, once a day per cause, that the AI service refuses us for good (no credit, a bad key). Joins the caller's transaction. */
    notifyUnavailable(accountId: number, reason: LlmPermanentReason) {
      const lang = accountLanguage(deps.accounts.settings(accountId));
      deps.notifier.notify({
        accountId,
        userId: null,
        kind: 'llm_unavailable',
        title: noticeText(lang, 'llmTitle'),
        body: noticeText(lang, 'llmBody', { problem: llmProblem(lang, reason) }),
        dedupeKey: `llm-permanent:${accountId}:${reason}:${new Date(deps.clock.now()).toISOString().slice(0, 10)}`,
      });
    },

    /**
     * Set (a number) or clear (null) the account's own limits. An account admin may only lower the
     * operator's default: the operator pays the model bill. Where the operator set no limit, any is allowed.
     */
    setOverride(accountId: number, input: { monthlyUsd?: number | null; monthlyTokens?: number | null }): BudgetState {
      const errors: { field: string; message: string }[] = [];
      if (typeof input.monthlyUsd === 'number' && defaults.usd !== null && input.monthlyUsd > defaults.usd)
        errors.push({ field: 'monthlyUsd', message: texts.budgetOverDefault(texts.amount('usd', defaults.usd)) });
      if (typeof input.monthlyTokens === 'number' && defaults.tokens !== null && input.monthlyTokens > defaults.tokens)
        errors.push({ field: 'monthlyTokens', message: texts.budgetOverDefault(texts.amount('tokens', defaults.tokens)) });
      if (errors.length)
        throw new AppError('VALIDATION_FAILED', `Invalid request body: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
      const patch: BudgetOverride | Record<string, null> = {};
      if (input.monthlyUsd !== undefined) (patch as Record<string, number | null>).monthlyUsd = input.monthlyUsd;
      if (input.monthlyTokens !== undefined) (patch as Record<string, number | null>).monthlyTokens = input.monthlyTokens;
      if (Object.keys(patch).length) deps.accounts.mergeSettings(accountId, { llmBudget: patch }, clock.now());
      return state(accountId, { fresh: true });
    },
  };
}

export type BudgetService = ReturnType<typeof createBudgetService>;
