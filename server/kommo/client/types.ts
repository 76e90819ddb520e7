import type { RateLimiter } from './limiter.js';
import type {
  KommoAccount,
  KommoCallResult,
  KommoCompany,
  KommoContact,
  KommoCustomField,
  KommoEvent,
  KommoLead,
  KommoNote,
  KommoPipeline,
  KommoTask,
  KommoUpdated,
  KommoUser,
  KommoWebhook,
  Schema,
} from './schemas.js';

export type { RateLimiter } from './limiter.js';

export interface TokenProvider {
  /** A valid access token and the account host (e.g. 'acme.kommo.com' or '127.0.0.1:5123'). Refreshes ahead of expiry itself. */
  getAccess(accountId: number): Promise<{ accessToken: string; host: string }>;
  /** Called after a 401 with the token that was rejected; refreshes once (single-flight) and returns the new one, or throws KommoAuthError. */
  refreshAfter401(accountId: number, rejectedToken: string): Promise<{ accessToken: string; host: string }>;
}

export interface KommoClientDeps {
  fetch: typeof fetch;
  clock: { now(): number };
  sleep?: (ms: number) => Promise<void>; // injectable for tests
  tokens: TokenProvider;
  rps: number; // pacing per account, default 7
  allowInsecureLoopback: boolean; // use http:// for loopback hosts (simulator); see server/kommo/hosts.ts kommoBaseUrl()
  timeoutMs?: number; // per request, default 15000
  maxRetries?: number; // 5xx/timeout retries inside one call, default 3 (jittered backoff)
  max429Waits?: number; // how many 429 retry_after waits inside one call before throwing KommoRateLimitedError, default 5
  onBlocked?(accountId: number, info: { until: number; status: number }): void; // called when a 403 HTML block opens the circuit
  logger?: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
  /** Share another client's limiter (pacing is per account host), e.g. for the install probe. */
  limiter?: RateLimiter;
}

export interface KommoClient {
  forAccount(accountId: number): KommoApi;
  limiter: RateLimiter;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;
export type Query = Record<string, QueryValue>;
/** Any zod schema whose output is T (input may differ, e.g. with defaults or transforms). */
export type { Schema } from './schemas.js';

export interface RequestOptions<T> {
  query?: Query;
  body?: unknown;
  /** Validates the parsed JSON body; an empty body (204) is validated as `null`. */
  schema: Schema<T>;
}

export interface BatchOptions {
  /** Entities per request: default 50 (Kommo's advice for writes), at most 250. */
  batchSize?: number;
}

export type NoteEntity = 'leads' | 'contacts' | 'companies';

/** Timestamps are unix seconds, as Kommo filters take them. */
export interface LeadsQuery {
  updatedFrom?: number;
  limit?: number;
  with?: string[];
  ids?: number[];
}
export interface ContactsQuery {
  updatedFrom?: number;
  limit?: number;
  query?: string;
  with?: string[];
}
export type CompaniesQuery = ContactsQuery;
export interface TasksQuery {
  updatedFrom?: number;
  limit?: number;
  ids?: number[];
  entityType?: NoteEntity;
  entityIds?: number[];
  isCompleted?: boolean;
  responsibleUserIds?: number[];
}
export interface EventsQuery {
  types?: string[];
  /** Kommo's singular entity names: 'lead', 'contact', 'company', 'task', … */
  entity?: string;
  entityIds?: number[];
  createdFrom?: number;
  /** Events pages hold at most 100. */
  limit?: number;
}

/** Write payloads are Kommo's own JSON: the listed fields are the ones our code sets; anything else passes through. */
export interface LeadPatch {
  name?: string;
  price?: number;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  loss_reason_id?: number | null;
  custom_fields_values?: unknown[];
  tags_to_add?: Array<{ id?: number; name?: string }>;
  tags_to_delete?: Array<{ id?: number; name?: string }>;
  [field: string]: unknown;
}
export type LeadPatchWithId = LeadPatch & { id: number };
export type NewLead = LeadPatch;

export interface NewTask {
  text: string;
  complete_till: number;
  entity_id?: number;
  entity_type?: NoteEntity;
  task_type_id?: number;
  responsible_user_id?: number;
  [field: string]: unknown;
}
export interface TaskPatch {
  text?: string;
  complete_till?: number;
  is_completed?: boolean;
  result?: { text: string };
  responsible_user_id?: number;
  [field: string]: unknown;
}

export interface NewNote {
  entity_id: number;
  note_type: string;
  params: Record<string, unknown>;
  [field: string]: unknown;
}

export interface NewCall {
  direction: 'inbound' | 'outbound';
  uniq?: string;
  duration: number;
  source: string;
  link?: string;
  phone: string;
  call_status?: number;
  call_result?: string;
  responsible_user_id?: number;
  [field: string]: unknown;
}

export interface SalesbotContinueBody {
  data: Record<string, unknown>;
  execute_handlers?: unknown[];
}

export interface KommoApi {
  readonly accountId: number;
  /** Low-level call: `path` starts with `/api/v4/…` on the account host. */
  request<T>(method: HttpMethod, path: string, opts: RequestOptions<T>): Promise<T>;
  /** Pages of `_embedded[key]`, following `_links.next.href` on the account host only. A 204 yields no page. */
  paginate<T = unknown>(path: string, query: Query, key: string, item?: Schema<T>): AsyncGenerator<T[], void, undefined>;

  getAccount(withParts?: string[]): Promise<KommoAccount>;
  users(): AsyncGenerator<KommoUser[], void, undefined>;
  /** Start a Salesbot for a lead (202: Kommo queued the run; docs/kommo.md §5). */
  runSalesbot(botId: number, leadId: number): Promise<void>;
  /** One user with their rights (admin flag, group, lead rights). */
  getUser(id: number): Promise<KommoUser>;
  pipelines(): Promise<KommoPipeline[]>;
  customFields(entity: NoteEntity): AsyncGenerator<KommoCustomField[], void, undefined>;

  leads(query?: LeadsQuery): AsyncGenerator<KommoLead[], void, undefined>;
  getLead(id: number, withParts?: string[]): Promise<KommoLead>;
  updateLead(id: number, patch: LeadPatch): Promise<KommoUpdated>;
  /** Ids in input order. */
  updateLeads(patches: LeadPatchWithId[], opts?: BatchOptions): Promise<number[]>;
  /** Created ids in input order. */
  createLeads(leads: NewLead[], opts?: BatchOptions): Promise<number[]>;

  contacts(query?: ContactsQuery): AsyncGenerator<KommoContact[], void, undefined>;
  getContact(id: number, withParts?: string[]): Promise<KommoContact>;
  /** First page of Kommo's search (phone, email, name). */
  findContacts(query: string): Promise<KommoContact[]>;
  companies(query?: CompaniesQuery): AsyncGenerator<KommoCompany[], void, undefined>;

  tasks(query?: TasksQuery): AsyncGenerator<KommoTask[], void, undefined>;
  createTasks(tasks: NewTask[], opts?: BatchOptions): Promise<number[]>;
  updateTask(id: number, patch: TaskPatch): Promise<KommoUpdated>;

  createNotes(entity: NoteEntity, notes: NewNote[], opts?: BatchOptions): Promise<number[]>;
  leadNotes(leadId: number): AsyncGenerator<KommoNote[], void, undefined>;

  /** Calls Kommo could not attach to a contact come back in `errors`, not as a throw. */
  createCalls(calls: NewCall[], opts?: BatchOptions): Promise<{ created: KommoCallResult[]; errors: unknown[] }>;
  events(query?: EventsQuery): AsyncGenerator<KommoEvent[], void, undefined>;

  listWebhooks(): Promise<KommoWebhook[]>;
  subscribeWebhook(destination: string, settings: string[]): Promise<KommoWebhook>;
  unsubscribeWebhook(destination: string): Promise<void>;

  /** POST to the `return_url` a Salesbot `widget_request` gave us; refuses any host but the account's. */
  salesbotContinue(returnUrl: string, body: SalesbotContinueBody): Promise<void>;
}
