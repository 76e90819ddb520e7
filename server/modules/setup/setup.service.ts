/**
 * The first-run checklist: the four things an account needs before the agent can work, each with its
 * state and what to do about it. Read-only; each check reads what another module already knows.
 */

export type CheckKey = 'connection' | 'agent' | 'channels' | 'mail_llm';

export interface Check {
  key: CheckKey;
  ok: boolean;
  /** Why it is not ok, as a stable code the widget words in the user's language. */
  problem: string | null;
  detail: Record<string, unknown>;
}

export interface SetupPorts {
  connection(accountId: number): { state: string; syncState: string; lastSyncAt: string | null };
  boundStages(accountId: number): number;
  /** The Salesbot whose widget step has reached us, if any. */
  salesbotBotId(accountId: number): number | null;
  mailbox(accountId: number): { configured: boolean };
  llm(accountId: number): { keySet: boolean; budgetExhausted: boolean; limitUsd: number | null; usedUsd: number };
}

export function createSetupService(ports: SetupPorts) {
  return {
    checklist(accountId: number): { checks: Check[]; done: number; total: number } {
      const conn = ports.connection(accountId);
      const synced = conn.syncState === 'completed' || conn.lastSyncAt !== null;
      const stages = ports.boundStages(accountId);
      const botId = ports.salesbotBotId(accountId);
      const mail = ports.mailbox(accountId);
      const llm = ports.llm(accountId);
      const checks: Check[] = [
        {
          key: 'connection',
          ok: conn.state === 'connected' && synced,
          problem:
            conn.state !== 'connected'
              ? `connection_${conn.state}`
              : synced
                ? null
                : conn.syncState === 'running' || conn.syncState === 'queued'
                  ? 'sync_running'
                  : 'never_synced',
          detail: conn,
        },
        { key: 'agent', ok: stages > 0, problem: stages > 0 ? null : 'no_stage_agent', detail: { boundStages: stages } },
        { key: 'channels', ok: botId !== null, problem: botId !== null ? null : 'no_salesbot', detail: { salesbotBotId: botId } },
        {
          key: 'mail_llm',
          ok: mail.configured && llm.keySet && !llm.budgetExhausted,
          problem: !llm.keySet ? 'no_llm_key' : llm.budgetExhausted ? 'budget_exhausted' : !mail.configured ? 'no_mailbox' : null,
          detail: { mailbox: mail.configured, llmKey: llm.keySet, budgetExhausted: llm.budgetExhausted, limitUsd: llm.limitUsd, usedUsd: llm.usedUsd },
        },
      ];
      return { checks, done: checks.filter((c) => c.ok).length, total: checks.length };
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
