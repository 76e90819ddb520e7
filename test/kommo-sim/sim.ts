/** KommoSim: a stateful Kommo account over real HTTP on 127.0.0.1, for integration tests and the demo. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientWrites, type ClientWrote, type Salesbot } from './chats.js';
import { SimCore } from './core.js';
import { Faults } from './faults.js';
import { type OAuthCounters, OAuthStore } from './oauth.js';
import { isRateLimited, maxInWindow, SlidingWindowLimiter } from './rate-limit.js';
import { Router } from './router.js';
import { registerAccountRoutes } from './routes-account.js';
import { registerContactRoutes } from './routes-contacts.js';
import { registerLeadRoutes } from './routes-leads.js';
import { registerMiscRoutes } from './routes-misc.js';
import { addNote, registerNoteRoutes } from './routes-notes.js';
import { registerTaskRoutes } from './routes-tasks.js';
import { commitLead, commitSimple, insertLead, newCompany, newContact, newLead } from './mutations.js';
import { seedState, type SeedCounts } from './seed.js';
import { createSimServer, type RequestLog } from './server.js';
import { createState, nextId, type SimState } from './state.js';
import type { Company, Contact, CustomField, EntityKind, Lead, Note, SimEvent, Status } from './types.js';
/** The account as webhook bodies name it (see test/fixtures/kommo-webhooks.ts for the builders). */
export interface AccountRef {
  id: number;
  subdomain: string;
  baseUrl: string;
}

export interface SimOptions {
  /** 0/undefined = random free port on 127.0.0.1 */
  port?: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** default 30000001 */
  accountId?: number;
  /** default 'simco' */
  subdomain?: string;
  /** default 7; over it → 429 */
  rateLimitRps?: number;
  /** default 86400 */
  accessTokenTtlSec?: number;
  /** default 90 days */
  refreshTokenTtlSec?: number;
  /** defaults: 5 users, 50 leads, 30 contacts, 5 companies; `random` = PRNG seed (default 42) */
  seed?: SeedCounts;
}

export class KommoSim {
  /** '127.0.0.1:PORT' (what Kommo sends as `referer`) */
  readonly host: string;
  /** 'http://127.0.0.1:PORT' */
  readonly baseUrl: string;
  readonly accountId: number;
  readonly subdomain: string;
  readonly state: SimState;
  /** Every request (path without query), `at` = Date.now() on arrival, including throttled/blocked ones. */
  readonly requests: RequestLog[];
  readonly faults: Faults;
  private readonly core: SimCore;
  private readonly oauth: OAuthStore;
  private readonly limiter: SlidingWindowLimiter;
  private readonly server: Server;
  private readonly integration: { clientId: string; clientSecret: string };

  private constructor(init: {
    host: string;
    core: SimCore;
    oauth: OAuthStore;
    faults: Faults;
    limiter: SlidingWindowLimiter;
    server: Server;
    requests: RequestLog[];
    integration: { clientId: string; clientSecret: string };
  }) {
    this.host = init.host;
    this.baseUrl = `http://${init.host}`;
    this.core = init.core;
    this.state = init.core.state;
    this.accountId = this.state.account.id;
    this.subdomain = this.state.account.subdomain;
    this.oauth = init.oauth;
    this.faults = init.faults;
    this.limiter = init.limiter;
    this.server = init.server;
    this.requests = init.requests;
    this.integration = init.integration;
    this.state.chats.integration = init.integration;
  }

  static async start(opts: SimOptions): Promise<KommoSim> {
    const subdomain = opts.subdomain ?? 'simco';
    const accountId = opts.accountId ?? 30_000_001;
    const state = createState({
      id: accountId,
      name: `${subdomain[0]!.toUpperCase()}${subdomain.slice(1)} Ltd`,
      subdomain,
      country: 'BR',
      currency: 'USD',
      currency_symbol: '$',
      amojo_id: `${accountId.toString(16).padStart(8, '0')}-5153-4e8a-9c1d-000000000001`,
      created_at: Math.floor(Date.now() / 1000) - 400 * 86400,
      current_user_id: 0,
    });
    const core = new SimCore(state);
    seedState(state, opts.seed ?? {}, core.now());
    const oauth = new OAuthStore(core, {
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      redirectUri: opts.redirectUri,
      accessTokenTtlSec: opts.accessTokenTtlSec ?? 86_400,
      refreshTokenTtlSec: opts.refreshTokenTtlSec ?? 90 * 86_400,
    });
    const faults = new Faults(oauth);
    const limiter = new SlidingWindowLimiter(opts.rateLimitRps ?? 7);
    const router = new Router();
    registerAccountRoutes(router, core);
    registerLeadRoutes(router, core);
    registerContactRoutes(router, core);
    registerTaskRoutes(router, core);
    registerNoteRoutes(router, core);
    registerMiscRoutes(router, core);
    const requests: RequestLog[] = [];
    const server = createSimServer({ router, oauth, faults, limiter, requests });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const host = `127.0.0.1:${port}`;
    core.baseUrl = `http://${host}`;
    return new KommoSim({ host, core, oauth, faults, limiter, server, requests, integration: { clientId: opts.clientId, clientSecret: opts.clientSecret } });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- OAuth ------------------------------------------------------------------------------------------

  /** One-time code, valid 20 min (sim clock), for POST /oauth2/access_token. */
  issueAuthCode(): string {
    return this.oauth.issueAuthCode();
  }

  /** A valid token pair without the HTTP exchange (counters untouched). */
  issueTokens(): { token_type: 'Bearer'; expires_in: number; access_token: string; refresh_token: string } {
    return this.oauth.issueTokens();
  }

  /** Live counters: tokenExchanges, refreshes, failedRefreshes. */
  get counters(): OAuthCounters {
    return this.oauth.counters;
  }

  // ---- clock, rate limit, request log -----------------------------------------------------------------

  /** Sim clock (unix seconds): real time + tick() offset. Used for updated_at and token/code expiry. */
  now(): number {
    return this.core.now();
  }

  /** Advances the sim clock by `seconds` (tokens and codes expire against it too). */
  tick(seconds: number): number {
    this.core.clockOffsetSec += seconds;
    return this.core.now();
  }

  /**
   * Max number of rate-limited requests (any status) in any sliding window of `windowMs` (default 1000): the
   * same set the limiter counts, /api/v4 and the /oauth2 token endpoint on the account host.
   */
  maxRequestsPerWindow(windowMs = 1000): number {
    return maxInWindow(
      this.requests.filter((r) => isRateLimited(r.path)).map((r) => r.at),
      windowMs,
    );
  }

  setRateLimit(rps: number): void {
    this.limiter.rps = rps;
  }

  /** Clears the request log and the limiter window. */
  clearRequests(): void {
    this.requests.length = 0;
    this.limiter.reset();
  }

  /** The account for the webhook body builders in test/fixtures/kommo-webhooks.ts. */
  get accountRef(): AccountRef {
    return { id: this.accountId, subdomain: this.subdomain, baseUrl: this.baseUrl };
  }

  // ---- mutation helpers (bump updated_at, record events, like Kommo) -----------------------------------

  updateLead(id: number, patch: Partial<Lead>): Lead {
    const lead = this.mustGet(this.state.leads, id, 'lead');
    const { _embedded, ...rest } = patch;
    const next: Partial<Lead> = { ...rest };
    if (_embedded) next._embedded = { ...lead._embedded, ..._embedded };
    return commitLead(this.core, lead, next);
  }

  addLead(l: Partial<Lead> = {}): Lead {
    return insertLead(this.core, newLead(this.core, l));
  }

  /** Removes the lead (Kommo's API then no longer returns it) and records lead_deleted. */
  deleteLead(id: number): void {
    if (this.state.leads.delete(id)) this.core.addEvent('lead_deleted', 'lead', id);
  }

  updateContact(id: number, patch: Partial<Contact>): Contact {
    const c = this.mustGet(this.state.contacts, id, 'contact');
    const { _embedded, ...rest } = patch;
    const next: Partial<Contact> = { ...rest };
    if (_embedded) next._embedded = { ...c._embedded, ..._embedded };
    return commitSimple(this.core, 'contact', c, next);
  }

  addContact(c: Partial<Contact> = {}): Contact {
    const contact = newContact(this.core, c);
    this.state.contacts.set(contact.id, contact);
    this.core.addEvent('contact_added', 'contact', contact.id);
    return contact;
  }

  updateCompany(id: number, patch: Partial<Company>): Company {
    const c = this.mustGet(this.state.companies, id, 'company');
    const { _embedded, ...rest } = patch;
    const next: Partial<Company> = { ...rest };
    if (_embedded) next._embedded = { ...c._embedded, ..._embedded };
    return commitSimple(this.core, 'company', c, next);
  }

  addCompany(c: Partial<Company> = {}): Company {
    const company = newCompany(this.core, c);
    this.state.companies.set(company.id, company);
    this.core.addEvent('company_added', 'company', company.id);
    return company;
  }

  /** Adds a note as if a user wrote it in Kommo. */
  addNote(entity: EntityKind, entityId: number, noteType: string, params: Record<string, unknown>): Note {
    return addNote(this.core, entity, entityId, noteType, params);
  }

  addEvent(type: string, entityType: string, entityId: number, valueAfter: unknown[] = [], valueBefore: unknown[] = []): SimEvent {
    return this.core.addEvent(type, entityType, entityId, valueAfter, valueBefore);
  }

  addPipelineStatus(pipelineId: number, name: string, opts: { sort?: number; color?: string } = {}): Status {
    const p = this.mustGet(this.state.pipelines, pipelineId, 'pipeline');
    const regular = p._embedded.statuses.filter((s) => s.id !== 142 && s.id !== 143);
    const status: Status = {
      id: nextId(this.state, 'status'),
      name,
      sort: opts.sort ?? Math.max(0, ...regular.map((s) => s.sort)) + 10,
      is_editable: true,
      pipeline_id: p.id,
      color: opts.color ?? '#99ccff',
      type: 0,
      account_id: this.accountId,
    };
    p._embedded.statuses.push(status);
    return status;
  }

  /**
   * Deletes a stage. Kommo's docs: "leads located in the deleted stage will be moved to the first pipeline stage";
   * they move to `opts.moveTo` (default: the pipeline's first regular stage). Whether Kommo bumps their updated_at is
   * undocumented: by default it does not (the move is silent, no events); `bumpUpdatedAt: true` makes it a normal
   * status change (updated_at, lead_status_changed event).
   */
  deletePipelineStatus(pipelineId: number, statusId: number, opts: { moveTo?: number; bumpUpdatedAt?: boolean } = {}): void {
    const p = this.mustGet(this.state.pipelines, pipelineId, 'pipeline');
    if (statusId === 142 || statusId === 143) throw new Error('statuses 142/143 cannot be deleted');
    p._embedded.statuses = p._embedded.statuses.filter((s) => s.id !== statusId);
    const target = opts.moveTo ?? p._embedded.statuses.filter((s) => s.type === 0 && s.id !== 142 && s.id !== 143).sort((a, b) => a.sort - b.sort)[0]?.id;
    if (target === undefined) return;
    for (const lead of this.state.leads.values()) {
      if (lead.pipeline_id !== pipelineId || lead.status_id !== statusId) continue;
      if (opts.bumpUpdatedAt) commitLead(this.core, lead, { status_id: target });
      else lead.status_id = target;
    }
  }

  addCustomField(entity: EntityKind, f: Partial<CustomField> & { name: string; type: string }): CustomField {
    const field: CustomField = {
      account_id: this.accountId,
      code: null,
      sort: 500 + this.state.customFields[entity].size * 10,
      is_api_only: false,
      enums: null,
      group_id: null,
      required_statuses: [],
      is_deletable: true,
      is_predefined: false,
      remind: null,
      settings: null,
      ...f,
      id: f.id ?? nextId(this.state, 'field'),
      entity_type: entity,
    };
    if (field.enums) field.enums = field.enums.map((e, i) => ({ id: e.id || nextId(this.state, 'enum'), value: e.value, sort: e.sort ?? (i + 1) * 10 }));
    this.state.customFields[entity].set(field.id, field);
    return field;
  }

  /** Deletes a custom field and its values from every entity (Kommo does not bump updated_at for this). */
  deleteCustomField(entity: EntityKind, fieldId: number): void {
    this.state.customFields[entity].delete(fieldId);
    const store: Map<number, { custom_fields_values: Lead['custom_fields_values'] }> =
      entity === 'leads' ? this.state.leads : entity === 'contacts' ? this.state.contacts : this.state.companies;
    for (const e of store.values()) {
      if (!e.custom_fields_values) continue;
      const rest = e.custom_fields_values.filter((v) => v.field_id !== fieldId);
      e.custom_fields_values = rest.length ? rest : null;
    }
  }

  // ---- chats and Salesbot (chats.ts) ------------------------------------------------------------------

  /**
   * A Salesbot whose step is the widget's `widget_request` (url and data as the widget's designer Save returns
   * them); it runs on every incoming message of a lead in `stage` (every lead without one).
   */
  addSalesbot(bot: Omit<Salesbot, 'id'>): Salesbot {
    const chats = this.state.chats;
    const saved: Salesbot = { ...bot, id: chats.seq.salesbot++ };
    chats.salesbots.set(saved.id, saved);
    return saved;
  }

  /**
   * The lead's client writes in a messenger: the message is stored, `add_message` is POSTed to every
   * subscribed destination, and each Salesbot on the lead's stage sends its widget_request. Resolves when
   * every one of those requests has been answered; what each answered is in the result.
   */
  clientWrites(leadId: number, text: string, opts: { origin?: string } = {}): Promise<ClientWrote> {
    return clientWrites(this.core, this.state.chats, this.integration, leadId, text, opts);
  }

  /** The chat of a lead as the client sees it, oldest first. */
  chatOf(leadId: number) {
    return this.state.chats.messages.filter((m) => m.leadId === leadId);
  }

  // ---- outbound ---------------------------------------------------------------------------------------

  /** POSTs a webhook the way Kommo does: application/x-www-form-urlencoded. */
  sendWebhook(url: string, formBody: string): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'amoCRM-Webhooks/3.0' },
      body: formBody,
    });
  }

  private mustGet<T>(map: Map<number, T>, id: number, what: string): T {
    const v = map.get(id);
    if (!v) throw new Error(`kommo-sim: no ${what} ${id}`);
    return v;
  }
}
