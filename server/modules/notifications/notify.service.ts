import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { NotificationKind, Notifier } from '../../lib/ports.js';
import { NOTIFICATION_KINDS } from '../../lib/notification-kinds.js';
import type { NotificationRow } from '../../../db/schema/index.js';
import { isEmailAddress } from '../../mail/address.js';
import type { OutboxWriter } from '../mail/outbox.writer.js';
import type { MailSettings } from '../mail/settings.service.js';
import { mailText } from '../mail/mail.texts.js';
import { kommoBaseUrl } from '../../kommo/hosts.js';
import { notificationEmail, notificationPrefsUrl } from './notify.email.js';
import { notifyText } from './notify.texts.js';
import { accountLanguage } from '../../lib/i18n.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import {
  accountHost,
  insertNotification,
  type UserPref,
  pendingFor,
  pendingForAccount,
  recipientsFor,
  settleNotifications,
  setUserPref,
  userPref,
} from './notify.repo.js';

export const NOTIFY_QUEUE = 'mail.notify-flush';

/**
 * The Notifier port. `notify` is synchronous and joins the caller's transaction: the row (unique per
 * dedupe key), its activity entry and — for the first pending one of a user — a flush job due after
 * NOTIFY_BATCH_WINDOW_MS. Everything that arrives for that user meanwhile goes out in the same email.
 */
export function createNotifications(
  deps: Pick<Platform, 'db' | 'clock' | 'queue' | 'tx' | 'env' | 'bus'> & {
    activity: ActivityService;
    accounts: Pick<AccountsRepo, 'settings'>;
    settings: MailSettings;
    writer: OutboxWriter;
  },
) {
  const { db, clock } = deps;

  const notifier: Notifier = {
    notify(n) {
      deps.tx(() => {
        const now = clock.now();
        const row = insertNotification(db, {
          accountId: n.accountId,
          userId: n.userId,
          kind: n.kind,
          title: n.title,
          body: n.body,
          leadId: n.leadId ?? null,
          dedupeKey: n.dedupeKey,
          createdAt: now,
        });
        if (!row) return;
        deps.activity.write({
          accountId: n.accountId,
          userId: n.userId,
          leadId: n.leadId ?? null,
          type: `notification.${n.kind}`,
          title: n.title,
          description: n.body,
          // Title and body are already in the account's language; the kind names the entry in the viewer's.
          params: { kind: n.kind },
          metadata: { dedupeKey: n.dedupeKey, notificationId: row.id, delivered: 'email' },
        });
        const first = pendingFor(db, n.accountId, n.userId)[0];
        if (first?.id === row.id) {
          deps.queue.enqueue({
            queue: NOTIFY_QUEUE,
            accountId: n.accountId,
            payload: { accountId: n.accountId, userId: n.userId },
            idempotencyKey: `notify:${n.accountId}:${row.id}`,
            runAt: now + deps.env.NOTIFY_BATCH_WINDOW_MS,
          });
        }
      });
    },
  };

  /** The flush job: every pending notification of the user becomes one email (or is skipped, with the reason kept). */
  function flush(accountId: number, userId: number | null): void {
    deps.tx(() => {
      const rows = pendingFor(db, accountId, userId);
      if (rows.length === 0) return;
      const ids = rows.map((r) => r.id);
      const skip = (skipReason: string) => settleNotifications(db, ids, { status: 'skipped', skipReason });
      if (!deps.settings.notificationsEnabled(accountId)) return skip('notifications are turned off for this account');
      const users = recipientsFor(db, accountId, userId).filter((u) => u.email && isEmailAddress(u.email));
      if (users.length === 0) return skip(userId === null ? 'no active admin has an email address in Kommo' : 'the user has no email address in Kommo');
      const prefs = new Map(users.map((u) => [u.id, userPref(db, accountId, u.id)]));
      const wanted = users.filter((u) => prefs.get(u.id)!.enabled);
      if (wanted.length === 0) return skip('the user turned notification emails off');
      if (!deps.settings.sender(accountId, 'notification')) return skip('email is not configured (SMTP_URL and MAIL_FROM, or the account mailbox)');
      // Each user gets the kinds they did not mute; users who want the same rows share one email.
      const groups = new Map<string, { rows: NotificationRow[]; users: typeof wanted }>();
      for (const u of wanted) {
        const muted = new Set(prefs.get(u.id)!.mutedKinds);
        const mine = rows.filter((r) => !muted.has(r.kind));
        if (mine.length === 0) continue;
        const key = mine.map((r) => r.id).join(',');
        const group = groups.get(key) ?? { rows: mine, users: [] };
        group.users.push(u);
        groups.set(key, group);
      }
      const host = accountHost(db, accountId);
      const lang = accountLanguage(deps.accounts.settings(accountId));
      const prefsUrl = notificationPrefsUrl(host ? kommoBaseUrl(host, deps.env.KOMMO_ALLOW_INSECURE_LOOPBACK) : '', deps.env.WIDGET_CODE);
      const outboxOf = new Map<number, number>();
      [...groups.values()].forEach((g, i) => {
        const email = notificationEmail(g.rows, g.users.length === 1 ? g.users[0]!.name : null, prefsUrl, lang);
        const out = deps.writer.queue({
          accountId,
          leadId: g.rows.length === 1 ? g.rows[0]!.leadId : null,
          to: g.users.map((u) => u.email!.toLowerCase()),
          subject: email.subject,
          text: email.text,
          html: email.html,
          idempotencyKey: i === 0 ? `notify:${rows[0]!.id}` : `notify:${rows[0]!.id}:${i}`,
          kind: 'notification',
        });
        for (const r of g.rows) if (!outboxOf.has(r.id)) outboxOf.set(r.id, out.id);
      });
      const unwanted = ids.filter((id) => !outboxOf.has(id));
      if (unwanted.length) settleNotifications(db, unwanted, { status: 'skipped', skipReason: 'the user turned this kind of notification email off' });
      for (const [id, outboxId] of outboxOf) settleNotifications(db, [id], { status: 'batched', outboxId });
    });
  }

  // Reauth is announced on the bus by the token vault (once per transition); tell the admins.
  deps.bus.on('account.reauth_required', ({ accountId, reason }) => {
    const lang = accountLanguage(deps.accounts.settings(accountId));
    notifier.notify({
      accountId,
      userId: null,
      kind: 'reauth_required',
      title: notifyText(lang, 'reauthTitle'),
      body: notifyText(lang, 'reauthBody', { reason }),
      dedupeKey: `reauth:${accountId}:${Math.floor(clock.now() / 3_600_000)}`,
    });
  });

  // Uninstalled: nothing more goes out. Pending notifications are settled (a later reinstall starts a fresh batch).
  deps.bus.on('account.disconnected', ({ accountId }) => {
    const ids = pendingForAccount(db, accountId).map((r) => r.id);
    if (ids.length) settleNotifications(db, ids, { status: 'skipped', skipReason: mailText.notificationSkippedOnUninstall });
    deps.queue.cancelQueued(accountId, NOTIFY_QUEUE, mailText.cancelledOnUninstall);
  });

  return {
    notifier,
    flush,
    getPref: (accountId: number, userId: number) => prefDto(userPref(db, accountId, userId)),
    /** `kinds` omitted: the muted kinds stay as they are; given: each kind named is switched on or off. */
    setPref(accountId: number, userId: number, body: { enabled: boolean; kinds?: Partial<Record<NotificationKind, boolean>> }) {
      return deps.tx(() => {
        const prev = userPref(db, accountId, userId);
        const muted = new Set(prev.mutedKinds);
        for (const [kind, on] of Object.entries(body.kinds ?? {})) on ? muted.delete(kind) : muted.add(kind);
        const next = { enabled: body.enabled, mutedKinds: NOTIFICATION_KINDS.filter((k) => muted.has(k)) };
        setUserPref(db, accountId, userId, next, clock.now());
        return prefDto(next);
      });
    },
  };
}

/** What GET/PUT /api/mail/notifications answer: the switch for all, and each kind on or off. */
function prefDto(p: UserPref) {
  const muted = new Set(p.mutedKinds);
  return { enabled: p.enabled, kinds: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, !muted.has(k)])) as Record<NotificationKind, boolean> };
}

export type Notifications = ReturnType<typeof createNotifications>;
