import type { CrmContact, CrmLead, MirrorReadRepo } from './mirror-read.repo.js';

/** The values an email template can use about a lead: {{lead.name}}, {{contact.first_name}}, {{account.name}}… */
export function emailValues(crm: MirrorReadRepo, accountId: number, lead: CrmLead, contact?: CrmContact) {
  return {
    'lead.name': lead.name,
    'lead.price': lead.price,
    'contact.name': contact?.name,
    'contact.first_name': contact?.firstName,
    'account.name': crm.accountName(accountId),
  };
}
