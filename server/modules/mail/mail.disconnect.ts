import type { Platform } from '../../platform.js';
import type { ActivityService } from '../activity/activity.service.js';
import { mailText } from './mail.texts.js';
import type { MailWatcher } from './mail.watcher.js';
import { cancelQueuedOutbox } from './outbox.repo.js';
import { MAIL_NOTE_QUEUE } from './outbox.send.js';
import { MAIL_SEND_QUEUE } from './outbox.writer.js';
import type { MailSettings } from './settings.service.js';

/**
 * `account.disconnected` (the uninstall hook): mail stops with the integration. Inside the publisher's
 * transaction, synchronously: waiting emails end `cancelled` with the reason (their send jobs and the
 * note jobs too), the mailbox passwords are deleted, and the activity feed says so. The IMAP connection
 * is closed right after, outside the transaction; the watcher does not restart a mailbox without a password.
 */
export function createMailDisconnect(
  deps: Pick<Platform, 'db' | 'clock' | 'queue' | 'logger'> & { activity: ActivityService; settings: MailSettings; watcher: MailWatcher },
) {
  return function onDisconnected(accountId: number): void {
    const reason = mailText.cancelledOnUninstall;
    const cancelled = cancelQueuedOutbox(deps.db, accountId, reason, deps.clock.now());
    deps.queue.cancelQueued(accountId, MAIL_SEND_QUEUE, reason);
    deps.queue.cancelQueued(accountId, MAIL_NOTE_QUEUE, reason);
    deps.settings.forgetPasswords(accountId);
    deps.activity.write({
      accountId,
      type: 'email.stopped',
      title: mailText.stoppedTitle,
      description: mailText.stoppedBody(cancelled),
      metadata: { cancelled },
      params: { cancelled },
    });
    setImmediate(() => {
      deps.watcher.stopAccount(accountId).catch((err) => deps.logger.warn({ accountId, err: String(err) }, 'could not stop the IMAP watch'));
    });
  };
}
