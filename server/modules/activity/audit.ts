import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { Logger } from 'pino';
import type { ActivityService } from './activity.service.js';
import { describeChanges, diffConfig, type FieldChange, secretFieldsIn } from './audit.diff.js';

export type AuditEntity =
  | 'agent'
  | 'binding'
  | 'script'
  | 'knowledge'
  | 'template'
  | 'mail_settings'
  | 'notifications'
  | 'budget'
  | 'rule'
  | 'sequence'
  | 'language';
export type AuditAction = 'created' | 'updated' | 'deleted';

export const AUDIT_TYPE = 'config.changed';

const ENTITY_NAMES: Record<AuditEntity, string> = {
  agent: 'Agent',
  binding: 'Stage binding',
  script: 'Script',
  knowledge: 'Knowledge entry',
  template: 'Email template',
  mail_settings: 'Mailbox settings',
  notifications: 'Notification settings',
  budget: 'AI budget',
  rule: 'Rule',
  sequence: 'Sequence',
  language: 'Account language',
};
const ACTION_NAMES: Record<AuditAction, string> = { created: 'created', updated: 'changed', deleted: 'deleted' };

export interface AuditSpec {
  entity: AuditEntity;
  /** The object as it is before the change (null when there is none, e.g. on create). */
  before?: (c: Context<AppEnv>, accountId: number) => unknown;
  /** The object after the change, from the route's JSON answer; default: the answer itself. */
  after?: (answer: unknown) => unknown;
  /** The same view of either side, when the answer and the stored object differ in shape (e.g. a list keyed by stage). */
  view?: (x: unknown) => unknown;
}

/**
 * The configuration audit: a route middleware that records one activity entry per successful change,
 * saying who did it, what changed and a short diff, never a secret's value. It wraps the route rather
 * than the service so every configuration route is audited the same way, and reads "before" through
 * the module's own service (SQL stays in the repositories).
 */
export function createAudit(deps: {
  activity: ActivityService;
  logger: Pick<Logger, 'error'>;
  /** The Kommo user's name as the mirror has it (the entry says who made the change by name). */
  userName?: (accountId: number, userId: number) => string | null;
}) {
  function record(input: {
    accountId: number;
    userId: number | null;
    entity: AuditEntity;
    action: AuditAction;
    id: number | string | null;
    name: string | null;
    changes: FieldChange[];
  }) {
    const userName = input.userId ? (deps.userName?.(input.accountId, input.userId) ?? null) : null;
    const label = `${ENTITY_NAMES[input.entity]}${input.name ? ` "${input.name}"` : input.id !== null ? ` #${input.id}` : ''}`;
    return deps.activity.write({
      accountId: input.accountId,
      userId: input.userId,
      type: AUDIT_TYPE,
      title: `${label} ${ACTION_NAMES[input.action]}${input.userId ? ` by ${userName ?? `user ${input.userId}`}` : ''}`,
      description: input.action === 'updated' ? describeChanges(input.changes) || null : null,
      metadata: { entity: input.entity, action: input.action, id: input.id, name: input.name, changes: input.changes },
      // The widget says "Agent "Ava" changed by user 5" in the viewer's language from these; a change's
      // field names and values are the configuration's own, shown as they are.
      params: {
        entity: input.entity,
        action: input.action,
        id: input.id,
        name: input.name,
        userId: input.userId,
        userName,
        changes: input.action === 'updated' ? input.changes.map((c) => ({ ...c })) : [],
      },
    });
  }

  const nameOf = (x: unknown): string | null => {
    const v = typeof x === 'object' && x !== null ? ((x as Record<string, unknown>).name ?? (x as Record<string, unknown>).title) : null;
    return typeof v === 'string' ? v.slice(0, 100) : null;
  };
  const idOf = (x: unknown): number | null => {
    const v = typeof x === 'object' && x !== null ? (x as Record<string, unknown>).id : null;
    return typeof v === 'number' ? v : null;
  };

  return {
    record,
    /** Record a change a service made itself, inside its own transaction, from the object before and after. */
    change(input: {
      accountId: number;
      userId: number | null;
      entity: AuditEntity;
      action: AuditAction;
      id: number;
      name: string;
      before: unknown;
      after: unknown;
    }) {
      return record({ ...input, changes: diffConfig(input.before, input.after) });
    },
    /** Audit the route this is placed on: POST creates, PUT/PATCH change (or create, when nothing was there), DELETE deletes. */
    on(spec: AuditSpec): MiddlewareHandler<AppEnv> {
      return async (c, next) => {
        const { accountId, userId } = c.get('auth');
        let before: unknown = null;
        if (spec.before && c.req.method !== 'POST') {
          try {
            before = spec.before(c, accountId) ?? null;
          } catch {
            before = null; // not there (404): the route answers that itself
          }
        }
        await next();
        if (c.res.status >= 300 || c.error) return;
        try {
          const method = c.req.method;
          let after: unknown = null;
          if (method !== 'DELETE' && c.res.headers.get('content-type')?.includes('json')) {
            const answer = await c.res.clone().json();
            after = spec.after ? spec.after(answer) : answer;
          }
          const view = spec.view ?? ((x: unknown) => x);
          const changes = diffConfig(before === null ? null : view(before), after === null ? null : view(after));
          // Secrets a read never returns (a mailbox password): their presence in the request is the change.
          if (method === 'PUT' || method === 'PATCH') {
            const body = await c.req.json().catch(() => null);
            for (const field of secretFieldsIn(body)) if (!changes.some((ch) => ch.field === field)) changes.push({ field, secret: true });
          }
          const action: AuditAction = method === 'DELETE' ? 'deleted' : method === 'POST' || before === null ? 'created' : 'updated';
          if (action === 'updated' && changes.length === 0) return; // saved as it was: nothing changed
          const idParam = Number(c.req.param('id'));
          const id = idOf(after) ?? idOf(before) ?? (Number.isSafeInteger(idParam) && idParam > 0 ? idParam : null);
          record({ accountId, userId, entity: spec.entity, action, id, name: nameOf(after) ?? nameOf(before), changes });
        } catch (err) {
          deps.logger.error({ accountId, err: (err as Error).message }, 'could not record a configuration change in the audit');
        }
      };
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
