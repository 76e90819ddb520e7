import type { FieldValues } from '../../../db/schema/index.js';
import { renderTemplate, templateVariables, unknownVariables } from '../../lib/template.js';
import { fieldText, type CrmField, type MirrorReadRepo } from '../mirror/mirror-read.repo.js';

/** The variables every script may use; custom fields add `lead.cf.<code or id>`. */
const BASE: { key: string; label: string }[] = [
  { key: 'lead.name', label: 'Lead name' },
  { key: 'lead.price', label: 'Lead budget' },
  { key: 'contact.name', label: 'Contact name' },
  { key: 'contact.first_name', label: 'Contact first name' },
  { key: 'user.name', label: 'Responsible user' },
  { key: 'account.name', label: 'Company (account) name' },
];

const cfKey = (f: CrmField) => `lead.cf.${f.code ?? f.id}`;

export function availableVariables(fields: CrmField[]): { key: string; label: string }[] {
  return [...BASE, ...fields.map((f) => ({ key: cfKey(f), label: `Lead field: ${f.name}` }))];
}

function fieldFor(fields: CrmField[], ref: string): CrmField | undefined {
  return fields.find((f) => String(f.id) === ref || (f.code !== null && f.code.toLowerCase() === ref.toLowerCase()));
}

/** Names in `body` that are not variables of this account. */
export function unknownScriptVariables(body: string, fields: CrmField[]): string[] {
  const base = new Set(BASE.map((v) => v.key));
  return unknownVariables(body, (name) => base.has(name) || (name.startsWith('lead.cf.') && fieldFor(fields, name.slice(8)) !== undefined));
}

export interface RenderSource {
  lead: { name: string; price: number | null; customFields: FieldValues; responsibleUserId: number | null; mainContactId: number | null };
  /** Named values for a lead that is not in the mirror (the playground). */
  extraFields?: Record<string, string | number | boolean>;
}

/** Render a script body from the synced mirror: the lead, its main contact, its fields, its user and the account. */
export function renderScript(crm: MirrorReadRepo, accountId: number, body: string, src: RenderSource): string {
  return renderTemplate(body, scriptVariableValues(crm, accountId, body, src));
}

/** The value of every variable `body` may use, for this lead (an agent's prompt carries them apart from the script). */
export function scriptVariableValues(crm: MirrorReadRepo, accountId: number, body: string, src: RenderSource): Record<string, string | number | null> {
  const fields = crm.leadFields(accountId);
  const contact = src.lead.mainContactId !== null ? crm.contact(accountId, src.lead.mainContactId) : undefined;
  const values: Record<string, string | number | null> = {
    'lead.name': src.lead.name,
    'lead.price': src.lead.price,
    'contact.name': contact?.name ?? null,
    'contact.first_name': contact ? (contact.firstName ?? contact.name.split(/\s+/)[0] ?? null) : null,
    'user.name': crm.userName(accountId, src.lead.responsibleUserId),
    'account.name': crm.accountName(accountId),
  };
  for (const name of templateVariables(body)) {
    if (!name.startsWith('lead.cf.')) continue;
    const f = fieldFor(fields, name.slice(8));
    if (!f) continue;
    const extra = src.extraFields?.[f.name] ?? src.extraFields?.[String(f.id)] ?? (f.code ? src.extraFields?.[f.code] : undefined);
    values[name] = extra !== undefined ? String(extra) : fieldText(src.lead.customFields.find((v) => v.field_id === f.id)?.values);
  }
  return values;
}
