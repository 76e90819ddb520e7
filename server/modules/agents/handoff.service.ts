import type { KommoApi } from '../../kommo/client/types.js';
import type { Clock } from '../../lib/clock.js';
import type { Notifier } from '../../lib/ports.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { accountLang, type HandoffReasonKey, handoffText } from './handoff.texts.js';
import type { LeadStateRepo } from './lead-state.repo.js';

export interface HandoffDeps {
  clock: Clock;
  activity: ActivityService;
  notifier: Notifier;
  crm: MirrorReadRepo;
  leadState: LeadStateRepo;
  accounts: Pick<AccountsRepo, 'settings'>;
  kommo: { api(accountId: number): KommoApi };
  tx<T>(fn: () => T): T;
  logger: { warn(o: object, msg: string): void };
}

/** Due soon: a handoff is someone waiting for an answer. */
const HANDOFF_DUE_MS = 15 * 60_000;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function createHandoffService(deps: HandoffDeps) {
  return {
    /**
     * Give the lead to a human: a follow-up task for the responsible user with a short brief, the
     * agent stopped for this lead (unless `stop` is false), a notification and an activity entry.
     * A Kommo failure while creating the task does not stop the rest: the activity says so.
     */
    async run(input: {
      accountId: number;
      leadId: number;
      agentId: number;
      agentName: string;
      turnId: number | null;
      /** Why, in English (kept in the lead's state and the metadata). */
      reason: string;
      /** The same reason as a catalogue text, so the brief reads in the account's language. */
      reasonText?: { key: HandoffReasonKey; vars: Record<string, string | number> };
      lastClientText?: string;
      stop?: boolean;
      /** The Kommo user who handed the lead off from the card (unset: the agent or a check did). */
      by?: number | null;
      type?: string;
      metadata?: Record<string, unknown>;
    }): Promise<{ taskId: number | null }> {
      const { accountId, leadId } = input;
      const lead = deps.crm.lead(accountId, leadId);
      const responsible = lead?.responsibleUserId ?? null;
      const lang = accountLang(deps.accounts.settings(accountId));
      const brief = clip(
        [
          handoffText(lang, 'brief', {
            agent: input.agentName,
            reason: input.reasonText ? handoffText(lang, input.reasonText.key, input.reasonText.vars) : input.reason,
          }),
          input.lastClientText ? handoffText(lang, 'lastClient', { text: clip(input.lastClientText.replace(/\s+/g, ' '), 200) }) : null,
          handoffText(lang, 'takeOver'),
        ]
          .filter(Boolean)
          .join(' '),
        900,
      );
      let taskId: number | null = null;
      let taskError: string | null = null;
      try {
        [taskId] = (await deps.kommo.api(accountId).createTasks([
          {
            text: brief,
            complete_till: Math.floor((deps.clock.now() + HANDOFF_DUE_MS) / 1000),
            entity_id: leadId,
            entity_type: 'leads',
            task_type_id: 1,
            ...(responsible ? { responsible_user_id: responsible } : {}),
          },
        ])) as [number];
      } catch (err) {
        taskError = err instanceof Error ? err.message : String(err);
        deps.logger.warn({ accountId, leadId, err: taskError }, 'handoff task could not be created');
      }
      deps.tx(() => {
        const now = deps.clock.now();
        if (input.stop !== false) deps.leadState.handoff(accountId, leadId, clip(input.reason, 500), now, { to: responsible, by: input.by ?? null });
        deps.activity.write({
          accountId,
          agentId: input.agentId,
          leadId,
          userId: responsible,
          type: input.type ?? 'agent.handoff',
          title: handoffText(lang, 'title', { agent: input.agentName }),
          params: { agent: input.agentName, reason: input.reason, reasonKey: input.reasonText?.key ?? null, ...(input.reasonText?.vars ?? {}) },
          description: brief + (taskError ? handoffText(lang, 'taskFailed', { error: taskError }) : ''),
          metadata: { reason: input.reason, turnId: input.turnId, by: input.by ?? null, kommoIds: { leadId, taskId }, taskError, ...input.metadata },
        });
        deps.notifier.notify({
          accountId,
          userId: responsible,
          kind: 'agent_handoff',
          title: handoffText(lang, 'notifyTitle', { lead: lead?.name || `#${leadId}` }),
          body: brief,
          leadId,
          dedupeKey: `agent_handoff:${accountId}:${leadId}:${input.turnId ?? now}`,
        });
      });
      return { taskId };
    },
  };
}

export type HandoffService = ReturnType<typeof createHandoffService>;
