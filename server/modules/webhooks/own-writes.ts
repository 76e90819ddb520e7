import { createHash } from 'node:crypto';
import type { Sqlite } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { KommoApi } from '../../kommo/client/types.js';

/** How long a write of ours explains the webhooks Kommo sends about it. */
export const OWN_WRITE_TTL_MS = 10 * 60_000;

export const textKey = (text: unknown) => createHash('sha1').update(String(text ?? '').trim()).digest('hex').slice(0, 16);

export const ownKeys = {
  leadStatus: (leadId: number, statusId: number) => `lead:${leadId}:status:${statusId}`,
  leadResponsible: (leadId: number, userId: number) => `lead:${leadId}:responsible:${userId}`,
  leadUpdate: (leadId: number) => `lead:${leadId}:update`,
  note: (entity: string, entityId: number, text: unknown) => `note:${entity}:${entityId}:${textKey(text)}`,
  task: (entityId: number, text: unknown) => `task:${entityId}:${textKey(text)}`,
  message: (text: unknown) => `message:${textKey(text)}`,
};

export function createOwnWrites(sqlite: Sqlite, clock: Clock) {
  const put = sqlite.prepare('INSERT INTO own_writes (account_id, key, expires_at) VALUES (?, ?, ?) ON CONFLICT (account_id, key) DO UPDATE SET expires_at = excluded.expires_at');
  const get = sqlite.prepare('SELECT 1 FROM own_writes WHERE account_id = ? AND key = ? AND expires_at > ?');
  return {
    record(accountId: number, keys: string[]) {
      const until = clock.now() + OWN_WRITE_TTL_MS;
      for (const k of keys) put.run(accountId, k, until);
    },
    isOwn(accountId: number, key: string): boolean {
      return get.get(accountId, key, clock.now()) !== undefined;
    },
    prune() {
      return sqlite.prepare('DELETE FROM own_writes WHERE expires_at < ?').run(clock.now()).changes;
    },
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
      own.record(id, patches.flatMap((p) => leadKeys(p.id, p)));
      return api.updateLeads(patches, opts);
    },
    createNotes: (entity: Parameters<KommoApi['createNotes']>[0], notes: Parameters<KommoApi['createNotes']>[1], opts?: Parameters<KommoApi['createNotes']>[2]) => {
      own.record(id, notes.map((n) => ownKeys.note(entity, n.entity_id, (n.params as { text?: unknown }).text)));
      return api.createNotes(entity, notes, opts);
    },
    createTasks: (list: Parameters<KommoApi['createTasks']>[0], opts?: Parameters<KommoApi['createTasks']>[1]) => {
      own.record(id, list.filter((t) => t.entity_id).map((t) => ownKeys.task(t.entity_id!, t.text)));
      return api.createTasks(list, opts);
    },
    salesbotContinue: (returnUrl: string, body: Parameters<KommoApi['salesbotContinue']>[1]) => {
      const reply = (body.data as { reply?: unknown }).reply;
      if (reply) own.record(id, [ownKeys.message(reply)]);
      return api.salesbotContinue(returnUrl, body);
    },
  });
}
