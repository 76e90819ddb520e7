import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createConversationsRepo, type ConversationsRepo } from './conversations.repo.js';
import { createSalesbotRequestsRepo, type SalesbotRequestsRepo } from './salesbot-requests.repo.js';

export type ConversationsDeps = Pick<Platform, 'sqlite' | 'clock'>;
export interface ConversationsServices {
  /** Each lead's thread: what the client and we wrote, on every channel. */
  conversations: ConversationsRepo;
  /** Salesbot requests waiting for our reply. */
  salesbot: SalesbotRequestsRepo;
}

/** Conversations: written by the webhook handlers, the IMAP watcher and the agents; read by the agents. */
export function conversationsModule(d: ConversationsDeps): Module<ConversationsServices> {
  return {
    name: 'conversations',
    services: { conversations: createConversationsRepo(d.sqlite, d.clock), salesbot: createSalesbotRequestsRepo(d.sqlite, d.clock) },
  };
}
