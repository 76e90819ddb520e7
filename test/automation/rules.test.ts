/**
 * Rules: trigger → conditions → actions, against the real app and the Kommo simulator, with a clock the
 * test moves. Events come in as Kommo sends them (webhooks) or through the same bus the webhook handlers use.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTranslate } from '../../widget/src/i18n.js';
import { activityTitle } from '../../widget/src/ui/activity-text.js';
import { FORM_HEADERS, leadStatusWebhook } from '../fixtures/kommo-webhooks.js';
import { startWorld, type World } from '../helpers/world.js';

let w: World;
afterEach(() => w?.stop());

async function world() {
  w = await startWorld({ seed: { leads: 20, contacts: 10, users: 4 }, simRps: 50, env: { KOMMO_RATE_LIMIT_RPS: '50' } });
  const sales = [...w.sim.state.pipelines.values()].find((p) => p.name === 'Sales')!;
  const stage = (name: string) => sales._embedded.statuses.find((s) => s.name === name)!.id;
  const leads = [...w.sim.state.leads.values()].filter((l) => l.status_id !== 142 && l.status_id !== 143);
  for (const l of leads.slice(0, 12)) w.sim.updateLead(l.id, { pipeline_id: sales.id, status_id: stage('Qualified') });
  await w.installAndSync();
  const secret = (w.p.sqlite.prepare('SELECT webhook_secret AS s FROM accounts').get() as { s: string }).s;
  const account = { id: w.accountId, subdomain: w.sim.subdomain };
  /** A person moves a lead in Kommo, and Kommo's webhook says so (`times` deliveries of the same body). */
  const moved = async (leadId: number, statusId: number, oldStatusId: number, times = 1) => {
    w.sim.tick(1);
    const lead = w.sim.updateLead(leadId, { status_id: statusId });
    const body = leadStatusWebhook(
      { id: leadId, status_id: statusId, old_status_id: oldStatusId, pipeline_id: sales.id, last_modified: lead.updated_at },
      account,
    );
    for (let i = 0; i < times; i++) {
      const res = await w.app.request(`/webhooks/kommo/${secret}`, { method: 'POST', headers: FORM_HEADERS, body });
      if (res.status !== 200) throw new Error(`webhook: ${res.status}`);
    }
  };
  const rule = async (body: Record<string, unknown>) => {
    const r = await w.api('POST', '/api/rules', { name: 'Test rule', ...body });
    if (r.status !== 201) throw new Error(`rule create: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: number; version: number };
  };
  const runs = (ruleId: number) =>
    w.p.sqlite
      .prepare(
        // Every verdict of the rule (one per event, in its event's row) with its run, for one that fired.
        `SELECT e.id, e.lead_id, json_extract(v.value, '$.version') AS version, coalesce(r.status, json_extract(v.value, '$.status')) AS status,
           r.id AS run_id, r.results, e.event_key, e.depth, e.created_at, json_extract(v.value, '$.trace') AS trace
         FROM rule_events e, json_each(e.verdicts) v
         LEFT JOIN rule_runs r ON r.account_id = e.account_id AND r.event_id = e.id AND r.rule_id = json_extract(v.value, '$.ruleId')
         WHERE json_extract(v.value, '$.ruleId') = ? ORDER BY e.id`,
      )
      .all(ruleId) as Record<string, any>[];
  return { sales, stage, leads: leads.slice(0, 12).map((l) => l.id), moved, rule, runs };
}

describe('rules', () => {
  it('fire once per event even when Kommo delivers the event three times, and name the version that fired', async () => {
    const t = await world();
    const r = await t.rule({
      definition: {
        trigger: { type: 'stage_entered', pipelineId: t.sales.id, statusId: t.stage('Proposal sent') },
        actions: [{ type: 'add_tags', tags: ['proposal'] }],
      },
    });
    const leadId = t.leads[0]!;
    await t.moved(leadId, t.stage('Proposal sent'), t.stage('Qualified'), 3);
    await w.drain();
    const runs = t.runs(r.id);
    expect(runs.map((x) => [x.status, x.version])).toEqual([['done', 1]]);
    expect(w.sim.state.leads.get(leadId)!._embedded.tags.map((x) => x.name)).toContain('proposal');
    expect(w.kommoWrites().filter((q) => q.method === 'PATCH' && q.path === `/api/v4/leads/${leadId}`)).toHaveLength(1);
    expect(w.activity('rule.fired').map((a) => a.title)).toEqual([expect.stringContaining('(v1) fired on stage entered')]);
    // The same bus event published again (a replay) is still one run.
    w.p.tx(() =>
      w.p.bus.emit('lead_stage_entered', {
        accountId: w.accountId,
        leadId,
        pipelineId: t.sales.id,
        statusId: t.stage('Proposal sent'),
        source: 'webhook',
        eventKey: runs[0]!.event_key,
      }),
    );
    await w.drain();
    expect(t.runs(r.id)).toHaveLength(1);
  });

  it('an edit makes a new version; runs and the activity feed name the version that fired', async () => {
    const t = await world();
    const r = await t.rule({ definition: { trigger: { type: 'tag_added', tag: 'vip' }, actions: [{ type: 'add_note', text: 'VIP!' }] } });
    const patched = await w.api('PATCH', `/api/rules/${r.id}`, {
      definition: { trigger: { type: 'tag_added', tag: 'vip' }, actions: [{ type: 'add_note', text: 'VIP, call today' }] },
    });
    expect(patched.body.version).toBe(2);
    const seen = w.sim.requests.length;
    w.p.tx(() =>
      w.p.bus.emit('lead_changed', {
        accountId: w.accountId,
        leadId: t.leads[1]!,
        action: 'update',
        prev: { statusId: null, pipelineId: null, responsibleUserId: null, tags: [], fields: {} },
        next: { statusId: null, pipelineId: null, responsibleUserId: null, tags: ['vip'], fields: {} },
        eventKey: 'wh:vip-1',
      }),
    );
    await w.drain();
    expect(t.runs(r.id).map((x) => x.version)).toEqual([2]);
    expect(w.activity('rule.action')[0].title).toBe('Rule action: Note: VIP, call today');
    // A note leaves the lead as the mirror has it: one request to Kommo, no read-back of the lead.
    expect(w.sim.requests.slice(seen).map((q) => `${q.method} ${q.path}`)).toEqual(['POST /api/v4/leads/notes']);
  });

  it('a stage entry arms time_in_stage timers only for the rules waiting in that stage; verdicts that did not fire make one feed entry; an edit counts from the next event', async () => {
    const t = await world();
    const [qualified, proposal] = [t.stage('Qualified'), t.stage('Proposal sent')];
    const tag = { type: 'add_tags', tags: ['stuck'] };
    const waitsHere = await t.rule({ definition: { trigger: { type: 'time_in_stage', minutes: 60, statusId: proposal }, actions: [tag] } });
    await t.rule({ definition: { trigger: { type: 'time_in_stage', minutes: 60, statusId: qualified }, actions: [tag] } });
    await t.rule({ pipelineId: t.sales.id, statusId: qualified, definition: { trigger: { type: 'time_in_stage', minutes: 60 }, actions: [tag] } });
    const note = { type: 'add_note', text: 'Big deal' };
    const big = await t.rule({
      name: 'Big deal',
      definition: { trigger: { type: 'stage_entered' }, conditions: { kind: 'price', op: 'gt', value: 1_000_000_000 }, actions: [note] },
    });
    const huge = await t.rule({
      name: 'Huge deal',
      definition: { trigger: { type: 'stage_entered' }, conditions: { kind: 'price', op: 'gt', value: 2_000_000_000 }, actions: [note] },
    });
    const leadId = t.leads[6]!;
    await t.moved(leadId, proposal, qualified);
    await w.drain();
    const timers = (w.p.sqlite.prepare("SELECT payload FROM jobs WHERE queue = 'rules.timer'").all() as { payload: string }[]).flatMap((j) =>
      JSON.parse(j.payload).rules.map((r: { ruleId: number }) => r.ruleId),
    );
    expect(timers).toEqual([waitsHere.id]);
    const notFired = w.activity('rule.not_fired');
    expect(notFired).toHaveLength(1);
    expect(notFired[0].title).toBe('2 rules did not fire on stage entered: "Big deal" (v1), "Huge deal" (v1)');
    const meta = typeof notFired[0].metadata === 'string' ? JSON.parse(notFired[0].metadata) : notFired[0].metadata;
    expect(meta.ruleIds).toEqual([big.id, huge.id]);
    // Why, with the values compared, is in each rule's history, under the entry's event.
    for (const id of [big.id, huge.id]) {
      const history = await w.api('GET', `/api/rules/${id}/history`);
      expect(history.body.items.map((x: { id: number; trace: { reason: string } }) => [x.id, x.trace.reason])).toEqual([
        [meta.eventId, 'conditions do not hold'],
      ]);
    }
    expect(t.runs(big.id).map((x) => x.status)).toEqual(['skipped']);
    // The engine keeps the rules in memory; an edit is seen by the very next event.
    const patched = await w.api('PATCH', `/api/rules/${big.id}`, { definition: { trigger: { type: 'stage_entered' }, actions: [note] } });
    expect(patched.status).toBe(200);
    await t.moved(leadId, qualified, proposal);
    await w.drain();
    expect(t.runs(big.id).map((x) => [x.status, x.version])).toEqual([
      ['skipped', 1],
      ['done', 2],
    ]);
    // One event, one feed entry: the rule that fired and the one that did not are named in it together.
    expect(w.activity('rule.fired').map((a) => a.title)).toEqual(['2 rules on stage entered: 1 fired ("Big deal" (v2)); 1 did not fire ("Huge deal" (v1))']);
    expect(w.activity('rule.not_fired')).toHaveLength(1);
    // Stored as the trigger and each rule's outcome, so the widget words it in the viewer's language.
    const entry = w.activity('rule.fired')[0];
    const params = typeof entry.params === 'string' ? JSON.parse(entry.params) : entry.params;
    expect(params).toEqual({
      on: 'stage_entered',
      rules: [
        { name: 'Big deal', version: 2, status: 'fired' },
        { name: 'Huge deal', version: 1, status: 'skipped', reason: 'conditions_fail' },
      ],
    });
    const ru = JSON.parse(readFileSync(new URL('../../widget/i18n/ru.json', import.meta.url), 'utf8'));
    const title = activityTitle(createTranslate({ i18n: (key: string) => ru[key] } as never), { type: entry.type, title: entry.title, params });
    expect(title).toContain('Big deal');
    expect(title).not.toMatch(/rules|fired|conditions/i);
  });

  it('a loop of rules stops at the depth limit, with a trace that says so', async () => {
    const t = await world();
    const [s1, s2] = [t.stage('Qualified'), t.stage('Negotiation')];
    const a = await t.rule({
      definition: { trigger: { type: 'stage_entered', statusId: s1 }, actions: [{ type: 'move_stage', pipelineId: t.sales.id, statusId: s2 }] },
    });
    const b = await t.rule({
      definition: { trigger: { type: 'stage_entered', statusId: s2 }, actions: [{ type: 'move_stage', pipelineId: t.sales.id, statusId: s1 }] },
    });
    const leadId = t.leads[2]!;
    await t.moved(leadId, s2, s1);
    await w.drain();
    const all = [...t.runs(a.id), ...t.runs(b.id)].sort((x, y) => x.id - y.id);
    const limited = all.filter((x) => x.status === 'depth_limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]!.depth).toBe(w.p.env.RULES_MAX_DEPTH + 1);
    expect(JSON.parse(limited[0]!.trace).reason).toMatch(/rule actions deep \(limit 5\)/);
    expect(all.filter((x) => x.status === 'done')).toHaveLength(w.p.env.RULES_MAX_DEPTH + 1);
    expect(w.activity('rule.depth_limited')).toHaveLength(1);
  });

  it('no_client_reply_for fires once after the duration, and not when the client answered', async () => {
    const t = await world();
    const r = await t.rule({ definition: { trigger: { type: 'no_client_reply_for', minutes: 60 }, actions: [{ type: 'add_tags', tags: ['silent'] }] } });
    const [quiet, answered] = [t.leads[3]!, t.leads[4]!];
    w.p.tx(() => {
      w.p.bus.emit('message_sent', { accountId: w.accountId, leadId: quiet, channel: 'telegram', by: 'agent', eventKey: 'turn:1' });
      w.p.bus.emit('message_sent', { accountId: w.accountId, leadId: answered, channel: 'telegram', by: 'agent', eventKey: 'turn:2' });
    });
    await w.later(30 * 60_000);
    w.p.tx(() =>
      w.m.conversations.services.conversations.insertMessage({
        accountId: w.accountId,
        leadId: answered,
        contactId: null,
        direction: 'inbound',
        author: 'client',
        channel: 'telegram',
        externalId: 'c-1',
        text: 'Thanks, I will think',
      }),
    );
    expect(t.runs(r.id)).toEqual([]);
    await w.later(31 * 60_000);
    await w.later(24 * 60 * 60_000);
    expect(t.runs(r.id).map((x) => [x.lead_id, x.status])).toEqual([[quiet, 'done']]);
  });

  it('one timer job holds every rule waiting on a stage entry: each fires at its own time, and none after the lead moved on', async () => {
    const t = await world();
    const [qualified, proposal] = [t.stage('Qualified'), t.stage('Proposal sent')];
    const tag = (name: string) => ({ type: 'add_tags', tags: [name] });
    const hour = await t.rule({ definition: { trigger: { type: 'time_in_stage', minutes: 60, statusId: proposal }, actions: [tag('1h')] } });
    const two = await t.rule({ definition: { trigger: { type: 'time_in_stage', minutes: 120, statusId: proposal }, actions: [tag('2h')] } });
    const day = await t.rule({ definition: { trigger: { type: 'time_in_stage', minutes: 24 * 60, statusId: proposal }, actions: [tag('1d')] } });
    const leadId = t.leads[7]!;
    await t.moved(leadId, proposal, qualified);
    await w.drain();
    const timerJobs = () =>
      w.p.sqlite.prepare("SELECT payload, status FROM jobs WHERE queue = 'rules.timer' ORDER BY id").all() as { payload: string; status: string }[];
    expect(timerJobs()).toHaveLength(1);
    expect(JSON.parse(timerJobs()[0]!.payload).rules.map((r: { ruleId: number }) => r.ruleId)).toEqual([hour.id, two.id, day.id]);
    await w.later(61 * 60_000);
    expect(t.runs(hour.id).map((x) => x.status)).toEqual(['done']);
    expect(t.runs(two.id)).toEqual([]);
    await w.later(60 * 60_000);
    expect(t.runs(two.id).map((x) => x.status)).toEqual(['done']);
    // The lead leaves the stage before the day is up: the last rule never fires, and nothing is queued again.
    await t.moved(leadId, qualified, proposal);
    await w.drain();
    await w.later(24 * 60 * 60_000);
    expect(t.runs(day.id)).toEqual([]);
    expect(timerJobs().filter((j) => j.status === 'queued')).toEqual([]);
    const tags = w.sim.state.leads.get(leadId)!._embedded.tags.map((x) => x.name);
    expect(tags).toEqual(expect.arrayContaining(['1h', '2h']));
    expect(tags).not.toContain('1d');
  });

  it('round-robin assignment spreads 9 leads over 3 users as 3/3/3, skipping an inactive user', async () => {
    const t = await world();
    const users = [...w.sim.state.users.values()].map((u) => u.id);
    const inactive = users[3]!;
    const r = await t.rule({
      definition: {
        trigger: { type: 'tag_added', tag: 'inbound' },
        actions: [{ type: 'assign', userIds: [users[0], users[1], inactive, users[2]] }],
        perLeadPerHour: 5,
      },
    });
    // Deactivated in Kommo after the rule was made: the next sync marks the user inactive.
    w.sim.state.users.get(inactive)!.rights.is_active = false;
    await w.api('POST', '/api/integrations/sync');
    await w.drain();
    for (const [i, leadId] of t.leads.slice(0, 9).entries()) {
      w.p.tx(() =>
        w.p.bus.emit('lead_changed', {
          accountId: w.accountId,
          leadId,
          action: 'update',
          prev: { statusId: null, pipelineId: null, responsibleUserId: null, tags: [], fields: {} },
          next: { statusId: null, pipelineId: null, responsibleUserId: null, tags: ['inbound'], fields: {} },
          eventKey: `wh:rr-${i}`,
        }),
      );
      await w.drain();
    }
    expect(t.runs(r.id).filter((x) => x.status === 'done')).toHaveLength(9);
    const byUser = new Map<number, number>();
    for (const leadId of t.leads.slice(0, 9)) {
      const u = w.sim.state.leads.get(leadId)!.responsible_user_id;
      byUser.set(u, (byUser.get(u) ?? 0) + 1);
    }
    expect([...byUser.entries()].sort()).toEqual([users[0], users[1], users[2]].map((u) => [u, 3]).sort());
  });

  it('a dry run explains its verdict with the values it compared, and writes nothing', async () => {
    const t = await world();
    const leadId = t.leads[5]!;
    const lead = w.m.mirror.services.read.lead(w.accountId, leadId)!;
    const r = await t.rule({
      definition: {
        trigger: { type: 'stage_entered' },
        conditions: {
          all: [
            { kind: 'price', op: 'gt', value: 1_000_000_000 },
            { kind: 'stage', pipelineId: t.sales.id },
          ],
        },
        actions: [{ type: 'add_note', text: 'Big deal' }],
      },
    });
    const before = { writes: w.kommoWrites().length, runs: t.runs(r.id).length, activity: w.activity().length };
    const dry = await w.api('POST', `/api/rules/${r.id}/test`, { leadId });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      verdict: 'would_not_fire',
      reason: 'conditions do not hold',
      trigger: { ok: true },
      conditions: {
        check: 'all of',
        ok: false,
        children: [
          { check: 'price gt', ok: false, actual: lead.price, expected: 1_000_000_000 },
          { check: 'stage', ok: true },
        ],
      },
      actions: [],
    });
    expect({ writes: w.kommoWrites().length, runs: t.runs(r.id).length, activity: w.activity().length }).toEqual(before);
  });

  it('refuses a rule that names a stage or field that does not exist, or an unsafe pattern, naming the field', async () => {
    await world();
    const r = await w.api('POST', '/api/rules', {
      name: 'Bad',
      definition: { trigger: { type: 'message_received', regex: '(a+)+$' }, actions: [{ type: 'move_stage', pipelineId: 1, statusId: 2 }] },
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['definition.trigger.regex', 'definition.actions.0']);
    // Each with a code (and its values) the widget words in the user's language.
    expect(r.body.errors.map((e: { code: string; vars?: unknown }) => [e.code, e.vars])).toEqual([
      ['regex_unsafe', undefined],
      ['pipeline_missing', { id: 1 }],
    ]);
  });
});
