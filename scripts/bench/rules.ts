import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from '../../server/env.js';
import { EventBus } from '../../server/lib/bus.js';
import { manualClock } from '../../server/lib/clock.js';
import type { BusEventName, BusEvents } from '../../server/lib/events.js';
import type { LlmClient } from '../../server/llm/llm.types.js';
import { createModules } from '../../server/modules.js';
import type { Condition, CreateRuleInput, RuleAction, Trigger } from '../../server/modules/rules/rules.schemas.js';
import { closePlatform, createPlatform, type Platform } from '../../server/platform.js';
import { seedAccount } from '../../test/helpers/seeds.js';
import { fmt, scenarioInChild } from './lib.js';
import type { Scenario } from './types.js';

const ACCOUNTS = [1, 2];
/** Four pipelines of ten stages: a realistic account with 500 rules spreads them over its stages. */
const PIPELINES = [10, 11, 12, 13];
const STAGES_OF = new Map(PIPELINES.map((p) => [p, Array.from({ length: 10 }, (_, i) => p * 100 + i)]));
const ALL_STAGES = PIPELINES.flatMap((p) => STAGES_OF.get(p)!.map((statusId) => ({ pipelineId: p, statusId })));
const USERS = [7, 8, 9, 11];
const LEADS_PER_ACCOUNT = 1000;
const F_PRODUCT = 500;
const F_BUDGET = 501;
const F_SOURCE = 502;
const SOURCES = [
  { id: 5021, value: 'Website' },
  { id: 5022, value: 'Referral' },
  { id: 5023, value: 'Ads' },
];
const TAGS = ['vip', 'hot', 'cold', 'partner', 'renewal', 'demo', 'follow-up', 'priority'];

type Event = { [K in BusEventName]: { name: K; payload: BusEvents[K] } }[BusEventName];
type Modules = ReturnType<typeof createModules>;

/**
 * Rule evaluation: 500 rules per account (every trigger type, scoped and unscoped, with field, tag,
 * price, responsible, working-hours and agent conditions in all/any groups), and a mix of lead, stage,
 * message and task events published on the real bus as the webhook
 * processing job publishes them (group-committed, WORKER_CONCURRENCY at a time), through the real rules
 * engine on a migrated SQLite file. Baseline, same run and database: the same events, the same group
 * commits, on a bus whose only subscriber does nothing.
 */
export async function rulesScenario(rulesPerAccount = 500, events = 12_000): Promise<Scenario[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
  const env = parseEnv({ DATABASE_PATH: join(dir, 'app.db'), ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'silent' });
  // The bench's own clock, a Wednesday at 10:00 UTC (so working-hours conditions judge the same every run),
  // a millisecond per group commit, and an hour between rounds: each round's leads have the same recent
  // history as the first's for the per-lead hourly limit (2,000 leads take 12,000 events a round).
  const clock = manualClock(Date.UTC(2026, 0, 7, 10, 0, 0));
  const p = createPlatform(env, { clock });
  try {
    const llm: LlmClient = {
      configured: false,
      chat: async () => ({ content: 'other', toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 }, model: 'none' }),
    };
    const m = createModules(p, { llm });
    for (const accountId of ACCOUNTS) seed(p, m, accountId);
    const rules = m.rules.services.rules;
    for (const accountId of ACCOUNTS) {
      const r = rng(42);
      for (let i = 0; i < rulesPerAccount; i++) rules.create(accountId, ruleAt(i, r), null);
    }
    const messageIds = new Map<number, number[]>(ACCOUNTS.map((a) => [a, insertMessages(p, m, a, 200)]));

    const warmup = makeEvents(2_000, messageIds, 0);
    // As the webhook processing job publishes: each event in its own savepoint of a group commit, as many
    // at once as the worker runs jobs (WORKER_CONCURRENCY).
    let cpuUs = 0;
    const deliver = async (bus: EventBus, list: Event[]) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < list.length; i += env.WORKER_CONCURRENCY) {
        clock.advance(1);
        await Promise.all(list.slice(i, i + env.WORKER_CONCURRENCY).map((e) => p.groupTx(() => bus.emit(e.name, e.payload as never))));
      }
      const cpu = process.cpuUsage(cpu0);
      cpuUs = cpu.user + cpu.system;
      return performance.now() - t0;
    };
    /**
     * The events' feed entries and history index, written after the fact in batches (as the feed's and the
     * history's readers and the catch-up job write them): timed too, and counted in the figure.
     */
    const catchUp = () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const accountId of ACCOUNTS) m.activity.services.activity.sync(accountId);
      const cpu = process.cpuUsage(cpu0);
      return { ms: performance.now() - t0, cpuUs: cpu.user + cpu.system };
    };
    await deliver(p.bus, warmup);
    catchUp();
    const verdictsBefore = count(p, VERDICTS);
    const activityBefore = count(p, 'SELECT count(*) AS n FROM activity_logs');
    const jobsBefore = count(p, "SELECT count(*) AS n FROM jobs WHERE queue LIKE 'rules.%'");
    const firedBefore = count(p, FIRED);
    // Rounds of new events (a round is two seconds or so, and this machine's speed moves within seconds):
    // the figure is the median round of five, every round is printed.
    const rounds: { evPerSec: number; usPerEvent: number; catchUpUs: number; cpuUs: number }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      clock.advance(3_600_000);
      const measured = makeEvents(events, messageIds, r);
      const deliverMs = await deliver(p.bus, measured);
      const deliverCpuUs = cpuUs;
      const after = catchUp();
      const ms = deliverMs + after.ms;
      rounds.push({
        evPerSec: measured.length / (ms / 1000),
        usPerEvent: (ms * 1000) / measured.length,
        catchUpUs: (after.ms * 1000) / measured.length,
        cpuUs: (deliverCpuUs + after.cpuUs) / measured.length,
      });
    }
    const n = events * ROUNDS;
    const verdicts = count(p, VERDICTS) - verdictsBefore;
    const fired = count(p, FIRED) - firedBefore;
    const activity = count(p, 'SELECT count(*) AS n FROM activity_logs') - activityBefore;
    const jobs = count(p, "SELECT count(*) AS n FROM jobs WHERE queue LIKE 'rules.%'") - jobsBefore;

    // Baseline: the bare bus, one no-op subscriber per event name, the same transactions, the same rounds.
    const bare = new EventBus();
    for (const name of ['lead_changed', 'lead_stage_entered', 'message_received', 'task_changed', 'message_sent'] as const) bare.on(name, () => undefined);
    await deliver(bare, warmup);
    const bareRounds: { evPerSec: number; cpuUs: number }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const measured = makeEvents(events, messageIds, r);
      const ms = await deliver(bare, measured);
      bareRounds.push({ evPerSec: measured.length / (ms / 1000), cpuUs: cpuUs / measured.length });
    }

    const mid = median(rounds, (r) => r.evPerSec);
    const bareMid = median(bareRounds, (r) => r.evPerSec);
    return [
      {
        name: `rules: events/s, ${rulesPerAccount} rules per account × ${ACCOUNTS.length} accounts`,
        value: mid.evPerSec,
        unit: 'events/s',
        baseline: bareMid.evPerSec,
        baselineName: 'bare bus dispatch events/s, same group commits',
        target: '≥ 5,000 events/s',
        pass: mid.evPerSec >= 5000,
        extra: {
          events_per_round: events,
          rounds: rounds.map((r) => fmt(r.evPerSec, 0)).join(' / '),
          verdicts_per_event: fmt(verdicts / n, 2),
          activity_rows_per_event: fmt(activity / n, 2),
          rule_jobs_per_event: fmt(jobs / n, 2),
          fired_per_event: fmt(fired / n, 2),
          us_per_event: fmt(mid.usPerEvent, 0),
          // Of which: writing the feed entries and history index afterwards, in batches.
          catch_up_us_per_event: fmt(mid.catchUpUs, 0),
          // CPU time moves less than wall time when others share the machine: compare runs by these.
          cpu_us_per_event: fmt(mid.cpuUs, 0),
          bare_cpu_us_per_event: fmt(bareMid.cpuUs, 1),
        },
      },
    ];
  } finally {
    if (process.env.BENCH_KEEP_DB) console.error(`kept ${dir}`);
    closePlatform(p);
  }
}

/** Measured rounds; the figure is the median one. */
const ROUNDS = 5;
const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)]!;

/** The scenario in a process of its own (`npm run bench` runs it so). */
export const rulesInChild = (): Promise<Scenario[]> => scenarioInChild('scripts/bench/rules.ts', 'rules');

const count = (p: Platform, sql: string) => (p.sqlite.prepare(sql).get() as { n: number }).n;
/** Every verdict is in its event's row (runs are made when a fired rule's job starts). */
const VERDICTS = 'SELECT coalesce(sum(json_array_length(verdicts)), 0) AS n FROM rule_events';
const FIRED = "SELECT count(*) AS n FROM rule_events e, json_each(e.verdicts) v WHERE json_extract(v.value, '$.status') = 'fired'";

/** A deterministic pseudo-random sequence, so every run evaluates the same events. */
function rng(seed: number) {
  let s = Math.imul(seed + 1, 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** How often each trigger appears among an account's rules: most react to stages, messages and field changes. */
const TRIGGER_MIX: [Trigger['type'], number][] = [
  ['stage_entered', 25],
  ['time_in_stage', 10],
  ['stage_left', 5],
  ['field_changed', 10],
  ['tag_added', 8],
  ['message_received', 15],
  ['no_client_reply_for', 5],
  ['task_created', 3],
  ['task_completed', 3],
  ['responsible_changed', 3],
  ['lead_created', 5],
  ['email_received', 3],
  ['call_missed', 2],
  ['task_overdue', 2],
  ['schedule', 1],
];
const TRIGGER_WHEEL = TRIGGER_MIX.flatMap(([t, w]) => Array.from({ length: w }, () => t));

/**
 * Rule `i` of an account: triggers in TRIGGER_MIX's proportions; nine in ten are scoped to one stage (rules
 * live per pipeline stage), the rest apply to the whole account; three in four have conditions.
 */
function ruleAt(i: number, r: () => number): CreateRuleInput {
  const { pipelineId, statusId } = ALL_STAGES[i % ALL_STAGES.length]!;
  const scoped = i % 10 !== 0;
  const type = TRIGGER_WHEEL[Math.floor(r() * TRIGGER_WHEEL.length)]!;
  const stageFilter = scoped ? {} : r() < 0.5 ? { pipelineId, statusId } : {};
  const trigger: Trigger =
    type === 'stage_entered' || type === 'stage_left'
      ? { type, ...stageFilter }
      : type === 'time_in_stage'
        ? { type, minutes: 60 * (1 + (i % 48)), ...stageFilter }
        : type === 'no_client_reply_for'
          ? { type, minutes: 60 * (1 + (i % 72)) }
          : type === 'field_changed'
            ? { type, fieldId: pick(r, [F_PRODUCT, F_BUDGET, F_SOURCE]) }
            : type === 'tag_added'
              ? { type, tag: pick(r, TAGS) }
              : type === 'message_received'
                ? r() < 0.6
                  ? { type, keywords: ['price', 'demo', 'discount'] }
                  : { type, regex: `order\\s*#?\\d{${3 + (i % 3)},}`, channels: ['telegram', 'whatsapp'] }
                : type === 'schedule'
                  ? { type, cron: '0 9 * * 1-5' }
                  : ({ type } as Trigger);
  const leaves: Condition[] = [
    { kind: 'field', fieldId: F_BUDGET, op: 'gt', value: Math.floor(r() * 5000) },
    { kind: 'field', fieldId: F_SOURCE, op: 'in', values: ['Website', 'Referral'] },
    { kind: 'field', fieldId: F_PRODUCT, op: 'contains', value: 'crm' },
    { kind: 'field', fieldId: F_BUDGET, op: 'between', min: 1000, max: 4000 },
    { kind: 'tags', op: r() < 0.5 ? 'has' : 'lacks', tag: pick(r, TAGS) },
    { kind: 'price', op: 'between', value: 500, max: 5000 },
    { kind: 'responsible', op: 'in', userIds: [pick(r, USERS), pick(r, USERS)] },
    { kind: 'working_hours', inside: r() < 0.5 },
    { kind: 'agent', state: 'active' },
    { kind: 'stage', pipelineId, statusIds: [statusId, STAGES_OF.get(pipelineId)![0]!] },
  ];
  const shape = Math.floor(r() * 4);
  const conditions: Condition | undefined =
    shape === 0
      ? undefined
      : shape === 1
        ? pick(r, leaves)
        : shape === 2
          ? { all: [pick(r, leaves), pick(r, leaves)] }
          : { any: [pick(r, leaves), { all: [pick(r, leaves), pick(r, leaves)] }] };
  const actions: RuleAction[][] = [
    [{ type: 'add_tags', tags: [pick(r, TAGS)] }],
    [{ type: 'add_note', text: `Rule ${i}: check this lead` }],
    [{ type: 'create_task', text: `Call back (rule ${i})`, dueInHours: 4 }],
    [{ type: 'set_field', fieldId: F_PRODUCT, value: 'CRM setup' }],
    [{ type: 'assign', userIds: USERS }],
  ];
  return {
    name: `Bench rule ${i}`,
    enabled: true,
    pipelineId: scoped ? pipelineId : null,
    statusId: scoped ? statusId : null,
    definition: { trigger, conditions, actions: pick(r, actions), perLeadPerHour: 10 },
  };
}

const leadId = (accountId: number, n: number) => accountId * 100_000 + n;
/** Where lead `n` sits (the mirror has it there, and its stage events say it entered that stage). */
const placeOf = (n: number) => ALL_STAGES[(n * 7) % ALL_STAGES.length]!;

/** Events as the webhook handlers publish them, with unique keys (no redelivery shortcut). */
function makeEvents(n: number, messageIds: Map<number, number[]>, seed: number): Event[] {
  const r = rng(seed * 7919 + 17);
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = pick(r, ACCOUNTS);
    const n = Math.floor(r() * LEADS_PER_ACCOUNT);
    const lead = leadId(accountId, n);
    const place = placeOf(n);
    const eventKey = `bench:${seed}:${i}`;
    const kind = r();
    if (kind < 0.35) {
      const from = pick(
        r,
        ALL_STAGES.filter((s) => s.statusId !== place.statusId),
      );
      out.push({
        name: 'lead_stage_entered',
        payload: { accountId, leadId: lead, ...place, prevPipelineId: from.pipelineId, prevStatusId: from.statusId, source: 'webhook', eventKey },
      });
    } else if (kind < 0.65) {
      const prev = snapshot(r, place);
      const next = { ...prev, tags: [...prev.tags], fields: { ...prev.fields } };
      const change = r();
      if (change < 0.4) next.fields[pick(r, [F_PRODUCT, F_BUDGET, F_SOURCE])] = String(Math.floor(r() * 9000));
      else if (change < 0.8)
        next.tags.push(
          pick(
            r,
            TAGS.filter((t) => !prev.tags.includes(t)),
          ),
        );
      else
        next.responsibleUserId = pick(
          r,
          USERS.filter((u) => u !== prev.responsibleUserId),
        );
      out.push({ name: 'lead_changed', payload: { accountId, leadId: lead, action: r() < 0.1 ? 'add' : 'update', prev, next, eventKey } });
    } else if (kind < 0.9) {
      const ids = messageIds.get(accountId)!;
      const channel = pick(r, ['telegram', 'whatsapp', 'email', 'instagram']);
      out.push({ name: 'message_received', payload: { accountId, leadId: lead, contactId: null, messageIds: [pick(r, ids)], channel, eventKey } });
    } else {
      out.push({
        name: 'task_changed',
        payload: {
          accountId,
          leadId: lead,
          taskId: 900_000 + i,
          action: r() < 0.6 ? 'add' : 'update',
          responsibleUserId: 7,
          text: 'Call the client',
          completeTill: null,
          completed: r() < 0.3,
          wasCompleted: false,
          eventKey,
        },
      });
    }
  }
  return out;
}

function snapshot(r: () => number, place: { pipelineId: number; statusId: number }) {
  return {
    ...place,
    responsibleUserId: pick(r, USERS),
    tags: TAGS.filter(() => r() < 0.2),
    fields: { [F_PRODUCT]: 'CRM setup', [F_BUDGET]: String(Math.floor(r() * 9000)), [F_SOURCE]: pick(r, SOURCES).value } as Record<number, string>,
  };
}

function seed(p: Platform, modules: Modules, accountId: number) {
  const now = Date.now();
  const m = modules.mirror.services.mirror;
  p.tx(() => {
    seedAccount({ p, m: modules }, { id: accountId, subdomain: `bench${accountId}`, name: `Bench ${accountId}`, webhookSecret: `secret${accountId}` });
    m.upsertUsers(accountId, USERS.map((id) => ({ id, name: `User ${id}`, email: `u${id}@bench.example` })) as never, now);
    m.upsertPipelines(
      accountId,
      PIPELINES.map((id, sort) => ({
        id,
        name: `Pipeline ${id}`,
        sort,
        _embedded: { statuses: [...STAGES_OF.get(id)!, 142, 143].map((sid, i) => ({ id: sid, name: `Stage ${sid}`, sort: i, pipeline_id: id })) },
      })) as never,
      now,
    );
    m.upsertFields(
      accountId,
      'leads',
      [
        { id: F_PRODUCT, name: 'Product', code: 'PRODUCT', type: 'text' },
        { id: F_BUDGET, name: 'Budget', code: 'BUDGET', type: 'numeric' },
        { id: F_SOURCE, name: 'Source', code: 'SOURCE', type: 'select', enums: SOURCES.map((e, sort) => ({ ...e, sort })) },
      ] as never,
      now,
    );
    const r = rng(accountId);
    m.upsertLeads(
      accountId,
      Array.from({ length: LEADS_PER_ACCOUNT }, (_, i) => ({
        id: leadId(accountId, i),
        name: `Lead ${i}`,
        price: Math.floor(r() * 8000),
        responsible_user_id: pick(r, USERS),
        status_id: placeOf(i).statusId,
        pipeline_id: placeOf(i).pipelineId,
        created_at: 1,
        updated_at: 1,
        custom_fields_values: [
          { field_id: F_PRODUCT, field_code: 'PRODUCT', values: [{ value: pick(r, ['CRM setup', 'Consulting', 'Support plan']) }] },
          { field_id: F_BUDGET, field_code: 'BUDGET', values: [{ value: String(Math.floor(r() * 9000)) }] },
          { field_id: F_SOURCE, field_code: 'SOURCE', values: [{ ...pick(r, SOURCES), enum_id: pick(r, SOURCES).id }] },
        ],
        _embedded: { tags: TAGS.filter(() => r() < 0.2).map((name, id) => ({ id, name })), contacts: [] },
      })) as never,
      now,
    );
  });
}

/** Client messages for message_received events (the engine reads their text). */
function insertMessages(p: Platform, m: Modules, accountId: number, n: number): number[] {
  const texts = [
    'Hi, what is the price for the annual plan?',
    'Can we book a demo next week?',
    'Where is my order #48213?',
    'Thanks, talk soon',
    'Is there a discount for nonprofits?',
    'Please call me back tomorrow morning',
  ];
  const ids: number[] = [];
  p.tx(() => {
    for (let i = 0; i < n; i++) {
      const id = m.conversations.services.conversations.insertMessage({
        accountId,
        leadId: leadId(accountId, i % LEADS_PER_ACCOUNT),
        contactId: null,
        direction: 'inbound',
        author: 'client',
        channel: 'telegram',
        externalId: `bench-rules-${accountId}-${i}`,
        text: texts[i % texts.length]!,
      });
      if (id !== null) ids.push(id);
    }
  });
  return ids;
}

if (process.argv.includes('--child') && import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(JSON.stringify(await rulesScenario()));
}
