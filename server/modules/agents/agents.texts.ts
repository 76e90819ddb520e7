/**
 * What the agents' budget, model and limit checks tell people (activity entries, notifications, API errors).
 * English for now, kept together so they can be translated later; the widget has its own i18n files.
 */
/** Dollars with cents, or two significant digits below a cent (a test budget, one turn's cost). */
const usd = (n: number) => (n === 0 || n >= 0.01 ? `$${n.toFixed(2)}` : `$${Number(n.toPrecision(2))}`);

export const texts = {
  budgetSkipTitle: (agent: string) => `${agent} did not reply: this month's AI budget is used up`,
  budgetSkipDetail: (used: string, limit: string, resetsAt: string) =>
    `The account used ${used} of its ${limit} monthly AI budget. Agents reply again on ${resetsAt} or when an admin raises the limit.`,
  budgetPlaygroundTitle: 'Monthly AI budget used up',
  budgetPlayground: (used: string, limit: string) => `This month's AI budget is used up (${used} of ${limit}); the playground runs again next month.`,
  budgetOverDefault: (limit: string) => `must be at most ${limit}, the limit set for every account`,
  amount: (kind: 'usd' | 'tokens', n: number) => (kind === 'usd' ? usd(n) : `${Math.round(n).toLocaleString('en-US')} tokens`),

  modelFallback: (configured: string, used: string) => `model ${configured} is no longer allowed on this server; ${used} answered instead`,
  modelNotAllowed: (allowed: readonly string[]) => `is not allowed on this server; choose one of: ${allowed.join(', ')}`,

  limitsTitle: (agent: string) => `${agent}'s turn was trimmed to the per-turn limits`,

  playgroundRunTitle: (agent: string) => `Playground run of ${agent}`,
  playgroundRateLimited: (perMinute: number, retryAfterSec: number) =>
    `At most ${perMinute} playground runs per minute for each user; try again in ${retryAfterSec} s.`,
};
