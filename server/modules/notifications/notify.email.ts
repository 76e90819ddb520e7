import type { NotificationRow } from '../../../db/schema/index.js';
import type { Lang } from '../../lib/i18n.js';
import { renderTemplate } from '../../lib/template.js';
import { notifyText } from './notify.texts.js';

/** Built-in templates for notification emails, rendered by the one renderer (values HTML-escaped). */
const ITEM_HTML = '<li><strong>{{title}}</strong>{{leadRef}}<br>{{body}}</li>';
const ITEM_TEXT = '- {{title}}{{leadRef}}\n  {{body}}';
const PAGE_HTML = '<p>{{hello}}</p><p>{{intro}}</p><ul>\n<!--items-->\n</ul><p style="color:#888">{{footer}} <a href="{{prefsUrl}}">{{footerLink}}</a>.</p>';
const PAGE_TEXT = '{{hello}}\n\n{{intro}}\n\n<!--items-->\n\n{{footer}} {{footerLink}}: {{prefsUrl}}';

/** The widget's Notifications screen: the advanced settings page on the account's Kommo host, tab `notifications`. */
export function notificationPrefsUrl(kommoBase: string, widgetCode: string): string {
  return `${kommoBase}/settings/widgets/${encodeURIComponent(widgetCode)}/?kai_tab=notifications`;
}

/** One email for a user's pending notifications, in the account's language (`recipientName` null: the whole team). */
export function notificationEmail(
  rows: NotificationRow[],
  recipientName: string | null,
  prefsUrl: string,
  lang: Lang = 'en',
): { subject: string; html: string; text: string } {
  const one = rows.length === 1 ? rows[0]! : null;
  const values = (r: NotificationRow) => ({ title: r.title, body: r.body, leadRef: r.leadId ? notifyText(lang, 'leadRef', { id: r.leadId }) : '' });
  const page = {
    hello: notifyText(lang, 'hello', { name: recipientName ?? notifyText(lang, 'team') }),
    intro: one ? notifyText(lang, 'introOne') : notifyText(lang, 'introMany', { count: rows.length }),
    footer: notifyText(lang, 'footer'),
    footerLink: notifyText(lang, 'footerLink'),
    prefsUrl,
  };
  const html = renderTemplate(PAGE_HTML, page, { escape: 'html' }).replace(
    '<!--items-->',
    rows.map((r) => renderTemplate(ITEM_HTML, values(r), { escape: 'html' })).join('\n'),
  );
  const text = renderTemplate(PAGE_TEXT, page).replace('<!--items-->', rows.map((r) => renderTemplate(ITEM_TEXT, values(r))).join('\n'));
  const subject = (one ? one.title : notifyText(lang, 'subjectMany', { count: rows.length, first: rows[0]!.title })).replace(/[\r\n]+/g, ' ').slice(0, 250);
  return { subject, html, text };
}
