import { Prng } from './prng.js';
import { nextEventId, nextId, type SimState } from './state.js';
import type { Company, Contact, CustomField, CustomFieldValue, CustomFieldValueItem, EntityKind, Lead, Pipeline, Status, Tag, User } from './types.js';

export interface SeedCounts {
  users?: number;
  leads?: number;
  contacts?: number;
  companies?: number;
  /** PRNG seed; same seed → same account. Default 42. */
  random?: number;
}

const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Elena',
  'Felipe',
  'Gabriela',
  'Hugo',
  'Isabel',
  'Jorge',
  'Karen',
  'Luis',
  'Marta',
  'Nicolas',
  'Olga',
  'Pedro',
  'Queila',
  'Rafael',
  'Sofia',
  'Tomas',
  'Ursula',
  'Victor',
  'Wendy',
  'Ximena',
  'Yuri',
  'Zoe',
];
const LAST = [
  'Silva',
  'Santos',
  'Garcia',
  'Lopez',
  'Martinez',
  'Rodriguez',
  'Perez',
  'Gomez',
  'Costa',
  'Oliveira',
  'Fernandez',
  'Ramos',
  'Torres',
  'Ruiz',
  'Alves',
  'Moreno',
  'Diaz',
  'Castro',
];
const COMPANY_A = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell'];
const COMPANY_B = ['Ltd', 'S.A.', 'LLC', 'Group', 'Labs', 'Trading', 'Solutions'];
const PRODUCTS = ['CRM setup', 'Website', 'Mobile app', 'Consulting', 'Annual plan', 'Training', 'Support pack'];
const TAGS = ['vip', 'hot', 'cold', 'whatsapp', 'website', 'referral', 'follow-up'];

const READ_ALL = { view: 'A', edit: 'A', add: 'A', delete: 'A', export: 'A' };

/** Fills an empty state. `now` is the sim clock (unix s); seeded timestamps are all well before it. */
export function seedState(state: SimState, counts: SeedCounts, now: number): void {
  const rnd = new Prng(counts.random ?? 42);
  const accountId = state.account.id;
  const past = (maxDays: number) => now - 120 - rnd.int(0, maxDays * 86400);

  // Users: the first is the admin the OAuth tokens act as.
  const userIds: number[] = [];
  for (let i = 0; i < (counts.users ?? 5); i++) {
    const id = nextId(state, 'user');
    userIds.push(id);
    const first = FIRST[i % FIRST.length] as string;
    const user: User = {
      id,
      name: `${first} ${LAST[i % LAST.length]}`,
      email: `${first.toLowerCase()}${i > 0 ? i : ''}@${state.account.subdomain}.example`,
      lang: 'en',
      rights: {
        leads: { ...READ_ALL },
        contacts: { ...READ_ALL },
        companies: { ...READ_ALL },
        tasks: { edit: 'A', delete: 'A' },
        mail_access: true,
        catalog_access: true,
        is_admin: i === 0,
        is_free: false,
        is_active: true,
        group_id: null,
        role_id: null,
      },
    };
    state.users.set(id, user);
  }
  state.account.current_user_id = userIds[0] ?? 0;
  const user = () => (userIds.length ? rnd.pick(userIds) : 0);

  state.taskTypes.push(
    { id: 1, name: 'Follow-up', color: null, icon_id: null, code: 'FOLLOW_UP' },
    { id: 2, name: 'Meeting', color: null, icon_id: null, code: 'MEETING' },
    { id: 3, name: 'Call', color: null, icon_id: null, code: null },
  );

  // Pipelines: 2 × (incoming + 3 stages + won + lost).
  const pipeSpecs: [string, string[]][] = [
    ['Sales', ['Qualified', 'Proposal sent', 'Negotiation']],
    ['Partners', ['First contact', 'Demo', 'Contract']],
  ];
  const openStatuses: Status[] = [];
  pipeSpecs.forEach(([name, stages], pi) => {
    const pipeline: Pipeline = {
      id: nextId(state, 'pipeline'),
      name,
      sort: (pi + 1) * 10,
      is_main: pi === 0,
      is_unsorted_on: true,
      is_archive: false,
      account_id: accountId,
      _embedded: { statuses: [] },
    };
    const st = pipeline._embedded.statuses;
    const mk = (id: number, sname: string, sort: number, type: number, editable: boolean, color: string): Status => ({
      id,
      name: sname,
      sort,
      is_editable: editable,
      pipeline_id: pipeline.id,
      color,
      type,
      account_id: accountId,
    });
    st.push(mk(nextId(state, 'status'), 'Incoming leads', 10, 1, false, '#c1c1c1'));
    stages.forEach((s, i) => {
      const status = mk(nextId(state, 'status'), s, 20 + i * 10, 0, true, ['#99ccff', '#ffff99', '#ffcc66'][i] as string);
      st.push(status);
      openStatuses.push(status);
    });
    st.push(mk(142, 'Closed - won', 10000, 0, false, '#CCFF66'));
    st.push(mk(143, 'Closed - lost', 11000, 0, false, '#D5D8DB'));
    state.pipelines.set(pipeline.id, pipeline);
  });

  // Custom fields.
  const field = (entity: EntityKind, name: string, type: string, code: string | null, enums?: string[]): CustomField => {
    const f: CustomField = {
      id: nextId(state, 'field'),
      name,
      type,
      account_id: accountId,
      code,
      sort: state.customFields[entity].size * 10 + 500,
      is_api_only: false,
      enums: enums ? enums.map((value, i) => ({ id: nextId(state, 'enum'), value, sort: (i + 1) * 10 })) : null,
      group_id: null,
      required_statuses: [],
      is_deletable: code === null,
      is_predefined: code !== null,
      entity_type: entity,
      remind: null,
      settings: null,
    };
    state.customFields[entity].set(f.id, f);
    return f;
  };
  const fSource = field('leads', 'Source', 'select', null, ['Website', 'Referral', 'Ads', 'WhatsApp']);
  const fProduct = field('leads', 'Product', 'text', null);
  field('leads', 'Deal notes', 'textarea', null);
  const fPriority = field('leads', 'Priority', 'select', null, ['Low', 'Medium', 'High']);
  field('leads', 'Next contact', 'date', null);
  field('leads', 'Services', 'multiselect', null, ['Setup', 'Training', 'Support', 'Integration']);
  const cPhone = field('contacts', 'Phone', 'multitext', 'PHONE', ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);
  const cEmail = field('contacts', 'Email', 'multitext', 'EMAIL', ['WORK', 'PRIV', 'OTHER']);
  const cPosition = field('contacts', 'Position', 'text', 'POSITION');
  field('contacts', 'Preferred language', 'select', null, ['English', 'Spanish', 'Portuguese']);
  const kPhone = field('companies', 'Phone', 'multitext', 'PHONE', ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);
  field('companies', 'Email', 'multitext', 'EMAIL', ['WORK', 'PRIV', 'OTHER']);
  const kWeb = field('companies', 'Web', 'url', 'WEB');
  field('companies', 'Address', 'textarea', 'ADDRESS');

  const leadTags: Tag[] = TAGS.map((name) => ({ id: nextId(state, 'tag'), name, color: null }));
  for (const t of leadTags) state.tags.leads.set(t.id, t);

  // Companies.
  const companyIds: number[] = [];
  for (let i = 0; i < (counts.companies ?? 5); i++) {
    const created = past(365);
    const name = `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[i % COMPANY_B.length]}${i >= COMPANY_A.length ? ` ${i}` : ''}`;
    const c: Company = {
      id: nextId(state, 'company'),
      name,
      responsible_user_id: user(),
      group_id: 0,
      created_by: user(),
      updated_by: user(),
      created_at: created,
      updated_at: Math.min(now - 60, created + rnd.int(0, 86400 * 30)),
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values: [
        cfv(kPhone, [{ value: phone(rnd, 1000 + i), enum_code: 'WORK', enum_id: enumId(kPhone, 'WORK') }]),
        cfv(kWeb, [{ value: `https://${name.split(' ')[0]!.toLowerCase()}${i}.example` }]),
      ],
      account_id: accountId,
      _embedded: { tags: [] },
    };
    companyIds.push(c.id);
    state.companies.set(c.id, c);
  }

  // Contacts.
  const contactIds: number[] = [];
  const contactCount = counts.contacts ?? 30;
  for (let i = 0; i < contactCount; i++) {
    const first = rnd.pick(FIRST);
    const last = rnd.pick(LAST);
    const created = past(365);
    const vals: CustomFieldValue[] = [cfv(cPhone, [{ value: phone(rnd, i), enum_id: enumId(cPhone, 'MOB'), enum_code: 'MOB' }])];
    if (rnd.chance(0.8)) {
      vals.push(cfv(cEmail, [{ value: `${first}.${last}${i}@mail.example`.toLowerCase(), enum_id: enumId(cEmail, 'WORK'), enum_code: 'WORK' }]));
    }
    if (rnd.chance(0.3)) vals.push(cfv(cPosition, [{ value: rnd.pick(['CEO', 'CTO', 'Buyer', 'Manager']) }]));
    const c: Contact = {
      id: nextId(state, 'contact'),
      name: `${first} ${last}`,
      first_name: first,
      last_name: last,
      responsible_user_id: user(),
      group_id: 0,
      created_by: user(),
      updated_by: user(),
      created_at: created,
      updated_at: Math.min(now - 60, created + rnd.int(0, 86400 * 60)),
      closest_task_at: null,
      is_deleted: false,
      is_unsorted: false,
      custom_fields_values: vals,
      account_id: accountId,
      _embedded: { tags: [], companies: companyIds.length && rnd.chance(0.3) ? [{ id: rnd.pick(companyIds) }] : [] },
    };
    contactIds.push(c.id);
    state.contacts.set(c.id, c);
  }

  // Leads.
  const pipelines = [...state.pipelines.values()];
  for (let i = 0; i < (counts.leads ?? 50); i++) {
    const pipeline = rnd.chance(0.75) ? pipelines[0]! : pipelines[1]!;
    const sts = pipeline._embedded.statuses;
    const status = rnd.chance(0.2) ? rnd.pick(sts.slice(-2)) : rnd.pick(sts.slice(0, -2));
    const created = past(180);
    const updated = Math.min(now - 60, created + rnd.int(0, 86400 * 30));
    const closed = status.id === 142 || status.id === 143;
    const vals: CustomFieldValue[] = [];
    if (rnd.chance(0.7)) {
      const e = rnd.pick(fSource.enums!);
      vals.push(cfv(fSource, [{ value: e.value, enum_id: e.id }]));
    }
    if (rnd.chance(0.5)) vals.push(cfv(fProduct, [{ value: rnd.pick(PRODUCTS) }]));
    if (rnd.chance(0.4)) {
      const e = rnd.pick(fPriority.enums!);
      vals.push(cfv(fPriority, [{ value: e.value, enum_id: e.id }]));
    }
    const contacts = [];
    if (contactIds.length && rnd.chance(0.85)) {
      contacts.push({ id: contactIds[i % contactIds.length]!, is_main: true });
      if (rnd.chance(0.2)) {
        const other = rnd.pick(contactIds);
        if (other !== contacts[0]!.id) contacts.push({ id: other, is_main: false });
      }
    }
    const lead: Lead = {
      id: nextId(state, 'lead'),
      name: `Deal #${i + 1}`,
      price: rnd.int(0, 200) * 50,
      responsible_user_id: user(),
      group_id: 0,
      status_id: status.id,
      pipeline_id: pipeline.id,
      loss_reason_id: null,
      created_by: user(),
      updated_by: user(),
      created_at: created,
      updated_at: updated,
      closed_at: closed ? updated : null,
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values: vals.length ? vals : null,
      score: null,
      account_id: accountId,
      labor_cost: null,
      _embedded: {
        tags: rnd.chance(0.3) ? [{ ...rnd.pick(leadTags) }] : [],
        contacts,
        companies: companyIds.length && rnd.chance(0.2) ? [{ id: rnd.pick(companyIds) }] : [],
      },
    };
    state.leads.set(lead.id, lead);
  }

  // A few events so /api/v4/events is not empty.
  let k = 0;
  for (const lead of state.leads.values()) {
    if (k++ >= 20) break;
    state.events.push({
      id: nextEventId(state),
      type: 'lead_added',
      entity_type: 'lead',
      entity_id: lead.id,
      created_by: lead.created_by,
      created_at: lead.created_at,
      value_after: [],
      value_before: [],
      account_id: accountId,
    });
  }
  state.events.sort((a, b) => a.created_at - b.created_at);
}

export function cfv(f: CustomField, values: CustomFieldValueItem[]): CustomFieldValue {
  return { field_id: f.id, field_name: f.name, field_code: f.code, field_type: f.type, values };
}

function enumId(f: CustomField, value: string): number {
  return f.enums?.find((e) => e.value === value)?.id ?? 0;
}

/** Unique-ish, deterministic phone numbers: '+5511' + 8 digits derived from i. */
function phone(rnd: Prng, i: number): string {
  return `+55119${String(10_000_000 + ((i * 7919 + rnd.int(0, 6)) % 89_999_999)).slice(-8)}`;
}
