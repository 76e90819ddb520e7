import type { KommoServices } from '../kommo/index.js';
import type { KommoContact } from '../../kommo/client/schemas.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';
import type { OutboxRepo } from './outbox.repo.js';
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
export function createLeadMatcher(deps: { kommo: KommoServices; mirror: MirrorRepo; crm: MirrorReadRepo; outbox: OutboxRepo; clock: { now(): number } }) {
  const openLead = (accountId: number, contactId: number) => deps.crm.openLeadOfContact(accountId, contactId);
  const emailsOf = (c: KommoContact) =>
    (c.custom_fields_values ?? []).filter((f) => f.field_code === 'EMAIL').flatMap((f) => f.values.map((v) => String(v.value).toLowerCase()));

  return async function match(accountId: number, email: InboundEmail): Promise<LeadMatch> {
    for (const id of [email.inReplyTo, ...[...email.references].reverse()]) {
      if (!id) continue;
      const sent = deps.outbox.byMessageId(accountId, id);
      if (sent?.leadId) return { leadId: sent.leadId, contactId: deps.crm.lead(accountId, sent.leadId)?.mainContactId ?? null, via: 'thread' };
    }
    const address = email.from?.address;
    if (!address) return { leadId: null, contactId: null, via: 'none' };
    const known = deps.crm.contactsByEmail(accountId, address);
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
