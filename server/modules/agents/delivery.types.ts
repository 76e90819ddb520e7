import type { Db } from '../../../db/client.js';
import type { KommoApi } from '../../kommo/client/types.js';
import type { EventBus } from '../../lib/bus.js';
import type { Clock } from '../../lib/clock.js';
import type { ClientMailer } from '../../lib/ports.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { ConversationsRepo } from '../conversations/conversations.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';

/** The delivery service's shapes: where a reply can go, and what delivering needs. */
export interface SalesbotTarget {
  returnUrl: string;
  requestId: number;
}
export interface EmailTarget {
  messageId: string;
  from: string;
  subject: string;
  references: string[];
}
/** Where a reply can go: the channel the client wrote on, if we can reach it. */
export interface ReplyTarget {
  channel: string;
  contactId: number | null;
  salesbot?: SalesbotTarget;
  email?: EmailTarget;
  /** The agent writes first in a messenger: we launch this Salesbot (its widget step asks us for the text). */
  launch?: { botId: number };
  /** The agent writes first by email: a new message to the contact. */
  newEmail?: { to: string; subject: string };
}

export interface DeliveryDeps {
  db: Db;
  conversations: ConversationsRepo;
  salesbot: SalesbotRequestsRepo;
  clock: Clock;
  activity: ActivityService;
  clientMail: ClientMailer;
  kommo: { api(accountId: number): KommoApi };
  tx<T>(fn: () => T): T;
  crm: MirrorReadRepo;
  accounts: Pick<AccountsRepo, 'settings'>;
  /** Draft mode: the CRM actions proposed with a draft run when it is approved, and are discarded with it. */
  actions: Pick<ActionsService, 'attachToDraft' | 'approveDraft' | 'discardDraft'>;
  /** Announces what we wrote (rules wait for client replies from then on). */
  bus?: Pick<EventBus, 'emit'>;
}

export interface DeliverInput {
  accountId: number;
  leadId: number;
  agentId: number;
  agentName: string;
  turnId: number;
  mode: string;
  /** Why a reply goes to a person as a draft when `mode` says draft though the agent is on autopilot. */
  draftWhy?: string;
  text: string;
  target: ReplyTarget | null;
  /** Tokens, cost, citations: goes into the activity entry. */
  meta: Record<string, unknown>;
}

export type Delivered = { status: 'replied' | 'drafted'; via: 'salesbot' | 'email' | 'note'; ids: Record<string, unknown> };
