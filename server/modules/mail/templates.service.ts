import { and, asc, eq } from 'drizzle-orm';
import type { Platform } from '../../platform.js';
import { emailTemplates, type EmailTemplateRow } from '../../../db/schema/index.js';
import { htmlToText } from '../../mail/compose.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { renderTemplate } from '../../lib/template.js';

export type TemplateValues = Record<string, string | number | null | undefined>;
type TemplateInput = { name: string; subject: string; html?: string | null; text?: string | null };

/**
 * Render an email template: the subject as one header line (values cannot break it), the HTML part
 * with values HTML-escaped, and always a plain-text part (the text template, else the HTML as text).
 */
export function renderEmail(t: Pick<EmailTemplateRow, 'subject' | 'html' | 'text'>, values: TemplateValues) {
  const oneLine: TemplateValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]+/g, ' ') : v]));
  const html = t.html ? renderTemplate(t.html, values, { escape: 'html' }) : null;
  const text = t.text ? renderTemplate(t.text, values) : htmlToText(html ?? '');
  return { subject: renderTemplate(t.subject, oneLine).trim(), html, text };
}

export function createEmailTemplates(deps: Pick<Platform, 'db' | 'clock'>) {
  const { db, clock } = deps;
  const get = (accountId: number, id: number) => {
    const row = db.select().from(emailTemplates).where(and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.id, id))).get();
    if (!row) throw notFound(`Email template ${id}`);
    return row;
  };
  const check = (t: TemplateInput) => {
    if (!t.html?.trim() && !t.text?.trim()) throw new AppError('VALIDATION_FAILED', 'A template needs html or text', { errors: [{ field: 'text', message: 'html or text is required' }] });
  };
  const unique = (fn: () => EmailTemplateRow, name: string) => {
    try {
      return fn();
    } catch (err) {
      if (String((err as Error).message).includes('UNIQUE')) throw conflict(`A template named "${name}" already exists`);
      throw err;
    }
  };
  return {
    list: (accountId: number) => db.select().from(emailTemplates).where(eq(emailTemplates.accountId, accountId)).orderBy(asc(emailTemplates.name)).all(),
    get,
    create(accountId: number, t: TemplateInput) {
      check(t);
      const now = clock.now();
      return unique(() => db.insert(emailTemplates).values({ accountId, name: t.name, subject: t.subject, html: t.html ?? null, text: t.text ?? null, createdAt: now, updatedAt: now }).returning().get(), t.name);
    },
    update(accountId: number, id: number, t: TemplateInput) {
      get(accountId, id);
      check(t);
      return unique(
        () =>
          db.update(emailTemplates).set({ name: t.name, subject: t.subject, html: t.html ?? null, text: t.text ?? null, updatedAt: clock.now() })
            .where(and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.id, id))).returning().get()!,
        t.name,
      );
    },
    remove(accountId: number, id: number) {
      get(accountId, id);
      db.delete(emailTemplates).where(and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.id, id))).run();
    },
    render: (accountId: number, id: number, values: TemplateValues) => renderEmail(get(accountId, id), values),
  };
}

export type EmailTemplates = ReturnType<typeof createEmailTemplates>;
