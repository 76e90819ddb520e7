import { Mailbox } from './Mailbox.js';
import { Notifications } from './Notifications.js';
import { Outbox } from './Outbox.js';
import { Templates } from './Templates.js';

/** The admin app's email tabs; `notifications` is every user's own (the link in notification emails opens it). */
export const EMAIL_TABS = ['mailbox', 'templates', 'outbox', 'notifications'] as const;
export type EmailTabKey = (typeof EMAIL_TABS)[number];

export function EmailTab(props: { tab: EmailTabKey }) {
  if (props.tab === 'mailbox') return <Mailbox />;
  if (props.tab === 'templates') return <Templates />;
  if (props.tab === 'outbox') return <Outbox />;
  return <Notifications />;
}
