import type { Sqlite } from '../../../db/client.js';
import type { KommoServices } from '../kommo/index.js';
import type { KommoContact } from '../../kommo/client/schemas.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import type { InboundEmail } from '../../mail/parse.js';

export interface LeadMatch {
  leadId: number | null;
  contactId: number | null;
  via: 'thread' | 'mirror' | 'kommo' | 'none';
}

/**
 * Who wrote, and which lead it belongs to: a reply to one of our emails goes to that email's lead;
 * otherwise the sender's contact (the mirror first, then Kommo's search) and that contact's newest
 * open lead (not won 142 / lost 143). Network calls happen here, outside any transaction.
 */
export function createLeadMatcher(deps: { sqlite: Sqlite; kommo: KommoServices; mirror: MirrorRepo; clock: { now(): number } }) {
  const s = {
    thread: deps.sqlite.prepare(
      `SELECT o.lead_id AS leadId, l.main_contact_id AS contactId FROM mail_outbox o LEFT JOIN leads l ON l.account_id = o.account_id AND l.id = o.lead_id
       WHERE o.account_id = ? AND o.message_id = ? AND o.lead_id IS NOT NULL`,
    ),
    contacts: deps.sqlite.prepare(
      `SELECT DISTINCT c.id FROM contacts c, json_each(c.emails) e
       WHERE c.account_id = ? AND c.is_deleted = 0 AND lower(e.value) = ? ORDER BY c.kommo_updated_at DESC`,
    ),
    openLead: deps.sqlite.prepare(
      `SELECT l.id FROM leads l
       WHERE l.account_id = @accountId AND l.is_deleted = 0 AND (l.status_id IS NULL OR l.status_id NOT IN (142, 143))
         AND (l.main_contact_id = @contactId OR EXISTS (SELECT 1 FROM json_each(l.contact_ids) WHERE value = @contactId))
       ORDER BY l.kommo_updated_at DESC, l.id DESC LIMIT 1`,
    ),
  };
  const openLead = (accountId: number, contactId: number) => (s.openLead.get({ accountId, contactId }) as { id: number } | undefined)?.id ?? null;
  const emailsOf = (c: KommoContact) =>
    (c.custom_fields_values ?? []).filter((f) => f.field_code === 'EMAIL').flatMap((f) => f.values.map((v) => String(v.value).toLowerCase()));

  return async function match(accountId: number, email: InboundEmail): Promise<LeadMatch> {
    for (const id of [email.inReplyTo, ...[...email.references].reverse()]) {
      if (!id) continue;
      const t = s.thread.get(accountId, id) as { leadId: number; contactId: number | null } | undefined;
      if (t) return { leadId: t.leadId, contactId: t.contactId, via: 'thread' };
    }
    const address = email.from?.address;
    if (!address) return { leadId: null, contactId: null, via: 'none' };
    const known = (s.contacts.all(accountId, address) as { id: number }[]).map((r) => r.id);
    for (const contactId of known) {
      const leadId = openLead(accountId, contactId);
      if (leadId) return { leadId, contactId, via: 'mirror' };
    }
    const api = deps.kommo.api(accountId);
    const found = (await api.findContacts(address)).filter((c) => emailsOf(c).includes(address));
    if (found.length) deps.mirror.upsertContacts(accountId, found, deps.clock.now());
    for (const c of found) {
      let leadId = openLead(accountId, c.id);
      if (!leadId) {
        // The contact's leads may not be mirrored yet: fetch them once.
        const full = await api.getContact(c.id, ['leads']);
        const ids = (full._embedded?.leads ?? []).map((l) => l.id);
        if (ids.length) {
          for await (const page of api.leads({ ids, with: ['contacts'] })) deps.mirror.upsertLeads(accountId, page, deps.clock.now());
          leadId = openLead(accountId, c.id);
        }
      }
      if (leadId) return { leadId, contactId: c.id, via: 'kommo' };
    }
    const contactId = known[0] ?? found[0]?.id ?? null;
    return { leadId: null, contactId, via: contactId ? 'mirror' : 'none' };
  };
}
