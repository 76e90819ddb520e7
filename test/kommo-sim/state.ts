import type {
  Call,
  Company,
  Contact,
  CustomField,
  EntityKind,
  Lead,
  Note,
  Pipeline,
  SalesbotContinue,
  SimEvent,
  Tag,
  Task,
  TaskType,
  User,
  Webhook,
} from './types.js';
import { createChatsState, type ChatsState } from './chats-state.js';

export interface AccountInfo {
  id: number;
  name: string;
  subdomain: string;
  country: string;
  currency: string;
  currency_symbol: string;
  amojo_id: string;
  created_at: number;
  current_user_id: number;
}

/** An issued OAuth token (keyed by its plaintext value in `SimState.tokens`). */
export interface TokenRecord {
  kind: 'access' | 'refresh' | 'code';
  issuedAt: number; // sim seconds
  expiresAt: number; // sim seconds
  /** Revoked (revokeAllTokens) or, for refresh tokens, already used (rotation). */
  dead: boolean;
}

/** Everything the simulated account holds. Plain Maps/arrays: tests may read and mutate them directly. */
export interface SimState {
  account: AccountInfo;
  users: Map<number, User>;
  pipelines: Map<number, Pipeline>;
  customFields: Record<EntityKind, Map<number, CustomField>>;
  taskTypes: TaskType[];
  tags: Record<EntityKind, Map<number, Tag>>;
  leads: Map<number, Lead>;
  contacts: Map<number, Contact>;
  companies: Map<number, Company>;
  tasks: Map<number, Task>;
  notes: Map<number, Note>;
  calls: Call[];
  /** Newest last. */
  events: SimEvent[];
  /** Keyed by destination (POST with an existing destination updates it). */
  webhooks: Map<string, Webhook>;
  salesbotContinues: SalesbotContinue[];
  /** Messenger chats of leads, the account's Salesbots and their runs (chats.ts). */
  chats: ChatsState;
  /** Every access and refresh token ever issued, by plaintext value. */
  tokens: Map<string, TokenRecord>;
  /** Authorization codes (one-time, 20 min), by value. */
  authCodes: Map<string, TokenRecord>;
  /** Next id per kind; bump through nextId(). */
  seq: Record<IdKind, number>;
}

export type IdKind =
  | 'lead'
  | 'contact'
  | 'company'
  | 'user'
  | 'pipeline'
  | 'status'
  | 'field'
  | 'enum'
  | 'tag'
  | 'task'
  | 'note'
  | 'call'
  | 'event'
  | 'webhook';

export const ID_START: Record<IdKind, number> = {
  lead: 1_000_001,
  contact: 2_000_001,
  company: 3_000_001,
  user: 5_000_001,
  pipeline: 7_000_001,
  status: 60_000_001,
  field: 800_001,
  enum: 900_001,
  tag: 40_001,
  task: 4_000_001,
  note: 6_000_001,
  call: 9_000_001,
  event: 1,
  webhook: 100_001,
};

export function createState(account: AccountInfo): SimState {
  return {
    account,
    users: new Map(),
    pipelines: new Map(),
    customFields: { leads: new Map(), contacts: new Map(), companies: new Map() },
    taskTypes: [],
    tags: { leads: new Map(), contacts: new Map(), companies: new Map() },
    leads: new Map(),
    contacts: new Map(),
    companies: new Map(),
    tasks: new Map(),
    notes: new Map(),
    calls: [],
    events: [],
    webhooks: new Map(),
    salesbotContinues: [],
    chats: createChatsState(),
    tokens: new Map(),
    authCodes: new Map(),
    seq: { ...ID_START },
  };
}

export function nextId(state: SimState, kind: IdKind): number {
  const id = state.seq[kind];
  state.seq[kind] = id + 1;
  return id;
}

/** Kommo event ids are opaque strings. */
export function nextEventId(state: SimState): string {
  return `01sim${nextId(state, 'event').toString(16).padStart(12, '0')}`;
}
