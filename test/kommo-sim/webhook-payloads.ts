/** Builders for the form-encoded webhook bodies Kommo POSTs (kommo.md §4): bracket keys, string values. */
import type { Lead, Note, Task } from './types.js';

/** `{leads: {update: [{id: 1}]}}` → `leads%5Bupdate%5D%5B0%5D%5Bid%5D=1`. Nulls/undefined are skipped. */
export function formEncode(obj: Record<string, unknown>): string {
  const out = new URLSearchParams();
  const walk = (prefix: string, v: unknown) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}[${k}]` : k, x);
    else out.append(prefix, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  };
  walk('', obj);
  return out.toString();
}

export interface AccountRef {
  id: number;
  subdomain: string;
  baseUrl: string;
}

const account = (a: AccountRef) => ({ subdomain: a.subdomain, id: a.id, _links: { self: a.baseUrl } });

/** `leads[{action}][0][…]` in the old v2 shape Kommo's webhooks still use. */
export function leadWebhookBody(
  a: AccountRef, action: 'add' | 'update' | 'delete' | 'restore' | 'status' | 'responsible', lead: Lead,
  old: { status_id?: number; pipeline_id?: number; responsible_user_id?: number } = {},
): string {
  const item: Record<string, unknown> = {
    id: lead.id, name: lead.name, status_id: lead.status_id, old_status_id: old.status_id, pipeline_id: lead.pipeline_id,
    old_pipeline_id: old.pipeline_id, price: lead.price, responsible_user_id: lead.responsible_user_id,
    old_responsible_user_id: old.responsible_user_id, last_modified: lead.updated_at, modified_user_id: lead.updated_by,
    created_user_id: lead.created_by, date_create: lead.created_at, created_at: lead.created_at, updated_at: lead.updated_at,
    account_id: a.id,
    tags: lead._embedded.tags.map((t) => ({ id: t.id, name: t.name })),
    custom_fields: (lead.custom_fields_values ?? []).map((f) => ({
      id: f.field_id, name: f.field_name, ...(f.field_code ? { code: f.field_code } : {}),
      values: f.values.map((v) => ({ value: v.value, ...(v.enum_id !== undefined ? { enum: v.enum_id } : {}) })),
    })),
  };
  return formEncode({ leads: { [action]: [item] }, account: account(a) });
}

export interface IncomingMessage {
  id: string;
  chat_id: string;
  talk_id: number;
  contact_id: number;
  text: string;
  created_at: number;
  /** lead id the talk is attached to */
  element_id: number;
  origin?: string;
  author?: { id: string; type: string; name: string; avatar_url?: string };
}

/** `message[add][0][…]`, the `add_message` webhook. */
export function messageWebhookBody(a: AccountRef, m: IncomingMessage): string {
  return formEncode({
    message: {
      add: [{
        id: m.id, chat_id: m.chat_id, talk_id: m.talk_id, contact_id: m.contact_id, text: m.text, created_at: m.created_at,
        element_type: 2, element_id: m.element_id, entity_type: 'lead', entity_id: m.element_id, type: 'incoming',
        author: m.author ?? { id: `author-${m.contact_id}`, type: 'external', name: 'Client' }, origin: m.origin ?? 'telegram',
      }],
    },
    account: account(a),
  });
}

/** `task[{action}][0][…]`. */
export function taskWebhookBody(a: AccountRef, action: 'add' | 'update' | 'delete', t: Task): string {
  const elementType = { leads: 2, contacts: 1, companies: 3, customers: 12 }[t.entity_type ?? ''] ?? 0;
  return formEncode({
    task: {
      [action]: [{
        id: t.id, element_id: t.entity_id, element_type: elementType, task_type: t.task_type_id, text: t.text,
        status: t.is_completed ? '1' : '0', responsible_user_id: t.responsible_user_id,
        complete_till: new Date(t.complete_till * 1000).toISOString().replace('T', ' ').slice(0, 19),
        complete_before: t.complete_till, created_user_id: t.created_by, account_id: a.id,
        ...(!Array.isArray(t.result) && t.result.text ? { result: { text: t.result.text } } : {}),
      }],
    },
    account: account(a),
  });
}

/** v2 numeric note types (webhooks still use them). */
const V2_NOTE_TYPES: Record<string, number> = { common: 4, call_in: 10, call_out: 11, service_message: 25, sms_in: 102, sms_out: 103 };

/** `leads[note][0][note][…]`. */
export function noteWebhookBody(a: AccountRef, n: Note): string {
  const elementType = { leads: 2, contacts: 1, companies: 3 }[n.entity_type];
  const entity = n.entity_type === 'companies' ? 'contacts' : n.entity_type;
  return formEncode({
    [entity]: {
      note: [{
        note: {
          id: n.id, text: typeof n.params.text === 'string' ? n.params.text : JSON.stringify(n.params),
          note_type: V2_NOTE_TYPES[n.note_type] ?? n.note_type, element_type: elementType, element_id: n.entity_id, created_by: n.created_by,
          date_create: n.created_at, account_id: a.id,
        },
      }],
    },
    account: account(a),
  });
}
