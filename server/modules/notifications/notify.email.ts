import type { NotificationRow } from '../../../db/schema/index.js';
import { renderTemplate } from '../../lib/template.js';

/** Built-in templates for notification emails, rendered by the one renderer (values HTML-escaped). */
const ITEM_HTML = '<li><strong>{{title}}</strong>{{leadRef}}<br>{{body}}</li>';
const ITEM_TEXT = '- {{title}}{{leadRef}}\n  {{body}}';
const PAGE_HTML =
  '<p>Hello {{name}},</p><p>{{intro}}</p><ul>\n<!--items-->\n</ul><p style="color:#888">Turn these emails off in the AI Agent widget: <a href="{{prefsUrl}}">Notifications</a>.</p>';
const PAGE_TEXT = 'Hello {{name}},\n\n{{intro}}\n\n<!--items-->\n\nTurn these emails off in the AI Agent widget (Notifications): {{prefsUrl}}';

/** The widget's Notifications screen: the advanced settings page on the account's Kommo host, tab `notifications`. */
export function notificationPrefsUrl(kommoBase: string, widgetCode: string): string {
  return `${kommoBase}/settings/widgets/${encodeURIComponent(widgetCode)}/?kai_tab=notifications`;
}

export function notificationEmail(rows: NotificationRow[], recipientName: string, prefsUrl: string): { subject: string; html: string; text: string } {
  const one = rows.length === 1 ? rows[0]! : null;
  const values = (r: NotificationRow) => ({ title: r.title, body: r.body, leadRef: r.leadId ? ` (lead #${r.leadId})` : '' });
  const intro = one ? 'Something needs your attention in Kommo:' : `${rows.length} things need your attention in Kommo:`;
  const page = { name: recipientName, intro, prefsUrl };
  const html = renderTemplate(PAGE_HTML, page, { escape: 'html' }).replace(
    '<!--items-->',
    rows.map((r) => renderTemplate(ITEM_HTML, values(r), { escape: 'html' })).join('\n'),
  );
  const text = renderTemplate(PAGE_TEXT, page).replace('<!--items-->', rows.map((r) => renderTemplate(ITEM_TEXT, values(r))).join('\n'));
  const subject = (one ? one.title : `${rows.length} new notifications: ${rows[0]!.title} and more`).replace(/[\r\n]+/g, ' ').slice(0, 250);
  return { subject, html, text };
}
