/**
 * Entity name (the first bracket of a webhook key: `leads[status][0][id]`) → the walker of its family.
 * An entity not listed here is unknown: events.ts turns its items into `unknown` events.
 */
import { walkCompanies, walkContacts } from './contacts.js';
import { walkLeads } from './leads.js';
import { walkCustomers, walkUnsorted } from './loose.js';
import { walkMessages, walkOutgoingMessages } from './messages.js';
import { walkTalks } from './talks.js';
import { walkTasks } from './tasks.js';

// A null prototype, so that an entity named `constructor` or `__proto__` is unknown rather than found.
export const FAMILY_WALKERS = Object.freeze(
  Object.assign(Object.create(null) as Record<never, never>, {
    leads: walkLeads,
    contacts: walkContacts,
    companies: walkCompanies,
    task: walkTasks,
    tasks: walkTasks,
    message: walkMessages,
    outgoing_message: walkOutgoingMessages,
    talk: walkTalks,
    talks: walkTalks,
    customers: walkCustomers,
    unsorted: walkUnsorted,
  }),
);
