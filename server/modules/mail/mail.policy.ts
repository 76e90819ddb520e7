import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { FieldError } from '../../lib/errors.js';
import type { MailPolicyRepo } from './mail-policy.repo.js';
import { mailText } from './mail.texts.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export type RefusalReason = 'no_mailbox' | 'not_lead_contact' | 'not_kommo_user' | 'daily_cap' | 'per_minute' | 'disconnected' | 'no_user_email';

export interface QuotaRefusal {
  reason: 'daily_cap' | 'per_minute';
  message: string;
}

/**
 * The rules that keep a tenant from using this backend as a mail relay: who client email may go to, and
 * how much of it an account may send (MAIL_DAILY_RECIPIENT_CAP in any 24 hours, MAIL_RECIPIENTS_PER_MINUTE
 * in any minute). Recipients are what is counted: one email to 50 people is 50.
 */
export function createMailPolicy(deps: Pick<Platform, 'env' | 'clock' | 'tx'> & { activity: ActivityService; repo: MailPolicyRepo }) {
  const { env, clock, repo } = deps;
  const cap = env.MAIL_DAILY_RECIPIENT_CAP;
  const rate = env.MAIL_RECIPIENTS_PER_MINUTE;

  /** Field errors for addresses that are not among `allowed` (lower-cased), named `to.N` / `cc.N`. */
  const outside = (allowed: string[], to: string[], cc: string[], message: string): FieldError[] => {
    const set = new Set(allowed);
    return [...to.map((a, i) => ({ a, field: `to.${i}` })), ...cc.map((a, i) => ({ a, field: `cc.${i}` }))]
      .filter((x) => !set.has(x.a.toLowerCase()))
      .map((x) => ({ field: x.field, message }));
  };

  return {
    repo,
    cap,
    rate,
    /**
     * Would `n` more recipients queued now stay within the daily cap (and, for a person's request, the
     * per-minute rate)? A single email may exceed the per-minute rate when the minute is otherwise empty,
     * or a large (capped) list could never go out.
     */
    checkQueue(accountId: number, n: number, opts: { perMinute: boolean }): QuotaRefusal | null {
      const now = clock.now();
      if (repo.queuedSince(accountId, now - DAY_MS) + n > cap) return { reason: 'daily_cap', message: mailText.dailyCap(cap) };
      if (opts.perMinute) {
        const lastMinute = repo.queuedSince(accountId, now - MINUTE_MS);
        if (lastMinute > 0 && lastMinute + n > rate) return { reason: 'per_minute', message: mailText.perMinute(rate) };
      }
      return null;
    },
    /** At send time: how long to wait until `n` more recipients fit in the per-minute rate (0: send now). */
    sendDelay(accountId: number, n: number): number {
      const now = clock.now();
      const sent = repo.sentSince(accountId, now - MINUTE_MS);
      let used = sent.reduce((sum, r) => sum + r.n, 0);
      if (used === 0 || used + n <= rate) return 0;
      for (const r of sent) {
        used -= r.n;
        if (used === 0 || used + n <= rate) return Math.max(1000, r.sentAt + MINUTE_MS - now);
      }
      return MINUTE_MS;
    },
    /** Client email from a person: only the lead's contacts' addresses (an admin may write to any). */
    /** The lead's contacts' addresses, lower-case: whom the card offers to write to. */
    leadContactEmails: (accountId: number, leadId: number): string[] => repo.leadContactEmails(accountId, leadId),
    notLeadContacts: (accountId: number, leadId: number, to: string[], cc: string[]): FieldError[] =>
      outside(repo.leadContactEmails(accountId, leadId), to, cc, mailText.notLeadContact),
    /** Notifications: only the account's own Kommo users. */
    notKommoUsers: (accountId: number, to: string[], cc: string[]): FieldError[] => outside(repo.userEmails(accountId), to, cc, mailText.notKommoUser),
    userEmail: (accountId: number, userId: number) => repo.userEmail(accountId, userId),
    /** Every refusal is also an activity entry, committed on its own (the caller then answers with the error). */
    recordRefusal(r: {
      accountId: number;
      leadId?: number | null;
      userId?: number | null;
      reason: RefusalReason;
      detail: string;
      subject?: string;
      to?: string[];
    }) {
      deps.tx(() =>
        deps.activity.write({
          accountId: r.accountId,
          leadId: r.leadId ?? null,
          userId: r.userId ?? null,
          type: 'email.refused',
          title: mailText.refusedTitle(r.subject ?? ''),
          description: r.detail,
          metadata: { reason: r.reason, to: r.to ?? [] },
          params: { subject: r.subject ?? '', reason: r.reason },
        }),
      );
    },
  };
}

export type MailPolicy = ReturnType<typeof createMailPolicy>;
