import { isIP } from 'node:net';
import { classifyAddress } from '../../lib/net-guard.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { CronError, nextCronAt, parseCron } from '../../lib/cron.js';
import { AppError, type FieldError, notFound } from '../../lib/errors.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit, AuditAction } from '../activity/audit.js';
import { catalogChecker } from '../mirror/catalog-check.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { RuleEvent, RulesEngine } from './rules.engine.js';
import { expandTrace } from './rules.match.js';
import type { LoadedRule, RulesRepo } from './rules.repo.js';
import type { Condition, CreateRuleInput, PatchRuleInput, RuleDefinition } from './rules.schemas.js';

export const RULE_SCHEDULE_QUEUE = 'rules.schedule';

export interface RulesServiceDeps {
  clock: Clock;
  tx<T>(fn: () => T): T;
  /** Bring the account's rules history index (and feed) up to date: reads of the history and counts call it first. */
  catchUp(accountId: number): void;
  queue: JobQueue;
  repo: RulesRepo;
  engine: RulesEngine;
  crm: MirrorReadRepo;
  activity: ActivityService;
  audit: Pick<Audit, 'change'>;
  timezone(accountId: number): string;
  /** Does a template / a sequence exist in this account (for references in actions). */
  exists: { template(accountId: number, id: number): boolean; sequence(accountId: number, id: number): boolean };
  /** The operator's switch (RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS): webhooks may use http:// and private hosts. */
  webhooksAllowPrivate: boolean;
}

/**
 * What is wrong with a webhook URL that can be told without DNS: the scheme, credentials, and an address
 * literal that is not public. Names are checked again, resolved, when the webhook is sent.
 */
function webhookUrlProblem(raw: string, allowPrivate: boolean): Omit<FieldError, 'field'> | null {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return { message: 'must be an https:// URL', code: 'url_https' };
  if (url.username || url.password) return { message: 'must not contain a user name or password', code: 'url_credentials' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const cls = classifyAddress(host);
    const privateOk = allowPrivate && cls !== 'metadata' && cls !== 'multicast' && cls !== 'unspecified' && cls !== 'reserved';
    if (cls !== 'public' && !privateOk) return { message: `must be a public address (${host} is a ${cls} address)`, code: 'url_private', vars: { host } };
  }
  return null;
}

/** A pattern that can backtrack catastrophically on client text: a quantified group that itself repeats. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

type Rule = ReturnType<typeof toDto>;
const toDto = (r: LoadedRule) => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  pipelineId: r.pipelineId,
  statusId: r.statusId,
  version: r.version,
  definition: r.definition,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});
export type RuleDto = ReturnType<typeof toDto>;

export function createRulesService(d: RulesServiceDeps) {
  /** A write to the rules: caches see the change even when the transaction rolled back after the repository bumped its counter. */
  const write = <T>(accountId: number, fn: () => T): T => {
    try {
      return d.tx(fn);
    } finally {
      d.repo.bump(accountId);
    }
  };
  /** Check references against the account's real stages, fields, users, templates and sequences; refuse unsafe patterns. */
  function check(accountId: number, def: RuleDefinition, scope: { pipelineId: number | null; statusId: number | null }): FieldError[] {
    const { errors, stage, field, user } = catalogChecker(d.crm.catalog(accountId));
    stage(scope.pipelineId ?? undefined, scope.statusId ?? undefined, 'pipelineId');
    const t = def.trigger;
    if ('pipelineId' in t || 'statusId' in t) stage(t.pipelineId, t.statusId, 'definition.trigger');
    if (t.type === 'field_changed') field(t.fieldId, 'definition.trigger.fieldId');
    if (t.type === 'message_received' && t.regex) {
      try {
        new RegExp(t.regex, 'iu');
        if (NESTED_QUANTIFIER.test(t.regex) || /\\\d/.test(t.regex))
          errors.push({
            field: 'definition.trigger.regex',
            message: 'nested repetition and back-references are not allowed (they can stall on long messages)',
            code: 'regex_unsafe',
          });
      } catch (err) {
        errors.push({ field: 'definition.trigger.regex', message: `not a valid regular expression: ${(err as Error).message}`, code: 'regex_invalid' });
      }
    }
    if (t.type === 'schedule') {
      try {
        parseCron(t.cron);
      } catch (err) {
        errors.push({ field: 'definition.trigger.cron', message: err instanceof CronError ? err.message : String(err), code: 'cron_invalid' });
      }
    }
    const walk = (c: Condition | undefined, at: string) => {
      if (!c) return;
      if ('all' in c) {
        for (const [i, x] of c.all.entries()) walk(x, `${at}.all.${i}`);
        return;
      }
      if ('any' in c) {
        for (const [i, x] of c.any.entries()) walk(x, `${at}.any.${i}`);
        return;
      }
      if (c.kind === 'stage') for (const s of c.statusIds ?? [undefined]) stage(c.pipelineId, s, at);
      if (c.kind === 'field') field(c.fieldId, `${at}.fieldId`);
      if (c.kind === 'responsible') for (const u of c.userIds) user(u, `${at}.userIds`);
    };
    walk(def.conditions, 'definition.conditions');
    for (const [i, a] of def.actions.entries()) {
      const at = `definition.actions.${i}`;
      if (a.type === 'move_stage') stage(a.pipelineId, a.statusId, at);
      if (a.type === 'set_field') field(a.fieldId, `${at}.fieldId`);
      if (a.type === 'assign') for (const u of a.userIds) user(u, `${at}.userIds`);
      if (a.type === 'notify_user' && a.userId) user(a.userId, `${at}.userId`);
      if (a.type === 'create_task' && a.responsibleUserId) user(a.responsibleUserId, `${at}.responsibleUserId`);
      if (a.type === 'send_email' && !d.exists.template(accountId, a.templateId))
        errors.push({
          field: `${at}.templateId`,
          message: `email template ${a.templateId} does not exist`,
          code: 'template_missing',
          vars: { id: a.templateId },
        });
      if ((a.type === 'start_sequence' || (a.type === 'stop_sequence' && a.sequenceId)) && !d.exists.sequence(accountId, a.sequenceId!))
        errors.push({ field: `${at}.sequenceId`, message: `sequence ${a.sequenceId} does not exist`, code: 'sequence_missing', vars: { id: a.sequenceId! } });
      if (a.type === 'call_webhook') {
        const problem = webhookUrlProblem(a.url, d.webhooksAllowPrivate);
        if (problem) errors.push({ field: `${at}.url`, ...problem });
      }
    }
    return errors;
  }

  const refuse = (errors: FieldError[]) => {
    if (errors.length)
      throw new AppError(
        'VALIDATION_FAILED',
        `The rule refers to something that does not exist or is unsafe: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        { errors },
      );
  };

  /** A schedule trigger's next run, queued once per slot. */
  function schedule(rule: LoadedRule) {
    if (rule.definition.trigger.type !== 'schedule' || !rule.enabled) return;
    const at = nextCronAt(parseCron(rule.definition.trigger.cron), d.timezone(rule.accountId), d.clock.now());
    if (at === null) return;
    d.queue.enqueue({
      queue: RULE_SCHEDULE_QUEUE,
      accountId: rule.accountId,
      payload: { ruleId: rule.id, version: rule.version, slot: at },
      idempotencyKey: `rule-schedule:${rule.accountId}:${rule.id}:${rule.version}:${at}`,
      runAt: at,
    });
  }

  const audit = (accountId: number, userId: number | null, action: AuditAction, before: Rule | null, after: Rule | null) => {
    const r = (after ?? before)!;
    d.audit.change({ accountId, userId, entity: 'rule', action, id: r.id, name: r.name, before, after });
  };

  return {
    schedule,
    list: (accountId: number) => {
      d.catchUp(accountId);
      const counts = new Map(d.repo.counts(accountId).map((c) => [c.ruleId, c]));
      return d.repo.list(accountId).map((r) => ({ ...toDto(r), stats: { evaluated: counts.get(r.id)?.evaluated ?? 0, fired: counts.get(r.id)?.fired ?? 0 } }));
    },
    get(accountId: number, id: number) {
      const r = d.repo.get(accountId, id);
      if (!r) throw notFound(`Rule ${id}`);
      return toDto(r);
    },
    create(accountId: number, input: CreateRuleInput, userId: number | null) {
      refuse(check(accountId, input.definition, input));
      return write(accountId, () => {
        const id = d.repo.insert(accountId, input, userId, d.clock.now());
        const rule = d.repo.get(accountId, id)!;
        schedule(rule);
        const dto = toDto(rule);
        audit(accountId, userId, 'created', null, dto);
        return dto;
      });
    },
    update(accountId: number, id: number, patch: PatchRuleInput, userId: number | null) {
      const current = d.repo.get(accountId, id);
      if (!current) throw notFound(`Rule ${id}`);
      const def = patch.definition ?? current.definition;
      refuse(
        check(accountId, def, {
          pipelineId: patch.pipelineId === undefined ? current.pipelineId : patch.pipelineId,
          statusId: patch.statusId === undefined ? current.statusId : patch.statusId,
        }),
      );
      return write(accountId, () => {
        d.repo.update(accountId, current, patch, userId, d.clock.now());
        const rule = d.repo.get(accountId, id)!;
        schedule(rule);
        const dto = toDto(rule);
        audit(accountId, userId, 'updated', toDto(current), dto);
        return dto;
      });
    },
    remove(accountId: number, id: number, userId: number | null) {
      const current = d.repo.get(accountId, id);
      if (!current) throw notFound(`Rule ${id}`);
      write(accountId, () => {
        d.repo.remove(accountId, id, d.clock.now());
        audit(accountId, userId, 'deleted', toDto(current), null);
      });
    },
    history(accountId: number, id: number, limit: number) {
      if (!d.repo.get(accountId, id)) throw notFound(`Rule ${id}`);
      d.catchUp(accountId);
      // Traces are stored as observed: their checks and expected values come from the version judged.
      const fields = d.crm.leadFields(accountId);
      const versions = new Map<number, RuleDefinition | undefined>();
      const judgedBy = (version: number) => {
        if (!versions.has(version)) versions.set(version, d.repo.atVersion(accountId, id, version)?.definition);
        return versions.get(version);
      };
      return d.repo.history(accountId, id, limit).map((r) => ({
        id: r.id,
        runId: r.runId,
        version: r.version,
        leadId: r.leadId,
        eventKey: r.eventKey,
        depth: r.depth,
        status: r.status,
        trace: expandTrace(r.trace, judgedBy(r.version), fields),
        results: r.results,
        createdAt: new Date(r.createdAt).toISOString(),
      }));
    },

    /**
     * The dry run: what the rule would do for this lead right now — the trigger it would react to (built
     * from the lead's current state), the scope, every condition with the values compared, and the actions.
     * It writes nothing.
     */
    dryRun(accountId: number, id: number, leadId: number, message?: string) {
      const rule = d.repo.get(accountId, id);
      if (!rule) throw notFound(`Rule ${id}`);
      const lead = d.crm.lead(accountId, leadId);
      if (!lead) throw notFound(`Lead ${leadId}`);
      const t = rule.definition.trigger;
      const event: RuleEvent = {
        accountId,
        leadId,
        type: t.type,
        key: 'dry-run',
        depth: 0,
        data: {
          pipelineId: lead.pipelineId,
          statusId: lead.statusId,
          prevPipelineId: t.type === 'stage_left' ? (t.pipelineId ?? lead.pipelineId) : null,
          prevStatusId: t.type === 'stage_left' ? (t.statusId ?? lead.statusId) : null,
          fieldIds: t.type === 'field_changed' ? [t.fieldId] : undefined,
          tags: t.type === 'tag_added' ? (t.tag ? [t.tag] : lead.tags) : undefined,
          text: message,
          channel: t.type === 'message_received' ? (t.channels?.[0] ?? 'chat') : undefined,
          ruleId: rule.id,
          version: rule.version,
        },
      };
      const v = d.engine.judge(rule, event, d.engine.facts(event));
      return {
        ruleId: rule.id,
        version: rule.version,
        leadId,
        verdict: v.fires ? ('would_fire' as const) : ('would_not_fire' as const),
        reason: v.trace.reason,
        trigger: v.trace.trigger,
        scope: v.trace.scope,
        conditions: v.trace.conditions ?? null,
        actions: v.fires ? rule.definition.actions : [],
      };
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;
