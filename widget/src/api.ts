/**
 * The only module that talks to the backend. Every call goes through Kommo's `self.$authorizedAjax`,
 * which adds the one-time `X-Auth-Token` the backend verifies. The types below are the API contract
 * the backend implements; the UI uses nothing outside them.
 */
import { BACKEND_URL } from './env.js';
import type { KommoWidget } from './kommo.js';

// ---------- contract ----------

export type ConnectionState = 'connected' | 'reauth_required' | 'disconnected' | 'not_installed';
export type SyncState = 'never' | 'queued' | 'running' | 'completed' | 'failed';

export interface IntegrationStatus {
  /** `reason`: why the connection is not `connected` (e.g. the refresh token was revoked), when known. */
  connection: { state: ConnectionState; host: string | null; name: string | null; reason?: string | null };
  sync: {
    id?: number | null;
    state: SyncState;
    /** The step a running sync is in: users, pipelines, fields, task_types, contacts, companies, leads, done. */
    phase?: string | null;
    progress: { done: number; total: number | null; percent: number | null };
    startedAt: string | null;
    finishedAt: string | null;
    error: string | null;
    counts?: Record<string, unknown>;
  };
  counts: Record<string, number>;
}

export interface PipelineStatus {
  id: number;
  name: string;
  color: string | null;
  sort: number;
  /** Kommo's status type: 0 a normal stage, 1 "incoming leads"; won (142) and lost (143) are statuses too. */
  type?: number;
}
export interface Pipeline {
  id: number;
  name: string;
  sort: number;
  statuses: PipelineStatus[];
}

export interface CrmField {
  entity: 'leads' | 'contacts' | 'companies';
  id: number;
  name: string;
  code: string | null;
  type: string;
  enums?: { id: number; value: string; sort: number }[] | null;
}

// One list for the server's tools and this contract (server/modules/actions/action-names.ts has no imports).
import { ACTION_TYPES, APPROVAL_KEYS, type ActionType, type ApprovalKey } from '../../server/modules/actions/action-names.js';
export { DEMO_MODEL } from '../../server/llm/demo-model.js';
export { ACTION_TYPES, APPROVAL_KEYS, type ActionType, type ApprovalKey };

export type ToolFailurePolicy = 'handoff' | 'notify';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface WorkingHours {
  timezone: string;
  schedule: Record<Weekday, [string, string][]>;
}

export interface AgentInput {
  name: string;
  instructions: string;
  model: string;
  temperature: number;
  language: 'auto' | string;
  tone: string;
  mode: 'draft' | 'autopilot';
  workingHours: WorkingHours | null;
  replyDelaySec: number;
  maxRepliesPerLeadPerDay: number;
  allowedActions: ActionType[];
  approvalRequired: ApprovalKey[];
  /** `handoff`: a failed CRM action hands the lead to a person; `notify`: only tell the responsible user. */
  handoff: { keywords: string[]; afterTurns: number | null; onToolFailure: ToolFailurePolicy };
  /** After a person writes to the client, the agent stays quiet on that lead this long (0: never pauses). */
  humanReplyPauseMinutes: number;
  /** Longer replies are cut at a sentence boundary. */
  maxReplyChars: number;
}
export type Agent = AgentInput & { id: number; createdAt: string; updatedAt: string };

/** `agentId: null` only in a PUT (unbind); the list holds bound stages only. */
/** What the stage's agent does when a lead enters the stage by any route: nothing, write first, or wait for the client. */
export type OnStageEnter = 'off' | 'greet' | 'wait';

export interface Binding {
  pipelineId: number;
  statusId: number;
  agentId: number | null;
  onStageEnter?: OnStageEnter;
  /** The agent may answer by email when the client wrote by email. */
  replyByEmail?: boolean;
}

export type ChecklistKey = 'connection' | 'agent' | 'channels' | 'mail_llm';
/** The first-run checklist (server/modules/setup). */
export interface Checklist {
  checks: { key: ChecklistKey; ok: boolean; problem: string | null; detail: Record<string, unknown> }[];
  done: number;
  total: number;
}

/** A follow-up sequence as a picker needs it. */
export interface SequenceOption {
  id: number;
  name: string;
  enabled: boolean;
}

export interface StageRef {
  pipelineId: number;
  statusId: number;
}
export interface Script {
  id: number;
  agentId: number | null;
  name: string;
  body: string;
  stages: StageRef[];
}
export type ScriptInput = Omit<Script, 'id'>;

export interface ScriptVariable {
  key: string;
  label: string;
}

export type KnowledgeKind = 'text' | 'markdown' | 'faq' | 'upload';
export interface KnowledgeEntry {
  id: number;
  kind: KnowledgeKind;
  title: string;
  /** For an FAQ entry: "Q: …\nA: …", with the parts in `question` / `answer`. */
  content: string;
  question?: string | null;
  answer?: string | null;
  createdAt: string;
}
export type KnowledgeInput =
  | { kind: 'text' | 'markdown' | 'upload'; title: string; content: string }
  | { kind: 'faq'; title: string; question: string; answer: string };

export interface PlaygroundInput {
  message: string;
  leadId?: number;
  lead?: { name?: string; price?: number; fields?: Record<string, string> };
}
/** A tool call the playground's model made: checked like a real turn's, described in words when valid. */
export interface ProposedAction {
  type: string;
  args: unknown;
  valid: boolean;
  error?: string;
  summary?: string;
}
export interface PlaygroundResult {
  reply: string;
  /** When a guardrail replaced the model's reply, as in a real turn. */
  guardrail?: { rule: string; reason: string; original: string } | null;
  actions: ProposedAction[];
  citations: { entryId: number; title: string }[];
  /** The knowledge chunks the turn's search put into the prompt, best first. */
  retrieved?: { chunkId: number; entryId: number; title: string; text: string }[];
}

/** What the operator lets agents use: `GET /api/models`. An agent saved with another model runs on `default`. */
export interface ModelList {
  items: string[];
  default: string;
}

/** The languages the server writes notes, briefs and emails in. */
export const SERVER_LANGS = ['en', 'es', 'pt', 'ru'] as const;
export type ServerLang = (typeof SERVER_LANGS)[number];
/** `GET /api/account/language`: what the server writes in (the admin's override, else Kommo's, else English). */
export interface AccountLanguage {
  language: ServerLang;
  override: ServerLang | null;
  /** The language Kommo gives the account, as Kommo spells it; null until the first sync. */
  kommo: string | null;
}
/** The account's model usage this calendar month (UTC) against its budget: `GET /api/usage` (admins). */
export interface Usage {
  month: string;
  used: { promptTokens: number; completionTokens: number; tokens: number; costUsd: number; turns: number; playgroundRuns: number };
  /** What applies (null: no limit); `defaults` are the operator's, `override` the account's own (null: not set). */
  limit: { usd: number | null; tokens: number | null };
  defaults: { usd: number | null; tokens: number | null };
  override: { usd: number | null; tokens: number | null };
  exhausted: boolean;
  exhaustedBy: 'usd' | 'tokens' | null;
  resetsAt: string;
}
/** A number sets the account's own (lower) limit; null goes back to the default. */
export interface BudgetInput {
  monthlyUsd?: number | null;
  monthlyTokens?: number | null;
}

export type LeadActionStatus = 'done' | 'undone' | 'failed' | 'pending_approval';
export interface LeadAgentState {
  leadId: number;
  /**
   * `model`: what answers; `modelFallback` when the agent's own model has left the operator's list and the
   * default answers instead (older backends leave both out).
   */
  agent: {
    id: number;
    name: string;
    mode: 'draft' | 'autopilot';
    model?: string;
    modelFallback?: { configured: string; used: string } | null;
  } | null;
  stage: { pipelineId: number; statusId: number; name: string } | null;
  paused: boolean;
  pausedUntil: string | null;
  handoff: { active: boolean; reason: string | null };
  drafts: {
    id: number;
    text: string;
    createdAt: string;
    /** The client's messages this draft answers (older backends leave it out). */
    repliesTo?: string[];
    /** When a guardrail replaced the model's reply: which rule, why, and what the model wrote. */
    guardrail?: { rule: string; reason: string; original: string | null } | null;
    /** How approving will reach the client; `note`: a person sends it, `why` says why. */
    reach?: { via: 'salesbot' | 'email' | 'note'; why: 'no_channel' | 'salesbot_closed' | null };
  }[];
  actions: { id: number; type: string; summary: string; status: LeadActionStatus; undoable: boolean; createdAt: string }[];
  /** `model`: what wrote the reply (older backends leave it out); DEMO_MODEL gets a visible badge. */
  replies: { id: number; text: string; createdAt: string; model?: string | null }[];
  /** The account's monthly AI budget is used up: no agent replies until `resetsAt` (older backends leave it out). */
  budget?: { exhausted: boolean; resetsAt: string };
}

export interface ActivityItem {
  id: number;
  type: string;
  title: string;
  description: string | null;
  userId: number | null;
  leadId: number | null;
  agentId: number | null;
  metadata: Record<string, unknown> | null;
  /** What the entry is worded from in the viewer's language (ui/activity-text.ts); null on entries older than that. */
  params?: Record<string, unknown> | null;
  createdAt: string;
}
/** How an approved draft went out: through the open Salesbot request, by email, or as a note for a person to send. */
export type DraftVia = 'salesbot' | 'email' | 'note';
/** Why a manager discarded a draft (server: DISCARD_REASONS). */
export const DISCARD_REASONS = ['wrong_facts', 'wrong_tone', 'not_needed', 'handled_myself', 'other'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

export interface ActivityPage {
  items: ActivityItem[];
  nextCursor: string | null;
}
export interface ActivityQuery {
  limit?: number;
  cursor?: string;
  type?: string;
  agentId?: number;
  leadId?: number;
  from?: string;
  to?: string;
}

interface Items<T> {
  items: T[];
}

// ---------- errors ----------

/** A refused field: the server's English message, and a code (with values) the widget words in the user's language. */
export interface ApiFieldError {
  field: string;
  message: string;
  code?: string;
  vars?: Record<string, string | number>;
}

/** An `application/problem+json` answer, or a network failure turned into the same shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: ApiFieldError[] = [],
    readonly requestId: string | null = null,
  ) {
    super(detail || title);
    this.name = 'ApiError';
  }
}

interface XhrLike {
  status?: number;
  responseJSON?: unknown;
  responseText?: string;
  getResponseHeader?: (name: string) => string | null;
}

/**
 * An ApiError by its shape, not its class: admin.js carries its own copy of this module, so an error the
 * page's API client (script.js) made is not an `instanceof` admin.js's class.
 */
export function isApiError(v: unknown): v is ApiError {
  if (v instanceof ApiError) return true;
  const e = v as Partial<ApiError> | null;
  return !!e && typeof e === 'object' && e.name === 'ApiError' && typeof e.status === 'number' && typeof e.code === 'string' && Array.isArray(e.errors);
}

/** Build an ApiError from whatever `$authorizedAjax` rejected with (a jqXHR, an Error, anything). */
export function toApiError(failure: unknown): ApiError {
  if (isApiError(failure)) return failure;
  const xhr = (failure ?? {}) as XhrLike;
  const status = typeof xhr.status === 'number' ? xhr.status : 0;
  let body: unknown = xhr.responseJSON;
  if (body === undefined && typeof xhr.responseText === 'string' && xhr.responseText) {
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = undefined;
    }
  }
  const p = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const errors = Array.isArray(p.errors)
    ? p.errors
        .filter((e): e is { field: unknown; message: unknown; code?: unknown; vars?: unknown } => !!e && typeof e === 'object')
        .map(
          (e): ApiFieldError => ({
            field: String(e.field ?? ''),
            message: String(e.message ?? ''),
            ...(typeof e.code === 'string' ? { code: e.code } : {}),
            ...(e.vars && typeof e.vars === 'object' ? { vars: e.vars as Record<string, string | number> } : {}),
          }),
        )
    : [];
  const code = str(p.code) || (status === 0 ? 'NETWORK' : `HTTP_${status}`);
  const fallback = failure instanceof Error ? failure.message : '';
  return new ApiError(status, code, str(p.title), str(p.detail) || fallback, errors, str(p.requestId) || null);
}

// ---------- client ----------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function createApi(self: KommoWidget, baseUrl: string = BACKEND_URL) {
  const base = baseUrl.replace(/\/+$/, '');
  let meOnce: Promise<Me> | null = null;

  function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let pending: PromiseLike<unknown>;
      try {
        pending = self.$authorizedAjax({
          url: base + path,
          type: method,
          data: body === undefined ? undefined : JSON.stringify(body),
          contentType: 'application/json',
          dataType: 'json',
        });
      } catch (err) {
        reject(toApiError(err));
        return;
      }
      pending.then(
        (data) => resolve(data as T),
        (failure) => reject(toApiError(failure)),
      );
    });
  }

  const id = (n: number) => encodeURIComponent(String(n));

  return {
    ...draftsHandoffApi(call),
    status: () => call<IntegrationStatus>('GET', '/api/integrations/status'),
    startSync: () => call<{ syncRunId: number; state: SyncState }>('POST', '/api/integrations/sync', {}),
    pipelines: () => call<Items<Pipeline>>('GET', '/api/pipelines'),
    fields: () => call<Items<CrmField>>('GET', '/api/fields'),

    agents: () => call<Items<Agent>>('GET', '/api/agents'),
    agent: (agentId: number) => call<Agent>('GET', `/api/agents/${id(agentId)}`),
    createAgent: (input: AgentInput) => call<Agent>('POST', '/api/agents', input),
    updateAgent: (agentId: number, patch: Partial<AgentInput>) => call<Agent>('PATCH', `/api/agents/${id(agentId)}`, patch),
    deleteAgent: (agentId: number) => call<void>('DELETE', `/api/agents/${id(agentId)}`),

    /** The account's Digital Pipeline token, which each DP action must carry in its `setting` (admins only). */
    dpToken: () => call<{ token: string; setting: string }>('GET', '/api/integrations/dp-token'),

    putBinding: (binding: Binding) => call<Items<Binding>>('PUT', '/api/bindings', binding),
    /** The first-run checklist: connection and sync, an agent on a stage, the Salesbot channel, mailbox and model. */
    checklist: () => call<Checklist>('GET', '/api/setup/checklist'),
    /** The account's sequences, for pickers (the Digital Pipeline action's sequence). */
    sequenceOptions: () => call<Items<SequenceOption>>('GET', '/api/sequences'),

    scripts: (agentId?: number) => call<Items<Script>>('GET', `/api/scripts${query({ agentId })}`),
    createScript: (input: ScriptInput) => call<Script>('POST', '/api/scripts', input),
    updateScript: (scriptId: number, patch: Partial<ScriptInput>) => call<Script>('PATCH', `/api/scripts/${id(scriptId)}`, patch),
    deleteScript: (scriptId: number) => call<void>('DELETE', `/api/scripts/${id(scriptId)}`),
    scriptVariables: () => call<{ variables: ScriptVariable[] }>('GET', '/api/scripts/variables'),
    previewScript: (body: string, leadId: number) => call<{ rendered: string }>('POST', '/api/scripts/preview', { body, leadId }),

    knowledge: (agentId: number) => call<Items<KnowledgeEntry>>('GET', `/api/agents/${id(agentId)}/knowledge`),
    addKnowledge: (agentId: number, input: KnowledgeInput) => call<KnowledgeEntry>('POST', `/api/agents/${id(agentId)}/knowledge`, input),
    deleteKnowledge: (entryId: number) => call<void>('DELETE', `/api/knowledge/${id(entryId)}`),

    playground: (agentId: number, input: PlaygroundInput) => call<PlaygroundResult>('POST', `/api/agents/${id(agentId)}/playground`, input),

    models: () => call<ModelList>('GET', '/api/models'),
    usage: () => call<Usage>('GET', '/api/usage'),
    setBudget: (input: BudgetInput) => call<Usage>('PUT', '/api/usage/budget', input),
    accountLanguage: () => call<AccountLanguage>('GET', '/api/account/language'),
    setAccountLanguage: (override: ServerLang | null) => call<AccountLanguage>('PUT', '/api/account/language', { override }),

    leadAgent: (leadId: number) => call<LeadAgentState>('GET', `/api/leads/${id(leadId)}/agent`),
    pauseLead: (leadId: number, minutes?: number) =>
      call<LeadAgentState>('POST', `/api/leads/${id(leadId)}/agent/pause`, minutes === undefined ? {} : { minutes }),
    resumeLead: (leadId: number) => call<LeadAgentState>('POST', `/api/leads/${id(leadId)}/agent/resume`, {}),
    approveDraft: (draftId: number, text?: string) =>
      call<{ status: 'sent'; via: DraftVia }>('POST', `/api/drafts/${id(draftId)}/approve`, text === undefined ? {} : { text }),
    /** The last `days` days, or one calendar month (`month`: YYYY-MM, UTC). */
    quality: (q: { days?: number; month?: string; leadId?: number } = {}) =>
      call<QualitySummary>('GET', `/api/quality${query({ days: q.days, month: q.month, leadId: q.leadId })}`),
    /** `reason`: why, from the card's picker (the quality figures count them). */
    discardDraft: (draftId: number, reason?: DiscardReason) =>
      call<{ status: 'discarded' }>('POST', `/api/drafts/${id(draftId)}/discard`, reason ? { reason } : {}),
    /** 409 when the action cannot be undone (its type, or it is no longer `done`). */
    undoAction: (actionId: number) => call<{ id: number; status: 'undone' }>('POST', `/api/actions/${id(actionId)}/undo`, {}),
    /** Execute an action that waits for approval; 409 when it no longer waits. */
    approveAction: (actionId: number) => call<{ id: number; status: string }>('POST', `/api/actions/${id(actionId)}/approve`, {}),

    activity: (q: ActivityQuery = {}) =>
      call<ActivityPage>(
        'GET',
        `/api/dashboard/updates${query({ limit: q.limit, cursor: q.cursor, type: q.type, agentId: q.agentId, leadId: q.leadId, from: q.from, to: q.to })}`,
      ),

    // ---------- roles and lead-card automation (one block: keep it together) ----------
    /** Who the widget talks for; the UI hides what a non-admin may not do (the server enforces it). */
    /**
     * `GET /api/me`, asked once per widget instance and shared by every area of the page, admin.js included
     * (it gets this same object); a failed answer is forgotten, so the next screen asks again.
     */
    me: () => {
      if (!meOnce) {
        const pending = call<Me>('GET', '/api/me');
        meOnce = pending;
        pending.catch(() => {
          if (meOnce === pending) meOnce = null;
        });
      }
      return meOnce;
    },
    automationRules: () => call<Items<AutomationRule>>('GET', '/api/rules'),
    /** Admins only: switch a rule on or off (a new version of it). */
    setRuleEnabled: (ruleId: number, enabled: boolean) => call<AutomationRule>('PATCH', `/api/rules/${id(ruleId)}`, { enabled }),
    automationSequences: () => call<Items<AutomationSequence>>('GET', '/api/sequences'),
    /** Admins only. */
    setSequenceEnabled: (sequenceId: number, enabled: boolean) => call<AutomationSequence>('PATCH', `/api/sequences/${id(sequenceId)}`, { enabled }),
    leadEnrollments: (leadId: number) => call<Items<Enrollment>>('GET', `/api/leads/${id(leadId)}/enrollments`),
    /** 409 says why the lead cannot be enrolled (disabled sequence, already in it, closed lead, not synced yet). */
    enrollLead: (leadId: number, sequenceId: number) => call<Enrollment>('POST', `/api/leads/${id(leadId)}/enrollments`, { sequenceId }),
    /** 409 when the enrollment is not in a state the action applies to. */
    controlEnrollment: (enrollmentId: number, action: EnrollmentAction) => call<Enrollment>('POST', `/api/enrollments/${id(enrollmentId)}/${action}`, {}),

    // ---------- knowledge sources (one block: keep it together) ----------
    knowledgeSources: knowledgeSourceCalls(call),

    // ---------- stage setup (one block: keep it together) ----------
    stageSetup: stageSetupCalls(call),

    // ---------- automation admin: rule and sequence builders ----------
    users: () => call<Items<NamedRef>>('GET', '/api/users'),
    taskTypes: () => call<Items<NamedRef>>('GET', '/api/task-types'),
    mailTemplates: () => call<Items<MailTemplate>>('GET', '/api/mail/templates'),
    rules: () => call<Items<Rule>>('GET', '/api/rules'),
    createRule: (input: RuleInput) => call<Rule>('POST', '/api/rules', input),
    updateRule: (ruleId: number, patch: Partial<RuleInput>) => call<Rule>('PATCH', `/api/rules/${id(ruleId)}`, patch),
    deleteRule: (ruleId: number) => call<void>('DELETE', `/api/rules/${id(ruleId)}`),
    ruleHistory: (ruleId: number, limit = 50) => call<Items<RuleRun>>('GET', `/api/rules/${id(ruleId)}/history${query({ limit })}`),
    /** The dry run: what the rule would do for this lead now; writes nothing. */
    testRule: (ruleId: number, leadId: number, message?: string) =>
      call<DryRun>('POST', `/api/rules/${id(ruleId)}/test`, message ? { leadId, message } : { leadId }),
    sequences: () => call<Items<Sequence>>('GET', '/api/sequences'),
    createSequence: (input: SequenceInput) => call<Sequence>('POST', '/api/sequences', input),
    updateSequence: (sequenceId: number, patch: Partial<SequenceInput>) => call<Sequence>('PATCH', `/api/sequences/${id(sequenceId)}`, patch),
    deleteSequence: (sequenceId: number) => call<void>('DELETE', `/api/sequences/${id(sequenceId)}`),

    // ---------- email screens (one block: keep it together; contract at the end of the file) ----------
    /** Admins only: the mailbox (passwords never come back, only `passwordSet`). */
    mailSettings: () => call<MailSettingsView>('GET', '/api/mail/settings'),
    saveMailSettings: (body: MailSettingsInput) => call<MailSettingsView>('PUT', '/api/mail/settings', body),
    /** Log in to one side with the form's values (no password: the stored one) or the stored settings; nothing is sent. */
    testMailConnection: (side: 'smtp' | 'imap', server?: MailServerInput) =>
      call<MailConnectionResult>('POST', '/api/mail/settings/test', server ? { side, server } : { side }),
    mailFolders: () => call<Items<MailFolder>>('GET', '/api/mail/settings/folders'),
    leadEmails: (leadId: number) => call<LeadEmails>('GET', `/api/leads/${id(leadId)}/emails`),
    /** 202: queued; the server sends it from the account's mailbox and records it in the lead as a note. */
    sendEmail: (body: SendEmailInput) => call<OutboxEmail>('POST', '/api/mail/outbox', body),
    outbox: (q: { leadId?: number; status?: OutboxStatus } = {}) =>
      call<Items<OutboxEmail>>('GET', `/api/mail/outbox${query({ leadId: q.leadId, status: q.status })}`),
    retryEmail: (emailId: number) => call<OutboxEmail>('POST', `/api/mail/outbox/${id(emailId)}/retry`, {}),
    cancelEmail: (emailId: number) => call<OutboxEmail>('POST', `/api/mail/outbox/${id(emailId)}/cancel`, {}),
    emailTemplates: () => call<Items<EmailTemplate>>('GET', '/api/mail/templates'),
    createEmailTemplate: (t: EmailTemplateInput) => call<EmailTemplate>('POST', '/api/mail/templates', t),
    updateEmailTemplate: (templateId: number, t: EmailTemplateInput) => call<EmailTemplate>('PUT', `/api/mail/templates/${id(templateId)}`, t),
    deleteEmailTemplate: (templateId: number) => call<null>('DELETE', `/api/mail/templates/${id(templateId)}`),
    /** A template's text (saved or not) with the values given and, with `leadId`, the lead's own values under them. */
    renderEmailTemplate: (body: { subject: string; text: string | null; variables: Record<string, string>; leadId?: number }) =>
      call<{ subject: string; html: string | null; text: string }>('POST', '/api/mail/templates/render', body),
    /** The token's own user: notification emails on or off. */
    notificationPrefs: () => call<NotificationPrefs>('GET', '/api/mail/notifications'),
    /** `kinds`: only the kinds named change. */
    setNotificationPrefs: (enabled: boolean, kinds?: Partial<Record<NotificationKind, boolean>>) =>
      call<NotificationPrefs>('PUT', '/api/mail/notifications', kinds ? { enabled, kinds } : { enabled }),
  };
}

export type Api = ReturnType<typeof createApi>;

// ---------- roles and lead-card automation: contract (GET /api/me, server/modules/rules, server/modules/sequences) ----------

export interface Me {
  accountId: number;
  userId: number;
  isAdmin: boolean;
}

/** The part of a rule the lead card shows; `pipelineId`/`statusId` null: the rule applies account-wide (or pipeline-wide). */
export interface AutomationRule {
  id: number;
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  version: number;
  definition: { trigger: { type: string }; actions: { type: string }[] };
}

export interface AutomationSequence {
  id: number;
  name: string;
  enabled: boolean;
  pipelineId: number | null;
  statusId: number | null;
  definition: { steps: { type: string }[] };
}

export type EnrollmentStatus = 'active' | 'paused' | 'stopped' | 'completed';
export type EnrollmentAction = 'pause' | 'resume' | 'stop';
export interface Enrollment {
  id: number;
  sequenceId: number;
  sequenceName: string | null;
  leadId: number;
  status: EnrollmentStatus;
  /** The index of the step that runs next (0-based); `steps` the sequence's length. */
  step: number;
  steps: number | null;
  nextStep: string | null;
  nextRunAt: string | null;
  stopReason: string | null;
  createdAt: string;
}

// ---------- drafts_handoff: the agent's state on a lead, actions proposed with drafts, Hand off / Return ----------

/** Exactly one state of the agent on a lead, as the badge shows it. */
export type AgentLeadState =
  | { kind: 'not_configured' }
  | { kind: 'active' }
  | { kind: 'paused'; until: string | null; reason: string | null }
  | {
      kind: 'handed_off';
      to: { userId: number; name: string | null } | null;
      by: { userId: number; name: string | null } | null;
      reason: string | null;
      since: string | null;
    };

/** A CRM action proposed with a draft (draft mode): it runs only when the draft is approved. */
/** A CRM action proposed with a draft (it runs when the draft is approved). */
export interface DraftProposedAction {
  id: number;
  type: string;
  summary: string;
  /** The action's arguments in its tool's shape, editable before approval. */
  input: Record<string, unknown>;
}

/** What the backend adds to the lead panel (older backends leave it out). */
export interface LeadAgentState {
  state?: AgentLeadState;
}
/** Draft mode: the action kinds that run at once instead of waiting for the draft's approval (older backends leave it out). */
export interface AgentInput {
  runWithoutApproval?: ActionType[];
}
export type DraftWithActions = LeadAgentState['drafts'][number] & { actions?: DraftProposedAction[] };

/** The actions kept for approval: ids, optionally with edited arguments; unset means all of them. */
export type KeptActions = { id: number; args?: Record<string, unknown> }[];

/** The state a backend without `state` implies, from its older fields. */
export function agentLeadState(data: LeadAgentState): AgentLeadState {
  if (data.state) return data.state;
  if (!data.agent) return { kind: 'not_configured' };
  if (data.handoff.active) return { kind: 'handed_off', to: null, by: null, reason: data.handoff.reason, since: null };
  if (data.paused) return { kind: 'paused', until: data.pausedUntil, reason: null };
  return { kind: 'active' };
}

/** Hand off, return to the agent, and approve a draft with its kept actions; built on the client's own `call`. */
export function draftsHandoffApi(call: <T>(method: 'POST', path: string, body?: unknown) => Promise<T>) {
  const id = (n: number) => encodeURIComponent(String(n));
  return {
    handOffLead: (leadId: number, reason?: string) =>
      call<LeadAgentState>('POST', `/api/leads/${id(leadId)}/agent/handoff`, reason === undefined ? {} : { reason }),
    returnLeadToAgent: (leadId: number) => call<LeadAgentState>('POST', `/api/leads/${id(leadId)}/agent/return`, {}),
    /** A suggestion kept as a pending draft of the stage's agent (approved like any other draft). */
    insertDraft: (leadId: number, text: string) => call<{ draftId: number }>('POST', `/api/leads/${id(leadId)}/agent/drafts`, { text }),
    approveDraftWithActions: (draftId: number, text: string | undefined, actions: KeptActions | undefined) =>
      call<{ status: 'sent'; via: DraftVia | 'none' }>('POST', `/api/drafts/${id(draftId)}/approve`, {
        ...(text === undefined ? {} : { text }),
        ...(actions === undefined ? {} : { actions }),
      }),
  };
}

// ---------- knowledge sources: edit in place, share, URL import, file upload ----------

/** An entry as the server describes it now: shared with agents, with its source and an import's status. */
export interface KnowledgeSource extends Omit<KnowledgeEntry, 'kind'> {
  kind: KnowledgeKind | 'url' | 'file' | 'table';
  /** The imported URL or the uploaded file's name. */
  source?: string | null;
  /** `pending` while a URL import waits for its job; `failed` with `error`. */
  status?: 'ready' | 'pending' | 'failed';
  error?: string;
  agentIds?: number[];
}
export interface KnowledgePatch {
  title?: string;
  content?: string;
  question?: string;
  answer?: string;
  agentIds?: number[];
}
/** A chunk the playground's model was given. */
export interface RetrievedChunk {
  chunkId: number;
  entryId: number;
  title: string;
  text: string;
}

function knowledgeSourceCalls(call: <T>(method: Method, path: string, body?: unknown) => Promise<T>) {
  return {
    /** The account's entries, or those one agent uses. */
    list: (agentId?: number) => call<Items<KnowledgeSource>>('GET', `/api/knowledge${query({ agentId })}`),
    /** An entry of the account that no agent uses yet (share it with `update`). */
    create: (input: KnowledgeInput) => call<KnowledgeSource>('POST', '/api/knowledge', input),
    update: (entryId: number, patch: KnowledgePatch) => call<KnowledgeSource>('PATCH', `/api/knowledge/${encodeURIComponent(String(entryId))}`, patch),
    importUrl: (url: string, agentIds: number[]) => call<KnowledgeSource>('POST', '/api/knowledge/import-url', { url, agentIds }),
    /** PDF, DOCX, CSV or XLSX, base64 in JSON (the Kommo AJAX helper sends JSON). */
    upload: (fileName: string, contentBase64: string, agentIds: number[]) =>
      call<KnowledgeSource>('POST', '/api/knowledge/upload', { fileName, contentBase64, agentIds }),
  };
}

import type { DryRun, MailTemplate, NamedRef, Rule, RuleInput, RuleRun, Sequence, SequenceInput } from './automation-contract.js';

// ---------- stage setup: a pipeline stage as the unit of setup (server/modules/stages) ----------

/** What works one stage: its agent and binding, the script a turn there uses, the agent's knowledge, rules and sequences. */
export interface StageSetupItem extends StageRef {
  agent: { id: number; name: string; mode: 'draft' | 'autopilot' } | null;
  onStageEnter: OnStageEnter;
  replyByEmail: boolean;
  script: Script | null;
  knowledge: { count: number; items: { id: number; title: string; kind: string }[] };
  /** `scope`: the rule or sequence is this stage's own, its pipeline's, or the whole account's. */
  rules: { id: number; name: string; enabled: boolean; scope: 'stage' | 'pipeline' | 'account' }[];
  sequences: { id: number; name: string; enabled: boolean; scope: 'stage' | 'pipeline' | 'account' }[];
}
export interface StageSetup extends StageSetupItem {
  name: string;
  pipelineName: string;
  /** Open leads of the stage, to preview the script on one chosen by name. */
  leads: { id: number; name: string | null }[];
  /** Null without an agent. */
  quality: StageQuality | null;
}
/** What a board column adds: the agent's hours, how a reply reaches the client, and today's figures. */
export interface StageBoardExtras {
  /** null: the agent answers around the clock (or no agent works the stage). */
  workingHours?: WorkingHours | null;
  /** The Salesbot carrying our widget step, the mailbox; `reach`: how a reply goes out (a note when neither). */
  channels?: { salesbot: boolean; mailbox: boolean; reach: 'salesbot' | 'email' | 'note' };
  /** Since midnight in the account's timezone (`since`); drafts waiting whenever written. */
  today?: { since: string; replies: number; draftsWaiting: number; handoffs: number };
}
export interface StageBoardPipeline {
  id: number;
  name: string;
  stages: (StageSetupItem & StageBoardExtras & { name: string; color: string | null })[];
}

function stageSetupCalls(call: <T>(method: Method, path: string, body?: unknown) => Promise<T>) {
  const id = (n: number) => encodeURIComponent(String(n));
  return {
    board: () => call<Items<StageBoardPipeline>>('GET', '/api/stages'),
    get: (at: StageRef) => call<StageSetup>('GET', `/api/stages/${id(at.pipelineId)}/${id(at.statusId)}`),
  };
}

// ---------- email screens: contract (server/modules/mail, server/modules/notifications) ----------

export interface MailServerView {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  passwordSet: boolean;
  mailbox?: string;
}
export interface MailSettingsView {
  smtp: MailServerView | null;
  imap: MailServerView | null;
  fromName: string | null;
  fromAddress: string | null;
  notifications: { enabled: boolean };
  imapStatus: { error: { hint: string; message: string } | null; lastUid: number } | null;
  system: { configured: boolean; from: string | null };
}
/** `password` omitted: keep the stored one (same host and user). */
export interface MailServerInput {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password?: string;
  mailbox?: string;
}
export interface MailSettingsInput {
  smtp: MailServerInput | null;
  imap?: MailServerInput | null;
  fromName?: string | null;
  fromAddress?: string | null;
}
export interface MailFolder {
  path: string;
  specialUse: string | null;
}
export type MailConnectionResult =
  | { ok: true; side: 'smtp' | 'imap'; folders?: MailFolder[] }
  | { ok: false; side: 'smtp' | 'imap'; hint: 'auth' | 'tls' | 'port' | 'unreachable' | 'timeout' | 'blocked' | 'rejected' | 'unknown'; message: string };

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'refused' | 'cancelled' | 'bounced';
export interface OutboxEmail {
  id: number;
  leadId: number | null;
  kind: 'client' | 'notification';
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  noteId: number | null;
  createdAt: string;
  sentAt: string | null;
}
export type LeadEmail =
  | (OutboxEmail & { direction: 'outbound' })
  | { id: number; direction: 'inbound'; from: string | null; subject: string | null; text: string; createdAt: string };
export interface LeadEmails {
  items: LeadEmail[];
  /** The lead's contacts' addresses: whom the card may write to. */
  recipients: string[];
}
export interface SendEmailInput {
  leadId: number | null;
  to: string[];
  subject?: string;
  text?: string;
  templateId?: number;
  variables?: Record<string, string>;
  idempotencyKey?: string;
}
export interface EmailTemplateInput {
  name: string;
  subject: string;
  text: string | null;
  html?: string | null;
}
export interface EmailTemplate extends EmailTemplateInput {
  id: number;
  html: string | null;
  updatedAt: string;
}

import { NOTIFICATION_KINDS } from '../../server/lib/notification-kinds.js';
export { NOTIFICATION_KINDS };
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export interface NotificationPrefs {
  enabled: boolean;
  kinds: Record<NotificationKind, boolean>;
}

// ---------- cost and quality (server/modules/quality) ----------

/** One agent's (or the totals') figures over the window. */
export interface QualityFigures {
  turns: number;
  tokens: number;
  costUsd: number;
  replies: number;
  drafts: {
    made: number;
    decided: number;
    unchanged: number;
    edited: number;
    editRatioMean: number | null;
    discarded: number;
    discardReasons: Record<string, number>;
  };
  acceptance: { unchanged: number | null; discarded: number | null };
  handoffs: number;
  actions: { done: number; undone: number; undoneShare: number | null };
  replyMs: { p50: number | null; p95: number | null; configuredDelaySec: number };
  /** Leads that advanced a stage while the agent handled them without a human reply. */
  advanced: number;
}
export type QualitySuggestion = { mode: 'autopilot' | 'draft'; reason: 'drafts_accepted' | 'undo_rate' | 'discard_rate' } | null;
export type AgentQuality = QualityFigures & { agentId: number; name: string | null; mode: 'draft' | 'autopilot' | null; suggestion: QualitySuggestion };
export interface QualityDay {
  day: string;
  costUsd: number;
  tokens: number;
  replies: number;
  unchanged: number;
  edited: number;
  discarded: number;
  advanced: number;
}
export interface QualitySummary {
  from: string;
  to: string;
  month: string | null;
  leadId: number | null;
  totals: QualityFigures;
  agents: AgentQuality[];
  /** Per stage and agent (the stage a turn started in, or the lead left when it advanced). */
  stages: (AgentQuality & { pipelineId: number | null; statusId: number | null; stageName: string | null; pipelineName: string | null })[];
  /** Every UTC day of the window, for the chart. */
  daily: QualityDay[];
}
/** A stage agent's last 30 days, in the stage's settings. */
export interface StageQuality {
  days: number;
  decided: number;
  acceptance: { unchanged: number | null; discarded: number | null };
  undoneShare: number | null;
  advanced: number;
  suggestion: QualitySuggestion;
  thresholds: { autopilotMinDrafts: number; autopilotMinUnchanged: number };
}
