import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { LlmClient } from '../../llm/llm.types.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { RecordsRepo } from '../mirror/records.repo.js';
import type { RuleEvent, RulesEngine } from './rules.engine.js';
import type { RulesRepo } from './rules.repo.js';
import { INTENTS, type Intent } from './rules.schemas.js';
import type { RulesService } from './rules.service.js';
import { type TimerPayload, timerJob } from './rules.triggers.js';

export interface TimersDeps {
  clock: Clock;
  queue: JobQueue;
  tx<T>(fn: () => T): T;
  engine: RulesEngine;
  repo: RulesRepo;
  service: RulesService;
  crm: MirrorReadRepo;
  records: RecordsRepo;
  /** When the client last wrote on the lead (ms), or null. */
  lastClientMessageAt(accountId: number, leadId: number): number | null;
  llm: LlmClient;
  model: string;
  /** How many leads one schedule run may touch. */
  scheduleLeadLimit: number;
}

/** Timers, schedules and intent classification: the waiting side of the rules. */
export function createTimers(d: TimersDeps) {
  return {
    /**
     * A wait's timer came due: if what it waited for still holds (no client reply, still in the stage, the
     * task still open), the rules due by now are evaluated (once per wait and due time), and the job is
     * queued again for the next rule still to come due. Once the wait is over, none of its rules fire.
     */
    timer(p: TimerPayload): void {
      d.tx(() => {
        if (p.kind === 'no_client_reply_for') {
          const last = d.lastClientMessageAt(p.accountId, p.leadId);
          if (last !== null && last > p.since) return; // the client answered
        }
        const lead = d.crm.lead(p.accountId, p.leadId);
        if (p.kind === 'time_in_stage' && (!lead || lead.pipelineId !== p.pipelineId || lead.statusId !== p.statusId)) return; // it moved on
        if (p.kind === 'task_overdue') {
          const task = d.records.taskState(p.accountId, p.taskId!);
          if (!task || task.done) return;
        }
        const now = d.clock.now();
        const due = p.rules.filter((r) => r.at <= now);
        for (const at of [...new Set(due.map((r) => r.at))].sort((a, b) => a - b)) {
          const these = due.filter((r) => r.at === at);
          const e: RuleEvent = {
            accountId: p.accountId,
            leadId: p.leadId,
            type: p.kind,
            key: `${p.key}@${at}`,
            depth: 0,
            data: { pipelineId: lead?.pipelineId ?? p.pipelineId ?? null, statusId: lead?.statusId ?? p.statusId ?? null, taskId: p.taskId },
          };
          // Each rule as it was when the wait began: an edited rule waits for the next wait.
          d.engine.handle(e, (rule) => these.some((r) => r.ruleId === rule.id && r.version === rule.version));
        }
        const later = p.rules.filter((r) => r.at > now);
        if (later.length > 0) d.queue.enqueue(timerJob({ ...p, rules: later }));
      });
    },

    /** A schedule slot: evaluate the rule for each lead in its scope (bounded), then queue the next slot. */
    schedule(p: { accountId: number; ruleId: number; version: number; slot: number }): void {
      d.tx(() => {
        const rule = d.repo.get(p.accountId, p.ruleId);
        if (!rule || rule.version !== p.version || !rule.enabled) return;
        for (const leadId of d.crm.openLeadIds(p.accountId, rule.pipelineId, rule.statusId, d.scheduleLeadLimit)) {
          d.engine.handle({
            accountId: p.accountId,
            leadId,
            type: 'schedule',
            key: `sched:${p.slot}`,
            depth: 0,
            data: { ruleId: rule.id, version: rule.version },
          });
        }
        d.service.schedule(rule);
      });
    },

    /** Ask the model which intent a client message has (from a fixed list), then evaluate the rules that filter on it. */
    async classify(e: RuleEvent): Promise<void> {
      let intent: Intent = 'other';
      if (d.llm.configured && e.data.text) {
        const r = await d.llm.chat({
          model: d.model,
          temperature: 0,
          messages: [
            { role: 'system', content: `Classify the client's message into exactly one of: ${INTENTS.join(', ')}. Answer with the label only.` },
            { role: 'user', content: `<client_message>\n${e.data.text.slice(0, 2000)}\n</client_message>` },
          ],
          tools: [],
        });
        const label = (r.content ?? '')
          .trim()
          .toLowerCase()
          .replace(/[^a-z_]/g, '');
        intent = (INTENTS as readonly string[]).includes(label) ? (label as Intent) : 'other';
      }
      d.tx(() =>
        d.engine.handle(
          // The second pass over the same event has a key of its own (the first pass recorded the event).
          { ...e, key: `${e.key}#intent`, data: { ...e.data, intent } },
          (rule) => rule.definition.trigger.type === 'message_received' && Boolean(rule.definition.trigger.intents),
        ),
      );
    },
  };
}

export type RuleTimers = ReturnType<typeof createTimers>;
