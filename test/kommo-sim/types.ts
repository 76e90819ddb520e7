/** Entity shapes the simulator stores. They mirror Kommo API v4 objects (minus `_links`, added on output). */

export type EntityKind = 'leads' | 'contacts' | 'companies';

export interface Tag {
  id: number;
  name: string;
  color: string | null;
}

export interface CustomFieldValueItem {
  value: string | number | boolean;
  enum_id?: number;
  enum_code?: string;
}

export interface CustomFieldValue {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: string;
  values: CustomFieldValueItem[];
}

export interface EntityLink {
  id: number;
  is_main?: boolean;
}

export interface Lead {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  score: number | null;
  account_id: number;
  labor_cost: number | null;
  _embedded: { tags: Tag[]; contacts: EntityLink[]; companies: EntityLink[] };
}

export interface Contact {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  group_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closest_task_at: number | null;
  is_deleted: boolean;
  is_unsorted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
  _embedded: { tags: Tag[]; companies: EntityLink[] };
}

export interface Company {
  id: number;
  name: string;
  responsible_user_id: number;
  group_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
  _embedded: { tags: Tag[] };
}

export interface User {
  id: number;
  name: string;
  email: string;
  lang: string;
  rights: {
    leads: Record<string, string>;
    contacts: Record<string, string>;
    companies: Record<string, string>;
    tasks: Record<string, string>;
    mail_access: boolean;
    catalog_access: boolean;
    is_admin: boolean;
    is_free: boolean;
    is_active: boolean;
    group_id: number | null;
    role_id: number | null;
    /** Per-stage lead rights that override `leads` for leads in that stage. */
    status_rights?: { entity_type: string; pipeline_id: number; status_id: number; rights: Record<string, string> }[];
  };
}

export interface Status {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  /** 0 = regular stage, 1 = "unsorted"/incoming stage. */
  type: number;
  account_id: number;
}

export interface Pipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  account_id: number;
  _embedded: { statuses: Status[] };
}

export interface CustomFieldEnum {
  id: number;
  value: string;
  sort: number;
}

export interface CustomField {
  id: number;
  name: string;
  type: string; // text, numeric, checkbox, select, multiselect, multitext, date, url, textarea, radiobutton, ...
  account_id: number;
  code: string | null;
  sort: number;
  is_api_only: boolean;
  enums: CustomFieldEnum[] | null;
  group_id: string | null;
  required_statuses: unknown[];
  is_deletable: boolean;
  is_predefined: boolean;
  entity_type: EntityKind;
  remind: string | null;
  settings: unknown;
}

export interface TaskType {
  id: number;
  name: string;
  color: string | null;
  icon_id: number | null;
  code: string | null;
}

export interface Task {
  id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  group_id: number;
  entity_id: number | null;
  entity_type: string | null;
  duration: number;
  is_completed: boolean;
  task_type_id: number;
  text: string;
  result: { text?: string } | unknown[];
  complete_till: number;
  account_id: number;
}

export interface Note {
  id: number;
  /** Which entity collection the note belongs to (not sent by Kommo in the note body; kept for routing). */
  entity_type: EntityKind;
  entity_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  group_id: number;
  note_type: string;
  params: Record<string, unknown>;
  account_id: number;
  is_needs_to_trigger_digital_pipeline?: boolean;
}

export interface Call {
  id: number;
  direction: 'inbound' | 'outbound';
  uniq: string | null;
  duration: number;
  source: string;
  link: string | null;
  phone: string;
  call_status: number | null;
  call_result: string | null;
  responsible_user_id: number;
  created_at: number;
  /** The note the call became, if an entity matched the phone. */
  entity_id: number | null;
  entity_type: 'contacts' | 'companies' | 'leads' | null;
  note_id: number | null;
  raw: Record<string, unknown>;
}

export interface SimEvent {
  id: string;
  type: string;
  /** singular, as Kommo sends it: lead, contact, company, task */
  entity_type: string;
  entity_id: number;
  created_by: number;
  created_at: number;
  value_after: unknown[];
  value_before: unknown[];
  account_id: number;
}

export interface Webhook {
  id: number;
  destination: string;
  settings: string[];
  created_at: number;
  updated_at: number;
  created_by: number;
  account_id: number;
  sort: number;
  disabled: boolean;
}

export interface SalesbotContinue {
  at: number;
  botId: string;
  continueId: string;
  body: unknown;
}
