import { describe, expect, it } from 'vitest';
import { createSetupService, type SetupPorts } from './setup.service.js';

const ready: SetupPorts = {
  connection: () => ({ state: 'connected', syncState: 'completed', lastSyncAt: '2026-12-01T10:00:00.000Z' }),
  boundStages: () => 2,
  salesbotBotId: () => 42,
  mailbox: () => ({ configured: true }),
  llm: () => ({ keySet: true, budgetExhausted: false, limitUsd: 50, usedUsd: 3 }),
};
const problems = (ports: Partial<SetupPorts>) =>
  Object.fromEntries(
    createSetupService({ ...ready, ...ports })
      .checklist(1)
      .checks.map((c) => [c.key, c.ok ? 'ok' : c.problem]),
  );

describe('the first-run checklist', () => {
  it('is all green for a ready account', () => {
    expect(createSetupService(ready).checklist(1)).toMatchObject({ done: 4, total: 4 });
  });
  it('names each problem with a code the widget words in the user’s language', () => {
    expect(problems({ connection: () => ({ state: 'reauth_required', syncState: 'completed', lastSyncAt: null }) }).connection).toBe(
      'connection_reauth_required',
    );
    expect(problems({ connection: () => ({ state: 'connected', syncState: 'running', lastSyncAt: null }) }).connection).toBe('sync_running');
    expect(problems({ connection: () => ({ state: 'connected', syncState: 'never', lastSyncAt: null }) }).connection).toBe('never_synced');
    expect(problems({ boundStages: () => 0 }).agent).toBe('no_stage_agent');
    expect(problems({ salesbotBotId: () => null }).channels).toBe('no_salesbot');
    expect(problems({ llm: () => ({ keySet: false, budgetExhausted: false, limitUsd: null, usedUsd: 0 }) }).mail_llm).toBe('no_llm_key');
    expect(problems({ llm: () => ({ keySet: true, budgetExhausted: true, limitUsd: 5, usedUsd: 5 }) }).mail_llm).toBe('budget_exhausted');
    expect(problems({ mailbox: () => ({ configured: false }) }).mail_llm).toBe('no_mailbox');
  });
});
