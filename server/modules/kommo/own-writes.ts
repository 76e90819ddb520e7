import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { OwnWritesRepo } from './own-writes.repo.js';

/** How long a write of ours explains the webhooks Kommo sends about it. */
export const OWN_WRITE_TTL_MS = 10 * 60_000;

export const textKey = (text: unknown) =>
  createHash('sha1')
    .update(String(text ?? '').trim())
    .digest('hex')
    .slice(0, 16);

export const ownKeys = {
  leadStatus: (leadId: number, statusId: number) => `lead:${leadId}:status:${statusId}`,
  leadResponsible: (leadId: number, userId: number) => `lead:${leadId}:responsible:${userId}`,
  leadUpdate: (leadId: number) => `lead:${leadId}:update`,
  note: (entity: string, entityId: number, text: unknown) => `note:${entity}:${entityId}:${textKey(text)}`,
  task: (entityId: number, text: unknown) => `task:${entityId}:${textKey(text)}`,
  message: (text: unknown) => `message:${textKey(text)}`,
};

export function createOwnWrites(repo: OwnWritesRepo, clock: Clock) {
  return {
    record(accountId: number, keys: string[]) {
      const until = clock.now() + OWN_WRITE_TTL_MS;
      for (const k of keys) repo.put(accountId, k, until);
    },
    isOwn: (accountId: number, key: string): boolean => repo.has(accountId, key, clock.now()),
    prune: (): number => repo.prune(clock.now()),
  };
}

export type OwnWrites = ReturnType<typeof createOwnWrites>;

/**
 * Every write through the API is remembered before it is sent (the webhook can arrive before the
 * response does), so the handlers can tell our echoes from people's changes.
 */
export function recordingApi(api: KommoApi, own: OwnWrites): KommoApi {
  const id = api.accountId;
  const leadKeys = (leadId: number, patch: Record<string, unknown>) => {
    const keys = [ownKeys.leadUpdate(leadId)];
    if (typeof patch.status_id === 'number') keys.push(ownKeys.leadStatus(leadId, patch.status_id));
    if (typeof patch.responsible_user_id === 'number') keys.push(ownKeys.leadResponsible(leadId, patch.responsible_user_id));
    return keys;
  };
  return Object.assign(Object.create(api) as KommoApi, {
    updateLead: (leadId: number, patch: Parameters<KommoApi['updateLead']>[1]) => {
      own.record(id, leadKeys(leadId, patch));
      return api.updateLead(leadId, patch);
    },
    updateLeads: (patches: Parameters<KommoApi['updateLeads']>[0], opts?: Parameters<KommoApi['updateLeads']>[1]) => {
      own.record(
        id,
        patches.flatMap((p) => leadKeys(p.id, p)),
      );
      return api.updateLeads(patches, opts);
    },
    createNotes: (
      entity: Parameters<KommoApi['createNotes']>[0],
      notes: Parameters<KommoApi['createNotes']>[1],
      opts?: Parameters<KommoApi['createNotes']>[2],
    ) => {
      own.record(
        id,
        notes.map((n) => ownKeys.note(entity, n.entity_id, (n.params as { text?: unknown }).text)),
      );
      return api.createNotes(entity, notes, opts);
    },
    createTasks: (list: Parameters<KommoApi['createTasks']>[0], opts?: Parameters<KommoApi['createTasks']>[1]) => {
      own.record(
        id,
        list.filter((t) => t.entity_id).map((t) => ownKeys.task(t.entity_id!, t.text)),
      );
      return api.createTasks(list, opts);
    },
    salesbotContinue: (returnUrl: string, body: Parameters<KommoApi['salesbotContinue']>[1]) => {
      const reply = (body.data as { reply?: unknown }).reply;
      if (reply) own.record(id, [ownKeys.message(reply)]);
      return api.salesbotContinue(returnUrl, body);
    },
  });
}
