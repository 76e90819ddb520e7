import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../server/env.js';
import type { KommoApi } from '../../server/kommo/client/types.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules } from '../../server/modules.js';
import { createActionsService } from '../../server/modules/actions/actions.service.js';
import { createAgentsServices } from '../../server/modules/agents/index.js';
import { closePlatform, createPlatform, type Platform } from '../../server/platform.js';
import { seedAccount } from '../../test/helpers/seeds.js';
import type { TurnPayload } from '../../server/modules/agents/turn.job.js';
import type { JobContext } from '../../server/jobs/worker.js';
import type { Scenario } from './types.js';

const ACCOUNT = 1;
const PIPELINE = 10;
const STAGE = 20;
const LEADS = 200;

/**
 * The reply pipeline's own overhead: one agent turn end to end (checks, context with the stage
 * script and knowledge search, tool validation, the action log, delivery, activity) with an
 * in-process model and Kommo API that answer instantly, so only our code and SQLite are measured.
 * Baseline, same run and database: one bare SQLite read (the lead) plus one write (an activity row).
 */
export async function agentsScenario(turns = 600): Promise<Scenario[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agents-'));
  const env = parseEnv({ DATABASE_PATH: join(dir, 'app.db'), ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'), LOG_LEVEL: 'silent' });
  const p = createPlatform(env);
  try {
    const llm: LlmClient = {
      configured: true,
      chat: async () => ({
        content: 'Thanks for reaching out! A demo is available on Tuesdays; shall I book one for you?',
        toolCalls: [{ id: 'c1', name: 'add_tags', arguments: '{"tags":["ai-qualified"]}' }],
        usage: { promptTokens: 900, completionTokens: 60 },
        model: 'gpt-4o-mini',
      }),
    };
    // The agents module alone, with an instant model and Kommo API: only our code and SQLite are measured.
    const m = createModules(p, { llm });
    seedMirror(p, m);
    const kommo = { api: () => fakeKommo };
    const deps = {
      ...p,
      ...m.conversations.services,
      activity: m.activity.services.activity,
      mirror: m.mirror.services.mirror,
      crm: m.mirror.services.read,
      accounts: m.accounts.services.accounts,
      kommo,
    };
    const actions = createActionsService(deps);
    const knowledge = m.knowledge.services.knowledge;
    const f = createAgentsServices({
      ...deps,
      knowledge,
      actions,
      notifier: m.notifications.services.notifier,
      clientMail: m.mail.services.clientMail,
      llm,
    });
    const scripts = m.scripts.services.scripts;
    const agent = f.agents.create(ACCOUNT, {
      name: 'Bench',
      instructions: 'Qualify and book a demo.',
      temperature: 0.3,
      language: 'auto',
      tone: 'friendly',
      mode: 'autopilot',
      workingHours: null,
      replyDelaySec: 0,
      maxRepliesPerLeadPerDay: 1000,
      allowedActions: ['add_tags', 'move_to_stage', 'create_task'],
      approvalRequired: [],
      runWithoutApproval: [],
      handoff: { keywords: ['lawyer'], afterTurns: null, onToolFailure: 'handoff' },
      humanReplyPauseMinutes: 60,
      maxReplyChars: 1000,
    });
    f.agents.bind(ACCOUNT, { pipelineId: PIPELINE, statusId: STAGE, agentId: agent.id });
    scripts.create(ACCOUNT, {
      agentId: agent.id,
      name: 'Qualify',
      body: 'Greet {{contact.first_name}}, ask about {{lead.cf.PRODUCT}}, offer a demo.',
      stages: [{ pipelineId: PIPELINE, statusId: STAGE }],
    });
    for (let i = 0; i < 20; i++)
      knowledge.create(ACCOUNT, agent.id, {
        kind: 'faq',
        title: `FAQ ${i}`,
        question: `Question ${i} about demos and pricing?`,
        answer: `Answer ${i}: demos run on Tuesdays.`,
      });

    const payloads = prepareTurns(p, m, turns);
    const ctx = { job: { attempts: 1, maxAttempts: 5 }, signal: new AbortController().signal, heartbeat() {} } as unknown as JobContext;
    for (const t of payloads.slice(0, 50)) await f.turns.run(t, ctx); // warm-up
    const times: number[] = [];
    for (const t of payloads.slice(50)) {
      const started = performance.now();
      await f.turns.run(t, ctx);
      times.push(performance.now() - started);
    }
    const replied = (p.sqlite.prepare("SELECT count(*) n FROM agent_turns WHERE status = 'replied'").get() as { n: number }).n;
    if (replied !== turns + 50) throw new Error(`bench: expected ${turns + 50} replied turns, got ${replied}`);

    const read = p.sqlite.prepare('SELECT * FROM leads WHERE account_id = ? AND id = ?');
    const base: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const t = performance.now();
      read.get(ACCOUNT, 1000 + (i % LEADS));
      m.activity.services.activity.write({ accountId: ACCOUNT, type: 'bench', title: 'baseline write' });
      base.push(performance.now() - t);
    }
    const p50 = pct(times, 0.5);
    return [
      {
        name: 'agent turn overhead (instant fake LLM + Kommo)',
        value: p50,
        unit: 'ms p50',
        baseline: pct(base, 0.5),
        baselineName: 'bare SQLite read+write ms p50',
        target: 'p50 < 20 ms',
        pass: p50 < 20,
        extra: { p99_ms: pct(times, 0.99), turns: times.length },
      },
    ];
  } finally {
    closePlatform(p);
  }
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

type Modules = ReturnType<typeof createModules>;

function seedMirror(p: Platform, modules: Modules) {
  const now = Date.now();
  const m = modules.mirror.services.mirror;
  p.tx(() => {
    seedAccount({ p, m: modules }, { id: ACCOUNT, subdomain: 'bench', name: 'Bench Ltd', webhookSecret: 'secret' });
    m.upsertUsers(ACCOUNT, [{ id: 7, name: 'Ana Silva', email: 'ana@bench.example' } as never], now);
    m.upsertPipelines(
      ACCOUNT,
      [
        {
          id: PIPELINE,
          name: 'Sales',
          sort: 1,
          _embedded: { statuses: [20, 21, 22, 142, 143].map((id, i) => ({ id, name: `Stage ${id}`, sort: i, pipeline_id: PIPELINE })) },
        } as never,
      ],
      now,
    );
    m.upsertFields(ACCOUNT, 'leads', [{ id: 500, name: 'Product', code: 'PRODUCT', type: 'text' } as never], now);
    m.upsertContacts(
      ACCOUNT,
      [{ id: 3000, name: 'Maria Costa', first_name: 'Maria', last_name: 'Costa', responsible_user_id: 7, updated_at: 1 } as never],
      now,
    );
    m.upsertLeads(ACCOUNT, Array.from({ length: LEADS }, (_, i) => leadJson(1000 + i)) as never, now);
  });
}

function leadJson(id: number) {
  return {
    id,
    name: `Lead ${id}`,
    price: 1200,
    responsible_user_id: 7,
    status_id: STAGE,
    pipeline_id: PIPELINE,
    created_at: 1,
    updated_at: 1,
    custom_fields_values: [{ field_id: 500, field_code: 'PRODUCT', values: [{ value: 'CRM setup' }] }],
    _embedded: { tags: [], contacts: [{ id: 3000, is_main: true }] },
  };
}

function prepareTurns(p: Platform, m: Modules, n: number): TurnPayload[] {
  const out: TurnPayload[] = [];
  const { conversations, salesbot } = m.conversations.services;
  p.tx(() => {
    for (let i = 0; i < n + 50; i++) {
      const leadId = 1000 + (i % LEADS);
      const id = conversations.insertMessage({
        accountId: ACCOUNT,
        leadId,
        contactId: null,
        direction: 'inbound',
        author: 'client',
        channel: 'salesbot',
        externalId: `bench-${i}`,
        text: `Hi, can I get a demo of the CRM setup? (${i})`,
      })!;
      const returnUrl = `https://bench.kommo.com/api/v4/salesbot/1/continue/${i}`;
      const requestId = salesbot.insertRequest({ accountId: ACCOUNT, leadId, returnUrl, data: {} });
      out.push({
        accountId: ACCOUNT,
        leadId,
        turnKey: `msg:${id}`,
        trigger: { kind: 'message', messageIds: [id], channel: 'salesbot', contactId: 3000, salesbot: { returnUrl, requestId } },
      });
    }
  });
  return out;
}

/** A Kommo API that answers at once: the bench measures our side only. */
const fakeKommo = {
  accountId: ACCOUNT,
  getLead: async (id: number) => leadJson(id),
  updateLead: async (id: number) => ({ id, updated_at: 1 }),
  createTasks: async (ts: unknown[]) => ts.map((_, i) => 4_000_000 + i),
  createNotes: async (ns: unknown[]) => ns.map((_, i) => 6_000_000 + i),
  salesbotContinue: async () => undefined,
} as unknown as KommoApi;
