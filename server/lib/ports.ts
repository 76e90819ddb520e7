/**
 * Ports between modules that are filled in by later features. The webhook and agent layers call
 * these; the email feature provides the real implementations.
 */
import type { NOTIFICATION_KINDS } from './notification-kinds.js';

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notifier {
  /** Tell a Kommo user something. Synchronous (joins the caller's transaction); delivery is a job. */
  notify(input: {
    accountId: number;
    userId: number | null;
    kind: NotificationKind;
    title: string;
    body: string;
    leadId?: number | null;
    dedupeKey: string;
  }): void;
}

export interface ClientMailer {
  /** Queue an email to a client in the outbox (joins the caller's transaction). Returns the outbox id. */
  queue(input: {
    accountId: number;
    leadId: number | null;
    to: string[];
    cc?: string[];
    subject: string;
    text: string;
    html?: string;
    inReplyTo?: string | null;
    references?: string[];
    /** Stable per logical email, so a retried caller never queues it twice. */
    idempotencyKey: string;
  }): { outboxId: number };
}
